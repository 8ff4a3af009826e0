// Kafka 4.4.0's kafka-configs (ConfigCommand) on client quotas against samsa: --alter --add-config /
// --delete-config for clients, default users and IPs, --describe, and Kafka's refusals (fractional
// LONG, unknown key). Needs java and the jars of compat/kafka/broker.sh install.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';

const LIBS = path.join(REPO_ROOT, 'compat/kafka/.work/libs');
t.setTimeout(300_000);

function installJars(): string | null {
  if (spawnSync('java', ['-version']).status !== 0) return 'java is not installed (apt-get install default-jdk-headless)';
  if (existsSync(path.join(LIBS, '.complete'))) return null;
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'install'], { stdio: 'inherit', timeout: 240_000 });
  return r.status === 0 ? null : 'compat/kafka/broker.sh install failed (needs maven and Maven Central)';
}

function configCommand(bootstrap: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const jvm = ['-Xms64m', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const proc = spawn('java', [...jvm, '-cp', `${LIBS}/*`, 'org.apache.kafka.tools.ConfigCommand', '--bootstrap-server', bootstrap, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

t.test('kafka-configs sets, describes and deletes client quotas', async (t) => {
  const missing = installJars();
  if (missing) return t.fail(missing);
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const run = (...args: string[]) => configCommand(`127.0.0.1:${b.port}`, args);
  const clientX = ['--entity-type', 'clients', '--entity-name', 'X'];

  let r = await run(...clientX, '--alter', '--add-config', 'producer_byte_rate=1048576');
  t.equal(r.code, 0, r.out);
  t.match(r.out, 'Completed updating config for client X.');
  r = await run(...clientX, '--describe');
  t.match(r.out, "Quota configs for client-id 'X' are producer_byte_rate=1048576.0");

  r = await run('--entity-type', 'users', '--entity-default', '--alter', '--add-config', 'consumer_byte_rate=2048,request_percentage=50.5');
  t.match(r.out, 'Completed updating default config for users in the cluster.');
  r = await run('--entity-type', 'users', '--describe');
  t.match(r.out, /Quota configs for the default user-principal are (consumer_byte_rate=2048.0, request_percentage=50.5|request_percentage=50.5, consumer_byte_rate=2048.0)/);

  r = await run('--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--entity-name', 'X', '--alter', '--add-config', 'producer_byte_rate=4096');
  t.equal(r.code, 0, r.out);
  r = await run('--entity-type', 'users', '--entity-name', 'alice', '--entity-type', 'clients', '--describe');
  t.match(r.out, "Quota configs for user-principal 'alice', client-id 'X' are producer_byte_rate=4096.0");

  r = await run(...clientX, '--alter', '--add-config', 'producer_byte_rate=1.5');
  t.not(r.code, 0);
  t.match(r.out, 'InvalidRequestException: producer_byte_rate cannot be a fractional value.');

  r = await run('--entity-type', 'ips', '--entity-name', '1.2.3.4', '--alter', '--add-config', 'connection_creation_rate=10');
  t.match(r.out, 'Completed updating config for ip 1.2.3.4.');
  r = await run('--entity-type', 'ips', '--describe');
  t.match(r.out, "Quota configs for ip '1.2.3.4' are connection_creation_rate=10.0");

  r = await run(...clientX, '--alter', '--delete-config', 'producer_byte_rate');
  t.match(r.out, 'Completed updating config for client X.');
  r = await run('--entity-type', 'clients', '--entity-name', 'X', '--describe');
  t.notMatch(r.out, 'producer_byte_rate');
});
