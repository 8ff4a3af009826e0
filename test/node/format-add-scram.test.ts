// `samsa format --add-scram` against Kafka 4.4.0's `kafka-storage format --add-scram`: the same
// bootstrap line (salts given, so every byte is fixed) and a checkpoint DumpLogSegments prints alike,
// UserScramCredentialRecords after the feature levels in one batch; refusals with Kafka's messages;
// and a node started on the formatted dir knows the user at once: kafkajs and Kafka's kafka-topics
// authenticate with SCRAM-SHA-256 (a wrong password refused), before and after a restart.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { Node } from '../../src/node/node.js';
import { runFormatCommand } from '../../src/node/format-command.js';
import { parseScramArgument, ScramArgumentError } from '../../src/security/scram/scram-parser.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(300_000);
const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const STORAGE_TOOL = 'kafka.tools.StorageTool';
const SALT = 'MWx2NHBkbnc0ZndxN25vdGN4bTB5eTFrN3E=';

function writeProps(file: string, props: Record<string, string>): string {
  fs.writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}\n`).join(''));
  return file;
}

const staticNode = (dir: string, port = 9092, controller = 19092) => ({
  'process.roles': 'broker,controller',
  'node.id': '1',
  'controller.quorum.voters': `1@127.0.0.1:${controller}`,
  listeners: `SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
  'advertised.listeners': `SASL_PLAINTEXT://localhost:${port}`,
  'listener.security.protocol.map': 'SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
  'inter.broker.listener.name': 'SASL_PLAINTEXT',
  'controller.listener.names': 'CONTROLLER',
  'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
  'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-256',
  'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin-secret";',
  'log.dirs': dir,
  'offsets.topic.replication.factor': '1',
});

async function samsaFormat(args: string[]) {
  let out = '';
  let err = '';
  const code = await runFormatCommand(args, { write: (s: string) => (out += s) }, { write: (s: string) => (err += s) });
  return { code, out, err };
}

