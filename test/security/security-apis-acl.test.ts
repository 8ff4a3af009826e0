// The SCRAM and delegation token APIs under the StandardAuthorizer, as Kafka's KafkaApis checks
// them: DescribeUserScramCredentials needs DESCRIBE on the cluster and AlterUserScramCredentials
// ALTER (CLUSTER_AUTHORIZATION_FAILED otherwise); a token for another owner needs CREATE_TOKENS on
// that user (DELEGATION_TOKEN_AUTHORIZATION_FAILED); DescribeDelegationToken lists a token to its
// owner and renewers and to super users, not to others.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { AlterUserScramCredentialsRequest } from '../../src/protocol/generated/alter-user-scram-credentials-request.js';
import { AlterUserScramCredentialsResponse } from '../../src/protocol/generated/alter-user-scram-credentials-response.js';
import { CreateDelegationTokenRequest } from '../../src/protocol/generated/create-delegation-token-request.js';
import { CreateDelegationTokenResponse } from '../../src/protocol/generated/create-delegation-token-response.js';
import { DescribeDelegationTokenRequest } from '../../src/protocol/generated/describe-delegation-token-request.js';
import { DescribeDelegationTokenResponse } from '../../src/protocol/generated/describe-delegation-token-response.js';
import { DescribeUserScramCredentialsRequest } from '../../src/protocol/generated/describe-user-scram-credentials-request.js';
import { DescribeUserScramCredentialsResponse } from '../../src/protocol/generated/describe-user-scram-credentials-response.js';
import { saltedPassword, SCRAM_SHA_256 } from '../../src/security/scram/scram-formatter.js';
import type { WireConnection } from '../helpers/wire.js';
import { call, saslConnect } from './sasl-wire.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_alice="alice-secret" user_bob="bob-secret";';
let running: RunningBroker;
let port = 0;
const conns: WireConnection[] = [];

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
      'delegation.token.secret.key': 'acl-secret',
    },
    listeners: [{ name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' }],
  });
  port = running.broker.advertisedEndpoints[0]!.port;
});
t.teardown(() => {
  conns.forEach((c) => c.destroy());
  return running?.close();
});

async function as(user: string) {
  const o = await saslConnect(port, 'PLAIN', { initial: () => Buffer.from(`\u0000${user}\u0000${user}-secret`), evaluate: () => null });
  conns.push(o.conn);
  return o.conn;
}
const salt = Buffer.from('s');
const alterBody = { deletions: [], upsertions: [{ name: 'carol', mechanism: 1, iterations: 4096, salt, saltedPassword: saltedPassword(SCRAM_SHA_256, 'x', salt, 4096) }] };
const alter = (c: WireConnection) => call(c, 51, 0, AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse, alterBody, true);
const describeScram = (c: WireConnection) => call(c, 50, 0, DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse, { users: null }, true);
const create = (c: WireConnection, owner: string | null = null) =>
  call(c, 38, 3, CreateDelegationTokenRequest, CreateDelegationTokenResponse, { ownerPrincipalType: owner ? 'User' : null, ownerPrincipalName: owner, renewers: [], maxLifetimeMs: -1 }, true);
const describeTokens = (c: WireConnection) => call(c, 41, 3, DescribeDelegationTokenRequest, DescribeDelegationTokenResponse, { owners: null }, true);

t.test('SCRAM credential APIs need the cluster permissions', async (t) => {
  const alice = await as('alice');
  const a = await alter(alice);
  t.same(a.results.map((r) => [r.user, r.errorCode]), [['carol', 31]], 'CLUSTER_AUTHORIZATION_FAILED');
  t.equal((await describeScram(alice)).errorCode, 31);
  const admin = await as('admin');
  t.same((await alter(admin)).results.map((r) => [r.user, r.errorCode]), [['carol', 0]], 'a super user may');
  const d = await describeScram(admin);
  t.equal(d.errorCode, 0);
  t.same(d.results.map((r) => r.user), ['carol']);
});

t.test('delegation tokens: another owner needs CREATE_TOKENS; describe shows owners and super users', async (t) => {
  const alice = await as('alice');
  t.equal((await create(alice, 'bob')).errorCode, 65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED');
  const own = await create(alice);
  t.equal(own.errorCode, 0);
  t.same((await describeTokens(alice)).tokens.map((x) => x.tokenId), [own.tokenId], 'the owner sees it');
  t.same((await describeTokens(await as('bob'))).tokens, [], 'another user does not');
  t.same((await describeTokens(await as('admin'))).tokens.map((x) => x.tokenId), [own.tokenId], 'a super user does');
  t.equal((await create(await as('admin'), 'bob')).errorCode, 0, 'a super user may create one for bob');
});
