// The StandardAuthorizer core, on cases of Kafka's StandardAuthorizerTest / AclAuthorizerTest:
// literal, prefixed and wildcard patterns, 'User:*', hosts, implied DESCRIBE/DESCRIBE_CONFIGS,
// DENY over ALLOW, super.users, allow.everyone.if.no.acl.found; and AclBindingFilter matching.
import t from 'tap';
import { AclOperation as Op, AclPermissionType as Perm, AclResourceType as Res, filterMatches, PatternType as Pat, type StandardAcl } from '../../src/security/acl/acl.js';
import { parseSuperUsers, StandardAuthorizer } from '../../src/security/acl/authorizer.js';

const acl = (resourceType: number, resourceName: string, patternType: number, principal: string, operation: number, permissionType: number = Perm.ALLOW, host = '*'): StandardAcl =>
  ({ resourceType, resourceName, patternType, principal, host, operation, permissionType });
const make = (acls: StandardAcl[], superUsers = '', allowEveryone = false) => new StandardAuthorizer(acls, { superUsers: parseSuperUsers(superUsers), allowEveryoneIfNoAclFound: allowEveryone });

t.test('no ACLs: denied, unless allow.everyone.if.no.acl.found', async (t) => {
  t.equal(make([]).authorize('User:bob', '127.0.0.1', Op.READ, Res.TOPIC, 'foo'), false);
  t.equal(make([], '', true).authorize('User:bob', '127.0.0.1', Op.READ, Res.TOPIC, 'foo'), true);
  // A resource some ACL covers is not "no ACL found", even for another principal.
  const a = make([acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:alice', Op.READ)], '', true);
  t.equal(a.authorize('User:bob', '127.0.0.1', Op.READ, Res.TOPIC, 'foo'), false);
  t.equal(a.authorize('User:bob', '127.0.0.1', Op.READ, Res.TOPIC, 'bar'), true);
});

t.test('super.users may do anything', async (t) => {
  const a = make([acl(Res.TOPIC, '*', Pat.LITERAL, 'User:*', Op.ALL, Perm.DENY)], 'User:admin; User:ops');
  t.equal(a.authorize('User:admin', '1.2.3.4', Op.ALTER, Res.CLUSTER, 'kafka-cluster'), true);
  t.equal(a.authorize('User:ops', '1.2.3.4', Op.WRITE, Res.TOPIC, 'x'), true);
  t.equal(a.authorize('User:bob', '1.2.3.4', Op.WRITE, Res.TOPIC, 'x'), false);
});

t.test('literal, wildcard and prefixed patterns', async (t) => {
  const a = make([
    acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:alice', Op.READ),
    acl(Res.TOPIC, 'pre', Pat.PREFIXED, 'User:alice', Op.WRITE),
    acl(Res.GROUP, '*', Pat.LITERAL, 'User:alice', Op.READ),
  ]);
  t.equal(a.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'foo'), true);
  t.equal(a.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'foobar'), false, 'a literal ACL is no prefix');
  t.equal(a.authorize('User:alice', 'h', Op.WRITE, Res.TOPIC, 'prefix.topic'), true);
  t.equal(a.authorize('User:alice', 'h', Op.WRITE, Res.TOPIC, 'pr'), false);
  t.equal(a.authorize('User:alice', 'h', Op.READ, Res.GROUP, 'any-group'), true);
  t.equal(a.authorize('User:alice', 'h', Op.READ, Res.TRANSACTIONAL_ID, 'foo'), false, 'resource types are apart');
  t.equal(make([acl(Res.TOPIC, '*', Pat.PREFIXED, 'User:alice', Op.READ)]).authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'foo'), false, "a PREFIXED '*' is the literal prefix '*'");
});

t.test("principal 'User:*' and hosts", async (t) => {
  const a = make([
    acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:*', Op.READ, Perm.ALLOW, '192.168.0.1'),
    acl(Res.TOPIC, 'bar', Pat.LITERAL, 'User:*', Op.READ),
  ]);
  t.equal(a.authorize('User:bob', '192.168.0.1', Op.READ, Res.TOPIC, 'foo'), true);
  t.equal(a.authorize('User:bob', '192.168.0.2', Op.READ, Res.TOPIC, 'foo'), false);
  t.equal(a.authorize('User:anyone', '10.0.0.1', Op.READ, Res.TOPIC, 'bar'), true);
  t.equal(a.authorize('Group:x', '10.0.0.1', Op.READ, Res.TOPIC, 'bar'), true, "'User:*' matches any principal (StandardAuthorizerData.matchingPrincipals adds it to every request)");
});