t.test('the same bootstrap line and checkpoint as kafka-storage format --add-scram', async (t) => {
  const base = tempDir(t, 'samsa-add-scram-');
  const [mine, theirs] = [path.join(base, 'samsa'), path.join(base, 'kafka')];
  const scram = [
    '-S', `SCRAM-SHA-256=[name=admin,password=admin-secret,salt="${SALT}"]`,
    '--add-scram', `SCRAM-SHA-512=[name=alice,iterations=8192,salt=${SALT},password="alice secret"]`,
    '--add-scram', `SCRAM-SHA-256=[name=bob,salt=${SALT},saltedpassword="mT0yyUUxnlJaC99HXgRTSYlbuqa4FSGtJCJfTMvjYCE="]`,
  ];
  const k = await kafkaToolIO(STORAGE_TOOL, ['format', '-t', CLUSTER_ID, '-c', writeProps(path.join(base, 'k.properties'), staticNode(theirs)), ...scram]);
  t.equal(k.code, 0, `kafka-storage format: ${k.err}`);
  const s = await samsaFormat(['-t', CLUSTER_ID, '-c', writeProps(path.join(base, 's.properties'), staticNode(mine)), ...scram]);
  t.equal(s.code, 0, `samsa format: ${s.err}`);
  t.match(k.out, /UserScramCredentialRecord\(name='bob', mechanism=1/, 'Kafka printed the credentials');
  t.equal(s.out.replaceAll(mine, 'DIR'), k.out.replaceAll(theirs, 'DIR'), 'the same stdout, byte for byte');

  const checkpoint = '__cluster_metadata-0/00000000000000000000-0000000000.checkpoint';
  const r = await kafkaToolIO('org.apache.kafka.tools.DumpLogSegments', ['--cluster-metadata-decoder', '--print-data-log', '--files', `${path.join(mine, checkpoint)},${path.join(theirs, checkpoint)}`]);
  const norm = (x: string) => x.replace(/CreateTime: \d+/g, 'CreateTime: T').replace(/"lastContainedLogTimestamp":\d+/g, '"lastContainedLogTimestamp":T').replace(/crc: \d+/g, 'crc: C').trim();
  const [a, b] = r.out.split(/^Dumping .*$/m).slice(1).map(norm);
  t.match(a, /USER_SCRAM_CREDENTIAL_RECORD.*"name":"alice","mechanism":2.*"iterations":8192/, 'Kafka reads the credential from samsa\'s checkpoint');
  t.equal(a, b, 'DumpLogSegments prints both checkpoints alike');
});

t.test('refusals with kafka-storage\'s messages', async (t) => {
  // Two refusals compared with Kafka 4.4.0's tool here; the rest are its messages (ScramParser, 4.4.0).
  const base = tempDir(t, 'samsa-add-scram-bad-');
  for (const arg of ['SCRAM-SHA-256=[name=a,password=x,iterations=100]', 'SCRAM-SHA-256=[name=a,password=x,foo=1,bar=2]']) {
    const k = await kafkaToolIO(STORAGE_TOOL, ['format', '-t', CLUSTER_ID, '-c', writeProps(path.join(base, 'k.properties'), staticNode(path.join(base, 'k'))), '-S', arg]);
    const s = await samsaFormat(['-t', CLUSTER_ID, '-c', writeProps(path.join(base, 's.properties'), staticNode(path.join(base, 's'))), '-S', arg]);
    t.equal(k.code, 1, `kafka-storage refuses ${arg}`);
    t.equal(s.code, 1, `samsa format refuses ${arg}`);
    t.equal(s.err, k.err, `${arg}: the same line on stderr`);
    t.equal(s.out, '', 'nothing on stdout');
    t.notOk(fs.existsSync(path.join(base, 's')), 'nothing formatted');
  }
  const bad: [string, string][] = [
    ['SCRAM-SHA-256=[password=x]', "You must supply 'name' to add-scram"],
    ['SCRAM-SHA-1=[name=a,password=x]', 'The add-scram mechanism SCRAM-SHA-1 is not supported.'],
    ['SCRAM-SHA-512=[name=a,password=x,iterations=20000]', "The 'iterations' value must be <= 16384 for add-scram using SCRAM_SHA_512"],
    ['SCRAM-SHA-256', "Failed to find equals sign in SCRAM argument 'SCRAM-SHA-256'"],
    ['SCRAM-SHA-256=name=a', 'Expected configuration string to start with ['],
    ['SCRAM-SHA-256=[name=a', 'Expected configuration string to end with ]'],
    ['SCRAM-SHA-256=[name=a,saltedpassword=eA==]', "You must supply 'salt' with 'saltedpassword' to add-scram"],
    ['SCRAM-SHA-256=[name=a]', "You must supply one of 'password' or 'saltedpassword' to add-scram"],
    ['SCRAM-SHA-256=[name=a,password=x,salt=!!]', 'Failed to decode given salt: !!'],
    ['SCRAM-SHA-256=[name=a,password=x,salt=eA=]', 'Failed to decode given salt: eA='],
    ['SCRAM-SHA-256=[name=a,password=x,iterations=abc]', 'Failed to parse iterations count: abc'],
    ['SCRAM-SHA-256=[name=a,password]', 'No equals sign found in SCRAM component: password'],
  ];
  for (const [arg, message] of bad) t.throws(() => parseScramArgument(arg), new ScramArgumentError(message), arg);
  const fresh = parseScramArgument('SCRAM-SHA-256=[name=carol,password=p]');
  t.equal(fresh.data.iterations, 4096, 'iterations default to 4096');
  t.equal(fresh.data.salt.length, 26, 'a fresh salt as Kafka makes one (26 base-36 characters)');
  t.not(parseScramArgument('SCRAM-SHA-256=[name=carol,password=p]').data.salt.toString(), fresh.data.salt.toString(), 'a new salt each time');
});

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => resolve(s)); })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

