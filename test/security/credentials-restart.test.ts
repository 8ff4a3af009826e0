// SCRAM credentials and delegation tokens live in the metadata log: after a restart of a broker
// with a data dir, a SCRAM user and a token created before still authenticate (kafkajs for the
// user, a raw tokenauth=true exchange for the token).
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { AlterUserScramCredentialsRequest } from '../../src/protocol/generated/alter-user-scram-credentials-request.js';
import { AlterUserScramCredentialsResponse } from '../../src/protocol/generated/alter-user-scram-credentials-response.js';
import { CreateDelegationTokenRequest } from '../../src/protocol/generated/create-delegation-token-request.js';
import { CreateDelegationTokenResponse } from '../../src/protocol/generated/create-delegation-token-response.js';
import { ScramClient } from '../../src/security/scram/scram-client.js';
import { saltedPassword, SCRAM_SHA_512 } from '../../src/security/scram/scram-formatter.js';
import { tempDir } from '../helpers/tmp.js';
import { WireConnection } from '../helpers/wire.js';
import { call, saslConnect } from './sasl-wire.js';

const dir = tempDir(t, 'samsa-cred-restart-');
const start = () =>
  startBroker({
    dataDir: dir,
    config: { 'sasl.enabled.mechanisms': 'SCRAM-SHA-512', 'delegation.token.secret.key': 'restart-secret' },
    listeners: [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost' },
      { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' },
    ],
  });
const portOf = (b: RunningBroker, name: string) => b.broker.advertisedEndpoints.find((e) => e.name === name)!.port;

t.test('credentials and tokens survive a restart', async (t) => {
  let b = await start();
  const c = await WireConnection.connect('127.0.0.1', portOf(b, 'PLAINTEXT'));
  const salt = Buffer.from('dana-salt');
  const r = await call(c, 51, 0, AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse, {
    deletions: [],
    upsertions: [{ name: 'dana', mechanism: 2, iterations: 4096, salt, saltedPassword: saltedPassword(SCRAM_SHA_512, 'dana-secret', salt, 4096) }],
  }, true);
  c.destroy();
  t.equal(r.results[0]?.errorCode, 0);
  const dana = await saslConnect(portOf(b, 'SASL_PLAINTEXT'), 'SCRAM-SHA-512', new ScramClient(SCRAM_SHA_512, 'dana', 'dana-secret'));
  const token = await call(dana.conn, 38, 3, CreateDelegationTokenRequest, CreateDelegationTokenResponse, { ownerPrincipalType: null, ownerPrincipalName: null, renewers: [], maxLifetimeMs: -1 }, true);
  dana.conn.destroy();
  t.equal(token.errorCode, 0);
  await b.close();

  b = await start();
  t.teardown(() => b.close());
  const kafka = new Kafka({ brokers: [`localhost:${portOf(b, 'SASL_PLAINTEXT')}`], logLevel: logLevel.NOTHING, sasl: { mechanism: 'scram-sha-512', username: 'dana', password: 'dana-secret' }, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.ok(Array.isArray(await admin.listTopics()), 'kafkajs authenticates as dana after the restart');
  await admin.disconnect();
  const viaToken = await saslConnect(portOf(b, 'SASL_PLAINTEXT'), 'SCRAM-SHA-512', new ScramClient(SCRAM_SHA_512, token.tokenId, token.hmac.toString('base64'), true));
  t.teardown(() => viaToken.conn.destroy());
  t.equal(viaToken.last.errorCode, 0, 'the token still authenticates after the restart');
});
