// Apache Kafka 4.4.0's tools with SCRAM and delegation tokens against samsa: kafka-configs creates
// SCRAM-SHA-256/512 credentials (--add-config 'SCRAM-SHA-256=[iterations=8192,password=..]') and
// deletes one, kafka-topics authenticates with them (a wrong password refused with Kafka's
// message), kafka-delegation-tokens --create/--describe/--renew/--expire over SCRAM, and a client
// authenticating with the token (ScramLoginModule tokenauth=true), refused once it is expired.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(300_000);
const SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule required';
const dir = tempDir(t, 'samsa-scram-java-');
let running: RunningBroker;
const ports: Record<string, number> = {};

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: { 'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512', 'delegation.token.secret.key': 'java-tools-secret' },
    listeners: [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost' },
      { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' },
    ],
  });
  for (const e of running.broker.advertisedEndpoints) ports[e.name] = e.port;
});
t.teardown(() => running?.close());

function scramProps(name: string, mechanism: string, user: string, password: string, tokenAuth = false): string {
  const file = path.join(dir, `${name}.properties`);
  const jaas = `${SCRAM} username="${user}" password="${password}"${tokenAuth ? ' tokenauth="true"' : ''};`;
  fs.writeFileSync(file, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=${mechanism}\nsasl.jaas.config=${jaas}\n`);
  return file;
}
const bootstrap = (listener: string) => ['--bootstrap-server', `localhost:${ports[listener]}`];
const topics = (props: string) => kafkaToolIO('org.apache.kafka.tools.TopicCommand', [...bootstrap('SASL_PLAINTEXT'), '--command-config', props, '--list']);
const GENERIC = (m: string) => new RegExp(`SaslAuthenticationException: Authentication failed during authentication due to invalid credentials with SASL mechanism ${m}`);

const configs = (...args: string[]) => kafkaToolIO('org.apache.kafka.tools.ConfigCommand', [...bootstrap('PLAINTEXT'), '--alter', ...args, '--entity-type', 'users', '--entity-name', 'alice']);

t.test('kafka-configs creates SCRAM credentials; kafka-topics authenticates with them', async (t) => {
  // Kafka 4.4's controller keys a request's alterations by user name, so both mechanisms at once are refused (ScramControlManager.alterCredentials).
  const both = await configs('--add-config', 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-512]');
  t.match(both.out + both.err, /DuplicateResourceException: A user credential cannot be altered twice in the same request/);
  for (const config of ['SCRAM-SHA-256=[iterations=8192,password=alice-secret]', 'SCRAM-SHA-512=[password=alice-512]']) {
    const add = await configs('--add-config', config);
    t.equal(add.code, 0, 'kafka-configs exits 0', { err: add.err.slice(-1500) });
    t.match(add.out, /Completed updating config for user alice\./);
  }
  const cred = running.broker.image.scram;
  t.equal(cred.get(1, 'alice')?.iterations, 8192);
  t.equal(cred.get(2, 'alice')?.iterations, 4096, 'SCRAM-SHA-512 at the default 4096 iterations');

  const ok256 = await topics(scramProps('alice-256', 'SCRAM-SHA-256', 'alice', 'alice-secret'));
  t.equal(ok256.code, 0, 'kafka-topics over SCRAM-SHA-256', { err: ok256.err.slice(-1500) });
  const ok512 = await topics(scramProps('alice-512', 'SCRAM-SHA-512', 'alice', 'alice-512'));
  t.equal(ok512.code, 0, 'kafka-topics over SCRAM-SHA-512', { err: ok512.err.slice(-1500) });
  const wrong = await topics(scramProps('alice-wrong', 'SCRAM-SHA-256', 'alice', 'wrong'));
  t.not(wrong.code, 0);
  t.match(wrong.out + wrong.err, GENERIC('SCRAM-SHA-256'));

  const del = await configs('--delete-config', 'SCRAM-SHA-512');
  t.equal(del.code, 0, 'kafka-configs --delete-config exits 0', { err: del.err.slice(-1500) });
  t.equal(running.broker.image.scram.get(2, 'alice'), undefined);
  const gone = await topics(path.join(dir, 'alice-512.properties'));
  t.not(gone.code, 0);
  t.match(gone.out + gone.err, GENERIC('SCRAM-SHA-512'));
});

t.test('kafka-delegation-tokens over SCRAM; a client authenticates with the token', async (t) => {
  const alice = path.join(dir, 'alice-256.properties');
  const tool = (...args: string[]) => kafkaToolIO('org.apache.kafka.tools.DelegationTokenCommand', [...bootstrap('SASL_PLAINTEXT'), '--command-config', alice, ...args]);
  const created = await tool('--create', '--max-life-time-period', '-1', '--renewer-principal', 'User:bob');
  t.equal(created.code, 0, 'kafka-delegation-tokens --create exits 0', { err: created.err.slice(-1500) });
  const id = /Created delegation token with tokenId : (\S+)/.exec(created.out)?.[1];
  t.ok(id, 'a token id is printed');
  const row = created.out.split('\n').find((l) => id !== undefined && l.startsWith(id));
  const hmac = row?.trim().split(/\s+/)[1];
  t.ok(hmac, 'its HMAC is printed');
  t.match(row ?? '', /User:alice\s+\[User:bob\]/, 'owner and renewers');

  // Without --owner-principal the tool sends an empty owner list, which Kafka 4.4 answers with no tokens.
  const none = await tool('--describe');
  t.match(none.out, /Total number of tokens : 0/);
  const described = await tool('--describe', '--owner-principal', 'User:alice');
  t.equal(described.code, 0, { err: described.err.slice(-1500) });
  t.match(described.out, /Total number of tokens : 1/);
  t.match(described.out, new RegExp(`${id}\\s+${hmac!.replace(/[+/]/g, '\\$&')}\\s+User:alice`), '--describe lists it');

  const renewed = await tool('--renew', '--hmac', hmac!, '--renew-time-period', '-1');
  t.equal(renewed.code, 0, { err: renewed.err.slice(-1500) });
  t.match(renewed.out, /Completed renew operation\. New expiry date : /);

  const viaToken = await topics(scramProps('token', 'SCRAM-SHA-256', id!, hmac!, true));
  t.equal(viaToken.code, 0, 'kafka-topics authenticated with the token', { err: viaToken.err.slice(-1500) });

  const expired = await tool('--expire', '--hmac', hmac!, '--expiry-time-period', '-1');
  t.equal(expired.code, 0, { err: expired.err.slice(-1500) });
  t.match(expired.out, /Completed expire operation\. New expiry date : /);
  const refused = await topics(path.join(dir, 'token.properties'));
  t.not(refused.code, 0, 'the expired token no longer authenticates');
  t.match(refused.out + refused.err, GENERIC('SCRAM-SHA-256'));
});
