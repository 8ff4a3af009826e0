// Apache Kafka 4.4.0's own tools move a replica between the two log dirs of a samsa node
// (process.roles=broker,controller, log.dirs=a,b) while an idempotent acks=all producer writes to
// it: kafka-log-dirs --describe shows where it is, kafka-reassign-partitions --execute with
// "log_dirs" in its JSON starts the move (AlterPartitionReassignments, AlterReplicaLogDirs),
// --verify reports it completed (DescribeLogDirs: no future log left), kafka-log-dirs shows the
// replica in the other dir, and every acknowledged record reads back once, at the offset it was
// acknowledged at. A restart then loads it from its new dir.
import t, { type Test } from 'tap';
import net from 'node:net';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { spawnBroker, type CliBroker } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { codecRequest } from '../metadata/helpers.js';

t.setTimeout(600_000);

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const REASSIGN = 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand';
const LOG_DIRS = 'org.apache.kafka.tools.LogDirsCommand';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface DirsJson {
  version: number;
  brokers: { broker: number; logDirs: { logDir: string; error: string | null; partitions: { partition: string; size: number; offsetLag: number; isFuture: boolean }[] }[] }[];
}

/** kafka-log-dirs --describe: the JSON line it prints. */
async function describeDirs(t: Test, bootstrap: string): Promise<DirsJson> {
  const r = await kafkaTool(LOG_DIRS, '--bootstrap-server', bootstrap, '--describe', '--topic-list', 'moving');
  t.equal(r.code, 0, r.out);
  const line = r.out.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`kafka-log-dirs printed no JSON: ${r.out}`);
  return JSON.parse(line) as DirsJson;
}

function dirOf(d: DirsJson, partition: string): string[] {
  return d.brokers[0].logDirs.filter((l) => l.partitions.some((p) => p.partition === partition && !p.isFuture)).map((l) => l.logDir);
}