t.test('a node formatted with --add-scram authenticates the user from its first start', async (t) => {
  const base = tempDir(t, 'samsa-add-scram-node-');
  const data = path.join(base, 'data');
  const [port, controller] = await freePorts(2);
  const props = staticNode(data, port, controller);
  const file = writeProps(path.join(base, 'server.properties'), props);
  const f = await samsaFormat(['-t', CLUSTER_ID, '-c', file, '--add-scram', 'SCRAM-SHA-256=[name=admin,password=admin-secret]', '--add-scram', 'SCRAM-SHA-256=[name=alice,iterations=8192,password=alice-secret]']);
  t.equal(f.code, 0, `samsa format: ${f.err}`);

  const clientProps = (user: string, password: string) =>
    writeProps(path.join(base, `${user}-${password}.properties`), {
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'SCRAM-SHA-256',
      'sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`,
    });
  const kafkajs = (username: string, password: string) =>
    new Kafka({ clientId: 'add-scram', brokers: [`localhost:${port}`], sasl: { mechanism: 'scram-sha-256', username, password }, logLevel: logLevel.NOTHING, connectionTimeout: 10_000, retry: { retries: 2 } });

  for (const round of ['first start', 'restart']) {
    const node = new Node({ properties: props });
    await node.start();
    try {
      const admin = kafkajs('alice', 'alice-secret').admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: `t-${round.replace(' ', '-')}`, numPartitions: 1 }], waitForLeaders: true });
      t.ok((await admin.listTopics()).includes(`t-${round.replace(' ', '-')}`), `${round}: kafkajs authenticates as alice (SCRAM-SHA-256, 8192 iterations) and creates a topic`);
      await admin.disconnect();
      const wrong = await kafkajs('alice', 'wrong').admin().connect().then(() => 'connected', (e: Error) => e.message);
      t.match(wrong, /SASL SCRAM SHA256 authentication failed|Authentication failed/, `${round}: a wrong password is refused`);

      const listed = await kafkaToolIO('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', `localhost:${port}`, '--command-config', clientProps('admin', 'admin-secret'), '--list']);
      t.equal(listed.code, 0, `${round}: Kafka's kafka-topics authenticates as admin`, { err: listed.err.slice(-1500) });
      t.match(listed.out, /t-first-start/);
      const described = await kafkaToolIO('org.apache.kafka.tools.ConfigCommand', ['--bootstrap-server', `localhost:${port}`, '--command-config', clientProps('admin', 'admin-secret'), '--describe', '--entity-type', 'users']);
      t.match(described.out, /SCRAM credential configs for user-principal 'admin' are SCRAM-SHA-256=iterations=4096/, `${round}: kafka-configs describes admin's credential`);
      t.match(described.out, /SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=8192/, `${round}: and alice's`);
    } finally {
      await node.close();
    }
  }
});

// What --add-scram is for: brokers authenticating each other with a SCRAM user that must exist
// before the cluster can form. Three nodes, each formatted with the same credentials; the
// inter-broker listener uses SCRAM-SHA-256, so acks=all writes with min.insync.replicas=3 only
// succeed once the followers' fetches authenticate with the bootstrap user.
t.test('a cluster formatted with --add-scram replicates over SCRAM-authenticated inter-broker connections', async (t) => {
  const base = tempDir(t, 'samsa-add-scram-cluster-');
  const ports = await freePorts(9);
  const [client, internal, controller] = [(i: number) => ports[i], (i: number) => ports[3 + i], (i: number) => ports[6 + i]];
  const voters = [0, 1, 2].map((i) => `${i + 1}@127.0.0.1:${controller(i)}`).join(',');
  const props = [0, 1, 2].map((i) => ({
    'process.roles': 'broker,controller',
    'node.id': String(i + 1),
    'controller.quorum.voters': voters,
    listeners: `CLIENT://127.0.0.1:${client(i)},INTERNAL://127.0.0.1:${internal(i)},CONTROLLER://127.0.0.1:${controller(i)}`,
    'advertised.listeners': `CLIENT://localhost:${client(i)},INTERNAL://localhost:${internal(i)}`,
    'listener.security.protocol.map': 'CLIENT:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'controller.listener.names': 'CONTROLLER',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-256',
    'listener.name.internal.scram-sha-256.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-secret";',
    'log.dirs': path.join(base, `node-${i + 1}`),
  }));
  for (const [i, p] of props.entries()) {
    const f = await samsaFormat(['-t', CLUSTER_ID, '-c', writeProps(path.join(base, `node-${i + 1}.properties`), p), '-S', 'SCRAM-SHA-256=[name=broker,password=broker-secret]', '-S', 'SCRAM-SHA-256=[name=alice,password=alice-secret]']);
    t.equal(f.code, 0, `node ${i + 1} formatted`, { err: f.err });
  }
  const nodes = props.map((p) => new Node({ properties: p }));
  t.teardown(async () => {
    for (const n of nodes) await n.close().catch(() => {});
  });
  await Promise.all(nodes.map((n) => n.start()));

  const kafka = new Kafka({ clientId: 'add-scram-cluster', brokers: [`localhost:${client(0)}`], sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' }, logLevel: logLevel.NOTHING, connectionTimeout: 10_000, requestTimeout: 30_000, retry: { retries: 8 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const topic = 'replicated-over-scram';
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '3' }] }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const err = await producer.send({ topic, messages, acks: -1 }).then(() => null, (e: Error) => e);
    if (err === null) break;
    if (Date.now() > deadline) throw err;
    await new Promise((r) => setTimeout(r, 500));
  }
  t.pass('acks=all with min.insync.replicas=3 succeeded: both followers fetched over SCRAM');
  const total = () => nodes.map((n) => [0, 1, 2].reduce((sum, p) => sum + (n.broker!.partitionLog(topic, p)?.highWatermark ?? 0), 0));
  const until = Date.now() + 60_000;
  while (total().some((n) => n < 30) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  t.same(total(), [30, 30, 30], 'every node holds all 30 records');
});
