// The HTTP port under the broker's security: a broker with a SASL_PLAINTEXT listener (PLAIN users
// from its JAAS config, a SCRAM-SHA-256 user created with AlterUserScramCredentials), the
// StandardAuthorizer and super.users=User:admin. Without credentials every registered route
// answers 401 with a Basic challenge, a wrong password too; a user without ACLs gets 403 on data
// routes and no topic names in lists; after kafkajs' CreateAcls grants READ on one topic that user
// reads its messages and no other's; admin sees all; /api/faults needs ALTER on the cluster.
// A broker with neither SASL nor an authorizer stays open.
import net from 'node:net';
import os from 'node:os';
import t from 'tap';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import type { HttpServer } from '../../src/http/server.js';
import { remoteAsRequester, routeRule } from '../../src/http/auth.js';
import { runAs } from '../../src/http/request-scope.js';
import { StandardAuthorizer } from '../../src/security/acl/authorizer.js';
import { AclOperation, AclPermissionType, AclResourceType, PatternType, type StandardAcl } from '../../src/security/acl/acl.js';
import { AlterUserScramCredentialsRequest } from '../../src/protocol/generated/alter-user-scram-credentials-request.js';
import { AlterUserScramCredentialsResponse } from '../../src/protocol/generated/alter-user-scram-credentials-response.js';
import { saltedPassword, SCRAM_SHA_256 } from '../../src/security/scram/scram-formatter.js';
import { call, saslConnect } from '../security/sasl-wire.js';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs as unknown as Record<string, Record<string, number>>;

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

let running: RunningBroker;
let kafkaPort = 0;
let base = '';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

async function get(path: string, auth?: string, init: RequestInit = {}): Promise<{ status: number; body: string; challenge: string | null }> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (auth) headers.authorization = auth;
  const r = await fetch(base + path, { ...init, headers });
  return { status: r.status, body: await r.text(), challenge: r.headers.get('www-authenticate') };
}

const post = (path: string, auth: string | undefined, body: unknown) =>
  get(path, auth, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const client = (username: string, password: string, mechanism: 'plain' | 'scram-sha-256' = 'plain') =>
  new Kafka({
    clientId: `http-security-${username}`,
    brokers: [`localhost:${kafkaPort}`],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism, username, password } as never,
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { retries: 2 },
  });

const ADMIN = basic('admin', 'admin-secret');
const ALICE = basic('alice', 'alice-secret');
const BOB = basic('bob', 'bob-secret');