t.test('kafka-reassign-partitions moves a replica to the other log dir under produce load', async (t) => {
  const root = tempDir(t);
  const dirs = [path.join(root, 'a'), path.join(root, 'b')];
  const [port, controllerPort] = [await freePort(), await freePort()];
  const props = path.join(root, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      'controller.listener.names=CONTROLLER',
      `log.dirs=${dirs.join(',')}`,
      'offsets.topic.num.partitions=1',
      'offsets.topic.replication.factor=1',
      // Small segments: the copy spans many of them.
      'log.segment.bytes=1048576',
      '',
    ].join('\n'),
  );
  let b: CliBroker = await spawnBroker(t, [props, '--cluster-id', CLUSTER_ID], { timeoutMs: 120_000 });
  const created = await codecRequest(b.host, b.port, 'CreateTopics', 7, {
    topics: [{ name: 'moving', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30000,
    validateOnly: false,
  });
  t.equal(created.topics[0].errorCode, 0, 'topic created');

  const before = await describeDirs(t, b.bootstrap);
  t.same(before.brokers.map((x) => x.broker), [1]);
  t.same(before.brokers[0].logDirs.map((l) => l.logDir).sort(), [...dirs].sort(), 'both log dirs listed');
  t.ok(before.brokers[0].logDirs.every((l) => l.error === null), 'both online');
  const [from] = dirOf(before, 'moving-0');
  t.ok(from, 'moving-0 is in one dir');
  const to = dirs.find((d) => d !== from)!;

  const kafka = new Kafka({ clientId: 'log-dirs-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 50, maxRetryTime: 1000 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  // Enough to take the copy a while: 8 MiB in 1 KiB records.
  const filler = Buffer.alloc(1000, 'f');
  let acked: { value: string; offset: number }[] = [];
  for (let i = 0; i < 64; i++) {
    const [r] = await producer.send({ topic: 'moving', acks: -1, messages: Array.from({ length: 128 }, (_, j) => ({ value: Buffer.concat([Buffer.from(`fill-${i}-${j}:`), filler]) })) });
    if (r.errorCode !== 0 || Number(r.baseOffset) !== i * 128) throw new Error(`fill ${i}: ${JSON.stringify(r)}`);
  }
  const filled = 64 * 128;

  // The load: one record at a time, each acknowledged offset remembered.
  let stop = false;
  let sent = 0;
  const load = (async () => {
    while (!stop) {
      const value = `rec-${sent++}`;
      const [r] = await producer.send({ topic: 'moving', acks: -1, messages: [{ value }] });
      acked.push({ value, offset: Number(r.baseOffset) });
    }
  })();
  while (acked.length < 50) await new Promise((r) => setTimeout(r, 20));

  const plan = path.join(root, 'plan.json');
  writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'moving', partition: 0, replicas: [1], log_dirs: [to] }] }));
  // A throttle high enough not to slow the test: set as a dynamic broker config, cleared by --verify.
  const execute = await kafkaTool(REASSIGN, '--bootstrap-server', b.bootstrap, '--execute', '--reassignment-json-file', plan, '--replica-alter-log-dirs-throttle', '500000000');
  t.equal(execute.code, 0, execute.out);
  t.match(execute.out, 'The replica-alter-dir throttle limit was set to 500000000 B/s', 'the log dir throttle is set');
  t.match(execute.out, `Successfully started moving log directory to ${to} for replica moving-0 with broker 1`, 'the move started');
  t.match(execute.out, JSON.stringify({ version: 1, partitions: [{ topic: 'moving', partition: 0, replicas: [1], log_dirs: [from] }] }), 'the rollback plan names the current dir');

  let verify = { code: null as number | null, out: '' };
  const deadline = Date.now() + 240_000;
  do {
    verify = await kafkaTool(REASSIGN, '--bootstrap-server', b.bootstrap, '--verify', '--reassignment-json-file', plan);
    t.equal(verify.code, 0, verify.out);
    if (verify.out.includes('Reassignment of replica moving-0-1 completed successfully.')) break;
    t.match(verify.out, /Reassignment of replica moving-0-1 is still in progress\./, 'in progress until done');
    await new Promise((r) => setTimeout(r, 500));
  } while (Date.now() < deadline);
  t.match(verify.out, 'Reassignment of replica moving-0-1 completed successfully.', 'kafka-reassign-partitions --verify: completed');
  t.match(verify.out, 'Clearing broker-level throttles on broker 1', 'and the throttle cleared');
  // Some more load on the moved log.
  const movedAt = acked.length;
  while (acked.length < movedAt + 50) await new Promise((r) => setTimeout(r, 20));
  stop = true;
  await load;
  await producer.disconnect();

  const after = await describeDirs(t, b.bootstrap);
  t.same(dirOf(after, 'moving-0'), [to], 'kafka-log-dirs: the replica is in the other dir');
  t.notOk(after.brokers[0].logDirs.some((l) => l.partitions.some((p) => p.isFuture)), 'no future replica left');
  t.ok(after.brokers[0].logDirs.find((l) => l.logDir === to)!.partitions[0].size > 8_000_000, 'its size on disk');
  t.notOk(existsSync(path.join(from, 'moving-0')), 'the old replica dir is gone');

  // Every acknowledged record once, at its acknowledged offset, after the fill.
  const readBack = async (bootstrap: string, want: number): Promise<Map<number, string>> => {
    const k = new Kafka({ clientId: 'log-dirs-reader', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const consumer = k.consumer({ groupId: `reader-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'moving', fromBeginning: true });
    const seen = new Map<number, string>();
    let dup = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        const o = Number(message.offset);
        if (seen.has(o)) dup++;
        seen.set(o, message.value!.toString().slice(0, 20));
      },
    });
    const until = Date.now() + 60_000;
    while (seen.size < want && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    t.equal(dup, 0, 'no offset read twice');
    return seen;
  };
  const total = filled + acked.length;
  let seen = await readBack(b.bootstrap, total);
  const firstMissing = Array.from({ length: total }, (_, i) => i).find((i) => !seen.has(i));
  t.equal(seen.size, total, `all ${total} records read back (first missing: ${firstMissing}, fill ${filled}, moved after ${movedAt} acks)`);
  const wrong = acked.filter((a) => seen.get(a.offset) !== a.value);
  t.same(wrong, [], 'each acknowledged record at its acknowledged offset');
  t.same([...seen.keys()].sort((x, y) => x - y), Array.from({ length: total }, (_, i) => i), 'offsets 0.. without gaps');
  acked = acked.sort((x, y) => x.offset - y.offset);
  t.same(acked.map((a) => a.value), Array.from({ length: acked.length }, (_, i) => `rec-${i}`), 'in the order produced, none twice');

  // A restart loads the replica from its new dir.
  t.equal((await b.stop('SIGTERM', 30_000)).code, 0, 'clean stop');
  b = await spawnBroker(t, [props], { timeoutMs: 120_000 });
  t.same(dirOf(await describeDirs(t, b.bootstrap), 'moving-0'), [to], 'after a restart: still in the new dir');
  seen = await readBack(b.bootstrap, total);
  t.equal(seen.size, total, 'every record after the restart');
  await b.stop('SIGTERM', 30_000);
});
