// Apache Kafka 4.4.0's tools authenticating with OAUTHBEARER against samsa: the Java client's
// unsecured login (OAuthBearerLoginModule with unsecuredLoginStringClaim_sub) creates and lists
// topics; a token without the listener's required scope is refused with Kafka's JSON error.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(300_000);
const MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required';
const dir = tempDir(t, 'samsa-oauth-java-');
let running: RunningBroker;
let port = 0;

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: {
      'sasl.enabled.mechanisms': 'OAUTHBEARER',
      'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': `${MODULE} unsecuredValidatorRequiredScope="kafka";`,
    },
    listeners: [{ name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' }],
  });
  port = running.broker.advertisedEndpoints[0]!.port;
});
t.teardown(() => running?.close());

function props(name: string, options: string): string {
  const file = path.join(dir, `${name}.properties`);
  fs.writeFileSync(file, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\nsasl.jaas.config=${MODULE} ${options};\n`);
  return file;
}
const topics = (config: string, ...args: string[]) => kafkaToolIO('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', `localhost:${port}`, '--command-config', config, ...args]);

t.test('the Java client unsecured login authenticates; a token without the required scope is refused', async (t) => {
  const alice = props('alice', 'unsecuredLoginStringClaim_sub="alice" unsecuredLoginStringClaim_scope="kafka"');
  const created = await topics(alice, '--create', '--topic', 'oauth-java', '--partitions', '1');
  t.equal(created.out.trim(), 'Created topic oauth-java.', 'kafka-topics --create over OAUTHBEARER', { err: created.err.slice(-1500) });
  const listed = await topics(alice, '--list');
  t.match(listed.out, /oauth-java/);
  const noScope = await topics(props('noscope', 'unsecuredLoginStringClaim_sub="bob"'), '--list');
  t.not(noScope.code, 0, 'kafka-topics fails');
  t.match(noScope.out + noScope.err, /SaslAuthenticationException: \{"status":"insufficient_scope", "scope":"\[kafka\]"\}/);
});
