// Recaptures test/robustness/fixtures/java-4.4.0.frames: the request frames Apache Kafka 4.4.0's
// Java clients and tools send, recorded by a TCP proxy in front of a samsa broker (the broker
// advertises the proxy's port, so every connection the clients open goes through it).
//   node --import tsx test/robustness/capture-java-frames.ts
// Needs java and the jars of compat/kafka (`bash compat/kafka/broker.sh install`). Not a test.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, cliArgv } from '../helpers/cli-broker.js';
import { API_KEYS } from '../../src/protocol/generated/index.js';
import { JAVA_GROUP, JAVA_TOPIC } from './corpus.js';

if (process.env.TAP === '1') {
  process.stdout.write('1..0 # the Java frame capture script, not a test\n');
  process.exit(0);
}

const OUT = path.join(REPO_ROOT, 'test/robustness/fixtures/java-4.4.0.frames');
/** Distinct frames kept per (api key, version, tool): enough variety, a small file. */
const PER_TOOL = 2;
const MAX_FRAME = 24 * 1024;

interface Captured {
  apiKey: number;
  apiVersion: number;
  tool: string;
  frame: Buffer;
}
const captured: Captured[] = [];
const seen = new Set<string>();
let currentTool = 'setup';

function record(frame: Buffer): void {
  if (frame.length < 12 || frame.length > MAX_FRAME) return;
  const apiKey = frame.readInt16BE(4);
  const apiVersion = frame.readInt16BE(6);
  // The correlation id differs between otherwise equal frames: compare without it.
  const key = `${apiKey}/${apiVersion}/${Buffer.concat([frame.subarray(0, 8), frame.subarray(12)]).toString('hex')}`;
  if (seen.has(key)) return;
  seen.add(key);
  const same = captured.filter((c) => c.apiKey === apiKey && c.apiVersion === apiVersion && c.tool === currentTool);
  if (same.length >= PER_TOOL) return;
  captured.push({ apiKey, apiVersion, tool: currentTool, frame: Buffer.from(frame) });
}

/** Forwards to the broker, splitting what the client sends into frames. */
function startProxy(upstreamPort: number): Promise<net.Server> {
  const server = net.createServer((client) => {
    const up = net.connect(upstreamPort, '127.0.0.1');
    let pending = Buffer.alloc(0);
    client.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        record(pending.subarray(0, 4 + size));
        pending = pending.subarray(4 + size);
      }
      up.write(d);
    });
    up.on('data', (d) => client.write(d));
    const end = () => {
      client.destroy();
      up.destroy();
    };
    client.on('close', end).on('error', end);
    up.on('close', end).on('error', end);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const LIBS = path.join(REPO_ROOT, 'compat/kafka/.work/libs');
const JVM = ['-Xms64m', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];

