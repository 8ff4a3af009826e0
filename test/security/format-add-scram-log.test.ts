// `format --add-scram` credentials reach the metadata log, as Kafka's controller appends its
// BootstrapMetadata to an empty log: three combined nodes formatted with the credentials and a
// broker-only node formatted without them. The broker-only node knows the users only if the active
// controller wrote them to the log (its own bootstrap checkpoint has none): Kafka's DumpLogSegments
// finds the UserScramCredentialRecords in that node's log segment, and kafkajs authenticates with
// SCRAM-SHA-256 there and at a combined node that is not the active controller.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { Node } from '../../src/node/node.js';
import { runFormatCommand } from '../../src/node/format-command.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(300_000);
const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => resolve(s)); })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function waitFor<T>(what: string, fn: () => Promise<T | null> | T | null, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

t.test('the active controller appends the --add-scram credentials to the metadata log', async (t) => {
  const base = tempDir(t, 'samsa-add-scram-log-');
  const ports = await freePorts(12);
  const [client, internal, controller] = [(i: number) => ports[i], (i: number) => ports[4 + i], (i: number) => ports[8 + i]];
  const voters = [0, 1, 2].map((i) => `${i + 1}@127.0.0.1:${controller(i)}`).join(',');
  const props = [0, 1, 2, 3].map((i) => ({
    'process.roles': i < 3 ? 'broker,controller' : 'broker',
    'node.id': String(i + 1),
    'controller.quorum.voters': voters,
    listeners: `CLIENT://127.0.0.1:${client(i)},INTERNAL://127.0.0.1:${internal(i)}` + (i < 3 ? `,CONTROLLER://127.0.0.1:${controller(i)}` : ''),
    'advertised.listeners': `CLIENT://localhost:${client(i)},INTERNAL://localhost:${internal(i)}`,
    'listener.security.protocol.map': 'CLIENT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'controller.listener.names': 'CONTROLLER',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
    'log.dirs': path.join(base, `node-${i + 1}`),
  }));
  for (const [i, p] of props.entries()) {
    const file = path.join(base, `node-${i + 1}.properties`);
    fs.writeFileSync(file, Object.entries(p).map(([k, v]) => `${k}=${v}\n`).join(''));
    const scram = i < 3 ? ['-S', 'SCRAM-SHA-256=[name=alice,password=alice-secret]', '-S', 'SCRAM-SHA-512=[name=bob,password=bob-secret]'] : [];
    let err = '';
    const code = await runFormatCommand(['-t', CLUSTER_ID, '-c', file, ...scram], { write: () => {} }, { write: (s: string) => (err += s) });
    t.equal(code, 0, `node ${i + 1} formatted${i < 3 ? ' with --add-scram' : ' without credentials'}`, { err });
  }
  const nodes = props.map((p) => new Node({ properties: p }));
  t.teardown(async () => {
    for (const n of nodes) await n.close().catch(() => {});
  });
  await Promise.all(nodes.map((n) => n.start()));

  const leaderId = await waitFor('a quorum leader', () => {
    const s = nodes[0].raftStatus();
    return s && s.leaderId > 0 ? s.leaderId : null;
  });
  const followerBroker = [1, 2, 3].find((id) => id !== leaderId)!;

  // The broker-only node's own log segment holds the credentials, replicated from the controller.
  const segment = path.join(base, 'node-4', '__cluster_metadata-0', '00000000000000000000.log');
  const dumped = await waitFor('the credentials in node 4\'s metadata log', async () => {
    if (!fs.existsSync(segment)) return null;
    const r = await kafkaToolIO('org.apache.kafka.tools.DumpLogSegments', ['--cluster-metadata-decoder', '--print-data-log', '--files', segment]);
    return /"name":"bob"/.test(r.out) ? r.out : null;
  });
  t.match(dumped, /USER_SCRAM_CREDENTIAL_RECORD.*"name":"alice","mechanism":1/, 'DumpLogSegments: alice\'s SCRAM-SHA-256 credential in the broker-only node\'s log');
  t.match(dumped, /USER_SCRAM_CREDENTIAL_RECORD.*"name":"bob","mechanism":2/, 'and bob\'s SCRAM-SHA-512 one');
  t.match(dumped, /FEATURE_LEVEL_RECORD.*"name":"metadata.version"/, 'with the feature levels of the bootstrap checkpoint');
  t.notOk(fs.readdirSync(path.dirname(segment)).some((f) => f.endsWith('.checkpoint') && !f.startsWith('00000000000000000000-')), 'no snapshot other than the bootstrap one: the records came through the log');

  for (const [id, username, password, mechanism] of [[4, 'alice', 'alice-secret', 'scram-sha-256'], [4, 'bob', 'bob-secret', 'scram-sha-512'], [followerBroker, 'alice', 'alice-secret', 'scram-sha-256']] as const) {
    const kafka = new Kafka({ clientId: 'add-scram-log', brokers: [`localhost:${client(id - 1)}`], sasl: { mechanism, username, password }, logLevel: logLevel.NOTHING, connectionTimeout: 10_000, retry: { retries: 2 } });
    const admin = kafka.admin();
    const cluster = await waitFor(`${username} authenticated at node ${id}`, () => admin.connect().then(() => admin.describeCluster(), () => null));
    await admin.disconnect();
    t.ok(cluster.brokers.length >= 3, `node ${id}${id === 4 ? ' (broker only, formatted without credentials)' : ' (not the active controller)'}: ${username} authenticates with ${mechanism.toUpperCase()}`);
    const wrong = await new Kafka({ clientId: 'add-scram-log', brokers: [`localhost:${client(id - 1)}`], sasl: { mechanism, username, password: 'wrong' }, logLevel: logLevel.NOTHING, connectionTimeout: 10_000, retry: { retries: 0 } }).admin().connect().then(() => 'connected', (e: Error) => e.message);
    t.match(wrong, /authentication failed|Authentication failed/i, `node ${id}: ${username} with a wrong password is refused`);
  }
});