t.before(async () => {
  running = await startBroker({
    memory: true,
    httpPort: 0,
    config: {
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
    },
    listeners: [{ name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' }],
  });
  kafkaPort = running.broker.advertisedEndpoints[0].port;
  base = `http://127.0.0.1:${running.httpPort}`;

  const admin = client('admin', 'admin-secret');
  const producer = admin.producer();
  await producer.connect();
  await admin.admin().connect();
  const kadmin = admin.admin();
  await kadmin.connect();
  await kadmin.createTopics({ topics: [{ topic: 'open-to-alice', numPartitions: 1 }, { topic: 'secret-b', numPartitions: 1 }], waitForLeaders: true });
  await producer.send({ topic: 'open-to-alice', messages: [{ key: 'k', value: 'value-for-alice' }] });
  await producer.send({ topic: 'secret-b', messages: [{ key: 'k', value: 'value-not-for-alice' }] });
  // A group with committed offsets, so the groups list has something to hide.
  await kadmin.setOffsets({ groupId: 'admins-group', topic: 'secret-b', partitions: [{ partition: 0, offset: '1' }] });
  await kadmin.disconnect();
  await producer.disconnect();

  // bob's SCRAM-SHA-256 credential, stored as Kafka's admin client sends it (the salted password).
  const salt = Buffer.from('salt-of-bob');
  const { conn, last } = await saslConnect(kafkaPort, 'PLAIN', { initial: () => Buffer.from('\u0000admin\u0000admin-secret'), evaluate: () => null });
  try {
    if (last.errorCode !== 0) throw new Error(`admin's SASL failed: ${last.errorMessage}`);
    const r = await call(conn, 51, 0, AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse, {
      deletions: [],
      upsertions: [{ name: 'bob', mechanism: 1, iterations: 4096, salt, saltedPassword: saltedPassword(SCRAM_SHA_256, 'bob-secret', salt, 4096) }],
    }, true);
    if (r.results[0]?.errorCode !== 0) throw new Error(`AlterUserScramCredentials: ${r.results[0]?.errorMessage}`);
  } finally {
    conn.destroy();
  }
});
t.teardown(() => running?.close());

/** The routes the running port serves, from its registry, with sample parameters filled in. */
function registeredRoutes(): { method: string; pattern: string; path: string }[] {
  const server = (running.broker as unknown as { http: HttpServer }).http;
  return server.routeList().map((r) => ({
    ...r,
    path: r.pattern
      .split('/')
      .map((s) => (s === ':name' ? 'secret-b' : s === ':partition' ? '0' : s === ':id' ? (r.pattern.startsWith('/api/cluster') ? '1' : 'admins-group') : s.startsWith('*') ? 'x' : s))
      .join('/'),
  }));
}

t.test('every route of the registry has a written rule (new routes are not left to the default)', async (t) => {
  const routes = registeredRoutes();
  t.ok(routes.length >= 20, `${routes.length} routes registered`);
  t.same(routes.filter((r) => !routeRule(r.method as never, r.pattern).explicit).map((r) => `${r.method} ${r.pattern}`), []);
});

t.test('no credentials, a wrong password or an unknown user: 401 with a Basic challenge on every route', async (t) => {
  for (const r of registeredRoutes()) {
    for (const [what, auth] of [
      ['none', undefined],
      ['wrong password', basic('alice', 'nope')],
      ['wrong SCRAM password', basic('bob', 'nope')],
      ['unknown user', basic('mallory', 'x')],
      ['not Basic', 'Bearer abc'],
    ] as const) {
      const res = await get(r.path, auth, r.method === 'GET' ? {} : { method: r.method, headers: { 'content-type': 'application/json' }, body: '{}' });
      t.equal(res.status, 401, `${r.method} ${r.path} with ${what}`);
      t.equal(res.challenge, 'Basic realm="samsa", charset="UTF-8"');
      t.notMatch(res.body, /secret-b|open-to-alice|value-/, 'no data in the answer');
    }
  }
  // A path no route has is refused the same way (no probing for routes).
  t.equal((await get('/no/such/route')).status, 401);
});

t.test('a user with no ACLs: 403 on data routes, no topic or group names in lists', async (t) => {
  for (const path of [
    '/topics/secret-b',
    '/topics/secret-b/partitions/0',
    '/api/console/topics/secret-b',
    '/api/console/topics/secret-b/partitions/0/records',
    '/groups/admins-group',
    '/api/console/groups/admins-group',
    '/cluster',
    '/security',
    '/api/console/acls',
    '/api/console/quotas',
    '/metrics',
    '/api/faults',
    '/api/cluster/nodes',
  ]) {
    for (const who of [ALICE, BOB]) {
      const res = await get(path, who);
      t.equal(res.status, 403, `GET ${path}`);
      t.notMatch(res.body, /value-/);
    }
  }
  const denied = await get('/api/console/topics/secret-b/partitions/0/records', ALICE);
  t.same(JSON.parse(denied.body), { error: 'User:alice is not authorized to READ TOPIC secret-b' });
  t.equal((await post('/api/console/topics/secret-b/records', ALICE, { value: 'x' })).status, 403, 'produce');
  t.equal((await post('/api/console/topics/secret-b/configs', ALICE, { set: { 'retention.ms': '1000' } })).status, 403, 'alter configs');
  t.equal((await post('/api/faults', ALICE, { api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER' })).status, 403, 'add a fault');

  // Authenticated (bob through SCRAM), but lists show nothing it may not describe.
  for (const who of [ALICE, BOB]) {
    const topics = await get('/api/console/topics', who);
    t.equal(topics.status, 200);
    t.same(JSON.parse(topics.body).map((x: { name: string }) => x.name), []);
    const page = await get('/', who);
    t.equal(page.status, 200);
    t.notMatch(page.body, /secret-b|open-to-alice/, 'the topics page names no topic');
    const groups = await get('/api/console/groups', who);
    t.equal(groups.status, 200);
    t.notMatch(groups.body, /admins-group/);
    t.notMatch((await get('/groups', who)).body, /admins-group/);
  }
});

t.test('admin (a super user) sees everything', async (t) => {
  const topics = JSON.parse((await get('/api/console/topics', ADMIN)).body).map((x: { name: string }) => x.name);
  t.ok(topics.includes('secret-b') && topics.includes('open-to-alice'), 'both topics listed');
  const records = await get('/api/console/topics/secret-b/partitions/0/records?offset=0', ADMIN);
  t.equal(records.status, 200);
  t.match(records.body, /value-not-for-alice/);
  t.match((await get('/groups', ADMIN)).body, /admins-group/);
  t.equal((await get('/metrics', ADMIN)).status, 200);
  t.equal((await get('/api/faults', ADMIN)).status, 200);
  t.equal((await get('/cluster', ADMIN)).status, 200);
});

t.test('READ granted with CreateAcls: that topic readable, no other; produce still needs WRITE; /api/faults needs ALTER', async (t) => {
  const kadmin = client('admin', 'admin-secret').admin();
  await kadmin.connect();
  t.teardown(() => kadmin.disconnect());
  const acl = (resourceType: number, resourceName: string, operation: number) => ({
    resourceType,
    resourceName,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  });
  await kadmin.createAcls({ acl: [acl(AclResourceTypes.TOPIC, 'open-to-alice', AclOperationTypes.READ)] });

  const records = await get('/api/console/topics/open-to-alice/partitions/0/records?offset=0', ALICE);
  t.equal(records.status, 200);
  t.match(records.body, /value-for-alice/);
  t.notMatch(records.body, /value-not-for-alice/);
  t.equal((await get('/topics/open-to-alice/partitions/0', ALICE)).status, 200, 'the message browser');
  const topicPage = await get('/topics/open-to-alice', ALICE);
  t.equal(topicPage.status, 200, 'the topic page, without DESCRIBE_CONFIGS');
  t.match(topicPage.body, /value-for-alice/);
  t.match(topicPage.body, /id="configs">TOPIC_AUTHORIZATION_FAILED</, "its configs refused (DescribeConfigs' error)");
  t.equal((await get('/api/console/topics/secret-b/partitions/0/records', ALICE)).status, 403, 'the other topic');
  t.same(JSON.parse((await get('/api/console/topics', ALICE)).body).map((x: { name: string }) => x.name), ['open-to-alice']);
  const page = (await get('/', ALICE)).body;
  t.match(page, /open-to-alice/);
  t.notMatch(page, /secret-b/);
  t.equal((await post('/api/console/topics/open-to-alice/records', ALICE, { value: 'from alice' })).status, 403, 'produce without WRITE');
  t.same(JSON.parse((await get('/api/console/topics', BOB)).body), [], 'bob was not granted anything');

  t.equal((await get('/api/faults', ALICE)).status, 403);
  await kadmin.createAcls({ acl: [acl(AclResourceTypes.CLUSTER, 'kafka-cluster', AclOperationTypes.ALTER)] });
  t.equal((await get('/api/faults', ALICE)).status, 200, 'ALTER on the cluster');

  await kadmin.createAcls({ acl: [acl(AclResourceTypes.TOPIC, 'open-to-alice', AclOperationTypes.WRITE)] });
  const produced = await post('/api/console/topics/open-to-alice/records', ALICE, { value: 'from alice' });
  t.equal(produced.status, 200, `produce with WRITE: ${produced.body}`);
});

t.test('neither SASL nor an authorizer: the port stays open', async (t) => {
  const plain = await startBroker({ memory: true, port: 0, httpPort: 0, topics: [{ name: 'dev', partitions: 1, records: [{ value: 'dev-value' }] }] });
  t.teardown(() => plain.close());
  const r = await fetch(`http://127.0.0.1:${plain.httpPort}/api/console/topics/dev/partitions/0/records?offset=0`);
  t.equal(r.status, 200);
  t.match(await r.text(), /dev-value/);
  t.equal((await fetch(`http://127.0.0.1:${plain.httpPort}/api/faults`)).status, 200);
});

t.test('an authorizer without SASL: requests act as User:ANONYMOUS', async (t) => {
  const anon = await startBroker({
    memory: true,
    port: 0,
    httpPort: 0,
    config: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' },
    topics: [{ name: 'dev', partitions: 1, records: [{ value: 'dev-value' }] }],
  });
  t.teardown(() => anon.close());
  const r = await fetch(`http://127.0.0.1:${anon.httpPort}/api/console/topics/dev/partitions/0/records`);
  t.equal(r.status, 403);
  t.same(await r.json(), { error: 'User:ANONYMOUS is not authorized to READ TOPIC dev' });
  t.equal((await fetch(`http://127.0.0.1:${anon.httpPort}/api/faults`)).status, 403);
  t.same(await (await fetch(`http://127.0.0.1:${anon.httpPort}/api/console/topics`)).json(), []);
});

t.test('samsa.http.host binds the port to loopback while the Kafka listener takes every address', async (t) => {
  const local = await startBroker({ memory: true, host: '0.0.0.0', port: 0, httpPort: 0, config: { 'samsa.http.host': '127.0.0.1' } });
  t.teardown(() => local.close());
  t.equal(local.broker.httpHost, '127.0.0.1');
  t.equal((await fetch(`http://127.0.0.1:${local.httpPort}/api/console/topics`)).status, 200);
  const outside = Object.values(os.networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;
  if (outside === undefined) return t.pass('no non-loopback address on this machine to try');
  // The Kafka port answers there; the HTTP port does not.
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(local.port, outside, () => (s.destroy(), resolve()));
    s.once('error', reject);
  });
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(local.httpPort!, outside, () => (s.destroy(), resolve('connected')));
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  t.equal(refused, 'ECONNREFUSED', `HTTP on ${outside}`);
});

t.test("a cluster's remote answers (made as the inter-broker principal) are cut to what the HTTP user may describe", async (t) => {
  const allow = (resourceType: number, resourceName: string): StandardAcl => ({
    resourceType, resourceName, patternType: PatternType.LITERAL, principal: 'User:alice', host: '*', operation: AclOperation.DESCRIBE, permissionType: AclPermissionType.ALLOW,
  });
  const authorizer = new StandardAuthorizer([allow(AclResourceType.GROUP, 'alice-group'), allow(AclResourceType.TRANSACTIONAL_ID, 'alice-txn'), allow(AclResourceType.TOPIC, 'alice-topic')], {
    superUsers: new Set(['User:admin']),
    allowEveryoneIfNoAclFound: false,
  });
  // What another broker answers the inter-broker principal: everything.
  const answers: Record<number, unknown> = {
    16: { errorCode: 0, groups: [{ groupId: 'admins-group' }, { groupId: 'alice-group' }] },
    66: { errorCode: 0, transactionStates: [{ transactionalId: 'admin-txn' }, { transactionalId: 'alice-txn' }] },
    9: { groups: [{ groupId: 'alice-group', topics: [{ name: 'secret-topic' }, { name: 'alice-topic' }] }] },
    3: { topics: [{ name: 'untouched' }] },
  };
  const remote = remoteAsRequester(async (_id, apiKey) => answers[apiKey], () => authorizer);
  const as = (name: string, apiKey: number) => runAs({ principal: { principalType: 'User', name }, host: '127.0.0.1' }, () => remote(2, apiKey, 0, {})) as Promise<any>;
  t.same((await as('alice', 16)).groups, [{ groupId: 'alice-group' }]);
  t.same((await as('alice', 66)).transactionStates, [{ transactionalId: 'alice-txn' }]);
  t.same((await as('alice', 9)).groups[0].topics, [{ name: 'alice-topic' }]);
  t.same(await as('alice', 3), answers[3], 'other APIs pass (their routes are authorized before)');
  t.same(await as('admin', 16), answers[16], 'a super user sees all');
  t.same(await as('bob', 16), { errorCode: 0, groups: [] });
  t.same(await remote(2, 16, 0, {}), answers[16], 'outside an HTTP request: unchanged');
});