function java(label: string, cls: string, args: string[], timeoutMs = 60_000): Promise<string> {
  currentTool = label;
  const proc = spawn('java', [...JVM, '-cp', `${LIBS}/*`, cls, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      process.stdout.write(`${label}: exit ${code}\n`);
      if (code !== 0) process.stdout.write(out.split('\n').slice(-8).join('\n') + '\n');
      resolve(out);
    }),
  );
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'samsa-capture-'));
  const work = mkdtempSync(path.join(tmpdir(), 'samsa-capture-work-'));
  const brokerPort = await freePort();
  // The proxy's port must be known before the broker starts (it advertises it).
  const proxy = await startProxy(brokerPort);
  const proxyPort = (proxy.address() as net.AddressInfo).port;
  const broker = spawn(process.execPath, cliArgv(['--port', String(brokerPort), '--data-dir', dataDir, '--advertised-port', String(proxyPort), '--config', 'group.initial.rebalance.delay.ms=0', '--config', 'samsa.client.telemetry.enable=true']), {
    cwd: REPO_ROOT,
    env: { ...process.env, SAMSA_TEST_CLI: '1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => broker.stdout!.on('data', (d) => String(d).includes('listening on') && resolve()));
  const bs = `127.0.0.1:${proxyPort}`;
  const T = JAVA_TOPIC;
  const tools = 'org.apache.kafka.tools';
  try {
    await java('TopicCommand --create', `${tools}.TopicCommand`, ['--bootstrap-server', bs, '--create', '--topic', T, '--partitions', '3', '--replication-factor', '1', '--config', 'retention.ms=86400000']);
    for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      await java(`ProducerPerformance ${compression}`, `${tools}.ProducerPerformance`, [
        '--topic', T, '--num-records', '60', '--record-size', '40', '--throughput', '-1',
        '--producer-props', `bootstrap.servers=${bs}`, 'acks=all', `compression.type=${compression}`, 'batch.size=2048', 'linger.ms=5',
      ]);
    }
    await java('VerifiableProducer', `${tools}.VerifiableProducer`, ['--bootstrap-server', bs, '--topic', T, '--max-messages', '30', '--acks', '1']);
    // Twice in one group: the second run starts from committed offsets that carry a leader
    // epoch, so the consumer validates them with OffsetsForLeaderEpoch.
    for (const run of [1, 2]) {
      await java(`ConsoleConsumer run ${run}`, `${tools}.consumer.ConsoleConsumer`, [
        '--bootstrap-server', bs, '--topic', T, '--group', JAVA_GROUP, '--from-beginning', '--max-messages', run === 1 ? '150' : '100000', '--timeout-ms', '4000',
        '--consumer-property', 'heartbeat.interval.ms=500', '--consumer-property', 'auto.commit.interval.ms=500',
      ]);
    }
    const cg = `${tools}.consumer.group.ConsumerGroupCommand`;
    await java('ConsumerGroupCommand --list', cg, ['--bootstrap-server', bs, '--list']);
    await java('ConsumerGroupCommand --describe', cg, ['--bootstrap-server', bs, '--describe', '--group', JAVA_GROUP, '--members', '--verbose']);
    await java('ConsumerGroupCommand --describe offsets', cg, ['--bootstrap-server', bs, '--describe', '--group', JAVA_GROUP]);
    await java('ConsumerGroupCommand --reset-offsets', cg, ['--bootstrap-server', bs, '--reset-offsets', '--to-earliest', '--execute', '--group', JAVA_GROUP, '--topic', T]);
    await java('ConsumerGroupCommand --delete-offsets', cg, ['--bootstrap-server', bs, '--delete-offsets', '--group', JAVA_GROUP, '--topic', `${T}:0`]);
    await java('ConsumerGroupCommand --delete', cg, ['--bootstrap-server', bs, '--delete', '--group', JAVA_GROUP]);
    await java('GetOffsetShell', `${tools}.GetOffsetShell`, ['--bootstrap-server', bs, '--topic', T, '--time', '-1']);
    const offsets = path.join(work, 'offsets.json');
    writeFileSync(offsets, JSON.stringify({ version: 1, partitions: [{ topic: T, partition: 0, offset: 5 }] }));
    await java('DeleteRecordsCommand', `${tools}.DeleteRecordsCommand`, ['--bootstrap-server', bs, '--offset-json-file', offsets]);
    await java('TopicCommand --describe', `${tools}.TopicCommand`, ['--bootstrap-server', bs, '--describe', '--topic', T]);
    await java('TopicCommand --alter', `${tools}.TopicCommand`, ['--bootstrap-server', bs, '--alter', '--topic', T, '--partitions', '4']);
    await java('ConfigCommand --alter', `${tools}.ConfigCommand`, ['--bootstrap-server', bs, '--entity-type', 'topics', '--entity-name', T, '--alter', '--add-config', 'cleanup.policy=[compact,delete],segment.bytes=2000000', '--delete-config', 'retention.ms']);
    await java('ConfigCommand --alter broker', `${tools}.ConfigCommand`, ['--bootstrap-server', bs, '--entity-type', 'brokers', '--entity-name', '1', '--alter', '--add-config', 'log.retention.ms=3600000']);
    await java('ConfigCommand --describe', `${tools}.ConfigCommand`, ['--bootstrap-server', bs, '--entity-type', 'topics', '--entity-name', T, '--describe', '--all']);
    await java('LogDirsCommand', `${tools}.LogDirsCommand`, ['--bootstrap-server', bs, '--describe', '--topic-list', T]);
    await java('LeaderElectionCommand', `${tools}.LeaderElectionCommand`, ['--bootstrap-server', bs, '--election-type', 'preferred', '--topic', T, '--partition', '0']);
    await java('ReassignPartitionsCommand --list', `${tools}.reassign.ReassignPartitionsCommand`, ['--bootstrap-server', bs, '--list']);
    await java('TransactionsCommand describe-producers', `${tools}.TransactionsCommand`, ['--bootstrap-server', bs, 'describe-producers', '--topic', T, '--partition', '0']);
    await java('ClusterTool cluster-id', `${tools}.ClusterTool`, ['cluster-id', '--bootstrap-server', bs]);
    await java('FeatureCommand describe', `${tools}.FeatureCommand`, ['--bootstrap-server', bs, 'describe']);
    await java('FeatureCommand upgrade', `${tools}.FeatureCommand`, ['--bootstrap-server', bs, 'upgrade', '--feature', 'group.version=1']);
    await java('FeatureCommand downgrade --dry-run', `${tools}.FeatureCommand`, ['--bootstrap-server', bs, 'downgrade', '--feature', 'group.version=0', '--dry-run']);
    const reassignment = path.join(work, 'reassign.json');
    writeFileSync(reassignment, JSON.stringify({ version: 1, partitions: [{ topic: T, partition: 1, replicas: [1], log_dirs: [path.join(dataDir)] }] }));
    await java('ReassignPartitionsCommand --execute', `${tools}.reassign.ReassignPartitionsCommand`, ['--bootstrap-server', bs, '--execute', '--reassignment-json-file', reassignment]);
    await java('ReassignPartitionsCommand --cancel', `${tools}.reassign.ReassignPartitionsCommand`, ['--bootstrap-server', bs, '--cancel', '--reassignment-json-file', reassignment]);
    await java('ClientMetricsCommand --list', `${tools}.ClientMetricsCommand`, ['--bootstrap-server', bs, '--list']);
    await java('ConfigCommand --describe client-metrics', `${tools}.ConfigCommand`, ['--bootstrap-server', bs, '--entity-type', 'client-metrics', '--describe']);
    await java('MetadataQuorumCommand describe', `${tools}.MetadataQuorumCommand`, ['--bootstrap-server', bs, 'describe', '--status']);
    await java('MetadataQuorumCommand describe --replication', `${tools}.MetadataQuorumCommand`, ['--bootstrap-server', bs, 'describe', '--replication']);
    await java('TopicCommand --delete', `${tools}.TopicCommand`, ['--bootstrap-server', bs, '--delete', '--topic', T]);
  } finally {
    const exited = new Promise((resolve) => broker.once('exit', resolve));
    broker.kill('SIGTERM');
    await exited;
    proxy.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
  captured.sort((a, b) => a.apiKey - b.apiKey || a.apiVersion - b.apiVersion);
  const lines = [
    '# Request frames (size prefix included) sent by Apache Kafka 4.4.0\'s Java clients and tools to samsa,',
    '# recorded by test/robustness/capture-java-frames.ts: api-key api-version tool hex',
    ...captured.map((c) => `${c.apiKey} ${c.apiVersion} ${c.tool.replace(/\s+/g, '_')} ${c.frame.toString('hex')}`),
  ];
  writeFileSync(OUT, lines.join('\n') + '\n');
  const keys = [...new Set(captured.map((c) => c.apiKey))];
  process.stdout.write(`${captured.length} frames of ${keys.length} APIs: ${keys.map((k) => API_KEYS[k]?.request.name ?? k).join(', ')}\n`);
}

await main();