t.test('implied operations apply to ALLOW only', async (t) => {
  for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
    t.equal(make([acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:a', op)]).authorize('User:a', 'h', Op.DESCRIBE, Res.TOPIC, 'foo'), true, `ALLOW op ${op} implies DESCRIBE`);
  }
  t.equal(make([acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:a', Op.CREATE)]).authorize('User:a', 'h', Op.DESCRIBE, Res.TOPIC, 'foo'), false, 'CREATE does not imply DESCRIBE');
  t.equal(make([acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:a', Op.ALTER_CONFIGS)]).authorize('User:a', 'h', Op.DESCRIBE_CONFIGS, Res.TOPIC, 'foo'), true);
  t.equal(make([acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:a', Op.READ)]).authorize('User:a', 'h', Op.WRITE, Res.TOPIC, 'foo'), false);
  const all = make([acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:a', Op.ALL)]);
  for (const op of [Op.READ, Op.WRITE, Op.CREATE, Op.DESCRIBE, Op.ALTER_CONFIGS]) t.equal(all.authorize('User:a', 'h', op, Res.TOPIC, 'foo'), true);
  // DENY READ does not deny DESCRIBE (which an ALLOW WRITE implies).
  const d = make([acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:a', Op.WRITE), acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:a', Op.READ, Perm.DENY)]);
  t.equal(d.authorize('User:a', 'h', Op.DESCRIBE, Res.TOPIC, 'foo'), true);
  t.equal(d.authorize('User:a', 'h', Op.READ, Res.TOPIC, 'foo'), false);
});

t.test('DENY wins over ALLOW, from any matching pattern', async (t) => {
  const a = make([
    acl(Res.TOPIC, '*', Pat.LITERAL, 'User:*', Op.ALL),
    acl(Res.TOPIC, 'secret', Pat.PREFIXED, 'User:bob', Op.READ, Perm.DENY),
    acl(Res.TOPIC, 'open', Pat.LITERAL, 'User:*', Op.ALL, Perm.DENY, '10.0.0.9'),
  ]);
  t.equal(a.authorize('User:bob', 'h', Op.READ, Res.TOPIC, 'secret-1'), false);
  t.equal(a.authorize('User:bob', 'h', Op.WRITE, Res.TOPIC, 'secret-1'), true);
  t.equal(a.authorize('User:alice', 'h', Op.READ, Res.TOPIC, 'secret-1'), true);
  t.equal(a.authorize('User:alice', '10.0.0.9', Op.READ, Res.TOPIC, 'open'), false);
  t.equal(a.authorize('User:alice', '10.0.0.8', Op.READ, Res.TOPIC, 'open'), true);
});

t.test('authorizeByResourceType', async (t) => {
  const a = make([acl(Res.TRANSACTIONAL_ID, 'tx-', Pat.PREFIXED, 'User:a', Op.WRITE)]);
  t.equal(a.authorizeByResourceType('User:a', 'h', Op.WRITE, Res.TRANSACTIONAL_ID), true);
  t.equal(a.authorizeByResourceType('User:b', 'h', Op.WRITE, Res.TRANSACTIONAL_ID), false);
  const denied = make([acl(Res.TRANSACTIONAL_ID, 'tx-', Pat.PREFIXED, 'User:a', Op.WRITE), acl(Res.TRANSACTIONAL_ID, '*', Pat.LITERAL, 'User:a', Op.WRITE, Perm.DENY)]);
  t.equal(denied.authorizeByResourceType('User:a', 'h', Op.WRITE, Res.TRANSACTIONAL_ID), false);
});

t.test('AclBindingFilter matching (ANY, MATCH, LITERAL)', async (t) => {
  const lit = acl(Res.TOPIC, 'foo', Pat.LITERAL, 'User:a', Op.READ);
  const pre = acl(Res.TOPIC, 'fo', Pat.PREFIXED, 'User:a', Op.READ);
  const wild = acl(Res.TOPIC, '*', Pat.LITERAL, 'User:a', Op.READ);
  const f = (patternType: number, resourceName: string | null) => ({ resourceType: Res.TOPIC, resourceName, patternType, principal: null, host: null, operation: Op.ANY, permissionType: Perm.ANY });
  t.same([lit, pre, wild].map((a) => filterMatches(f(Pat.MATCH, 'foo'), a)), [true, true, true]);
  t.same([lit, pre, wild].map((a) => filterMatches(f(Pat.LITERAL, 'foo'), a)), [true, false, false]);
  t.same([lit, pre, wild].map((a) => filterMatches(f(Pat.ANY, null), a)), [true, true, true]);
  t.same([lit, pre, wild].map((a) => filterMatches(f(Pat.PREFIXED, null), a)), [false, true, false]);
  t.equal(filterMatches({ ...f(Pat.ANY, null), principal: 'User:b' }, lit), false);
  t.equal(filterMatches({ ...f(Pat.ANY, null), resourceType: Res.GROUP }, lit), false);
});
