// The disk fills up under a running broker (a real tmpfs when this machine can mount one, else a
// fault-injecting file layer that fails writes as a full tmpfs does), then space comes back:
// - kafkajs producing with acks=1 and acks=all gets KAFKA_STORAGE_ERROR, Kafka's error, and
//   nothing it was told was written is lost or doubled (read back: offsets contiguous, every
//   acknowledged message once, nothing else); producing resumes without a restart;
// - during the episode CreateTopics fails with KAFKA_STORAGE_ERROR and a group's offset commit
//   with NOT_COORDINATOR (Kafka's answer for a failed __consumer_offsets write); both succeed once
//   space is back, and a kafkajs consumer group joins, consumes everything and commits;
// - a metadata-log write that hits the full disk (the broker's first group request can then not
//   create __consumer_offsets) leaves no state clients retry forever: FindCoordinator, JoinGroup,
//   OffsetCommit and CreateTopics all work once space is back, and so do the topics created at the
//   edge of the episode;
// - a restart after the episode recovers the same data, topics and offsets.
import t, { type Test } from 'tap';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { FaultInjectingFs, fullDisk, type FullDisk } from '../helpers/full-disk.js';
import { tempDir } from '../helpers/tmp.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { sleep, withTimeout } from '../helpers/timeout.js';
import { E, GroupWire, subscription } from '../coordinator/group-wire.js';

const TOPIC = 'fill';
const PARTITIONS = 2;
const KAFKA_STORAGE_ERROR = 56;
const NOT_COORDINATOR = 16;
const CONFIG: Record<string, string> = {
  'offsets.topic.num.partitions': '2',
  'group.initial.rebalance.delay.ms': '0',
  'log.segment.bytes': String(1 << 20),
};

async function start(t: Test, disk: FullDisk): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, dataDir: disk.dataDir, config: CONFIG, storage: { fs: disk.fs } });
  t.teardown(() => b.close());
  return b;
}

function kafka(b: RunningBroker, clientId: string) {
  return new Kafka({ clientId, brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000, requestTimeout: 10_000 });
}

/** The protocol error type a kafkajs error carries, through its wrappers. */
function errorType(e: unknown): string {
  for (let x = e as { type?: string; cause?: unknown; originalError?: unknown } | undefined; x; x = (x.cause ?? x.originalError) as typeof x) {
    if (x.type) return x.type;
  }
  return String((e as Error)?.message ?? e);
}

type Acked = Map<number, string>[];

/** One send of 10 messages of ~500 bytes to one partition; what it acknowledged goes into `acked`. */
async function send(producer: Producer, acks: 1 | -1, acked: Acked, tag: string, partition: number): Promise<string> {
  const values = Array.from({ length: 10 }, (_, i) => `${tag}-${i}-`.padEnd(500, '.'));
  try {
    const [r] = await producer.send({ topic: TOPIC, acks, messages: values.map((value) => ({ value, partition })) });
    values.forEach((v, i) => acked[partition].set(Number(r.baseOffset) + i, v));
    return 'ok';
  } catch (e) {
    return errorType(e);
  }
}

/** Every partition holds exactly what was acknowledged, each message once at its offset. */
async function verify(t: Test, b: RunningBroker, acked: Acked, label: string) {
  const reader = await KafkajsReader.connect(b.bootstrap);
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const { messages, highWatermark } = await withTimeout(reader.readPartition(TOPIC, p), 20_000, `read ${TOPIC}-${p}`);
      const problems: string[] = [];
      messages.forEach((m, i) => {
        const value = m.value?.toString() ?? null;
        if (m.offset !== i) problems.push(`position ${i} holds offset ${m.offset}`);
        else if (acked[p].get(m.offset) !== value) problems.push(`offset ${m.offset}: ${value?.slice(0, 16)}, acknowledged: ${acked[p].get(m.offset)?.slice(0, 16)}`);
      });
      t.same(problems.slice(0, 5), [], `${label} ${TOPIC}-${p}: offsets contiguous, each the message acknowledged there`);
      t.equal(messages.length, acked[p].size, `${label} ${TOPIC}-${p}: all ${acked[p].size} acknowledged messages, nothing else`);
      t.equal(highWatermark, acked[p].size, `${label} ${TOPIC}-${p}: high watermark`);
      t.equal(new Set(messages.map((m) => m.value?.toString())).size, messages.length, `${label} ${TOPIC}-${p}: no message twice`);
    }
  } finally {
    await reader.close();
  }
}

function createTopic(c: GroupWire, name: string): Promise<number> {
  return c
    .call(CreateTopicsRequest, CreateTopicsResponse, 5, {
      topics: [{ name, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    })
    .then((r) => r.topics[0].errorCode);
}

async function commit(c: GroupWire, groupId: string, offset: number, member: { generationIdOrMemberEpoch: number; memberId: string } = { generationIdOrMemberEpoch: -1, memberId: '' }): Promise<number[]> {
  const r = await c.commit(8, { groupId, ...member, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  return r.topics.flatMap((x) => x.partitions.map((p) => p.errorCode));
}

async function committed(c: GroupWire, groupId: string): Promise<number> {
  const r = await c.fetch(8, { groups: [{ groupId, topics: [{ name: TOPIC, partitionIndexes: [0] }] }] });
  return Number(r.groups![0].topics[0].partitions[0].committedOffset);
}

/** Retries `attempt` like a client would until it returns `want`; the time it took. */
async function until<T>(what: string, want: T, attempt: () => Promise<T>, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  let last: T | string = 'nothing';
  while (Date.now() - started < timeoutMs) {
    last = await attempt().catch((e) => errorType(e));
    if (last === want) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`${what}: still ${String(last)} after ${timeoutMs} ms`);
}

/** A kafkajs consumer group member reads the topic to its end and commits. */
async function consumeAll(b: RunningBroker, groupId: string, total: number): Promise<number> {
  const consumer = new Kafka({ clientId: 'disk-full-consumer', brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).consumer({
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({ eachMessage: async () => void seen++ });
    await withTimeout(
      (async () => {
        while (seen < total) await sleep(50);
      })(),
      30_000,
      `${groupId} consuming ${total} messages`,
    );
    await sleep(200);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

t.test('kafkajs produces (acks=1 and acks=all) while the disk fills up, then space comes back', async (t) => {
  const disk = fullDisk(t, 24);
  t.comment(`disk: ${disk.kind}`);
  let b = await start(t, disk);
  const c = await GroupWire.connect(t, b);
  t.equal(await createTopic(c, TOPIC), E.NONE);
  // The first group request creates __consumer_offsets; it is served once loaded.
  await until('the first group commit', E.NONE, async () => (await commit(c, 'g', 1))[0]);

  const k = kafka(b, 'disk-full-producer');
  const producers = [k.producer(), k.producer()];
  await Promise.all(producers.map((p) => p.connect()));
  t.teardown(() => Promise.all(producers.map((p) => p.disconnect().catch(() => undefined))));
  const acked: Acked = Array.from({ length: PARTITIONS }, () => new Map());
  let n = 0;
  const round = () => Promise.all(producers.flatMap((p, i) => [0, 1].map((partition) => send(p, i === 0 ? 1 : -1, acked, `m${n++}`, partition))));

  for (let r = 0; r < 20; r++) t.same(await round(), ['ok', 'ok', 'ok', 'ok'], 'before the episode');
  await disk.fill();
  const errors = new Map<string, number>();
  const failedBy = [0, 0];
  for (let r = 0; r < 300 && !(failedBy[0] > 0 && failedBy[1] > 0); r++) {
    (await round()).forEach((res, i) => {
      if (res === 'ok') return;
      errors.set(res, (errors.get(res) ?? 0) + 1);
      failedBy[i < 2 ? 0 : 1]++;
    });
  }
  t.same([...errors.keys()], ['KAFKA_STORAGE_ERROR'], `every failed send: KAFKA_STORAGE_ERROR (${[...errors].join(', ')})`);
  t.ok(failedBy[0] > 0 && failedBy[1] > 0, `both the acks=1 and the acks=all producer were refused (${failedBy})`);

  t.equal(await createTopic(c, 'during'), KAFKA_STORAGE_ERROR, 'CreateTopics during the episode: KAFKA_STORAGE_ERROR');
  t.same(await commit(c, 'g', 2), [NOT_COORDINATOR], 'OffsetCommit during the episode: NOT_COORDINATOR (its __consumer_offsets write failed)');
  t.equal((await c.findCoordinator(3, { key: 'g', keyType: 0 })).errorCode, E.NONE, 'FindCoordinator still points at this broker');
  t.equal(await committed(c, 'g'), 1, 'the failed commit left the committed offset as it was');

  await disk.free();
  const resumedIn = await until('producing again', 'ok', () => send(producers[1], -1, acked, `m${n++}`, 0));
  t.ok(resumedIn < 15_000, `producing resumed without a restart, ${resumedIn} ms after space came back`);
  for (let r = 0; r < 10; r++) t.same(await round(), ['ok', 'ok', 'ok', 'ok'], 'after the episode');
  t.equal(await createTopic(c, 'after'), E.NONE, 'CreateTopics after the episode');
  t.same(await commit(c, 'g', 3), [E.NONE], 'OffsetCommit after the episode');
  t.equal(await committed(c, 'g'), 3);
  await verify(t, b, acked, 'after the episode:');
  const total = acked.reduce((s, m) => s + m.size, 0);
  t.equal(await consumeAll(b, 'readers', total), total, 'a kafkajs consumer group joins and reads every message');

  await Promise.all(producers.map((p) => p.disconnect()));
  c.conn.destroy();
  await b.close();
  b = await start(t, disk);
  await verify(t, b, acked, 'after a restart:');
  const c2 = await GroupWire.connect(t, b);
  await b.broker.groups.whenLoaded();
  t.equal(await committed(c2, 'g'), 3, "the group's offset survives the restart");
  t.equal(await createTopic(c2, 'after'), 36, "the topic created after the episode is there (TOPIC_ALREADY_EXISTS)");
});

t.test('the metadata log hits the full disk: topic creation and group coordination come back with the space', async (t) => {
  const disk = fullDisk(t, 16);
  let b = await start(t, disk);
  const c = await GroupWire.connect(t, b);
  await disk.fill();
  // A CreateTopics batch may still fit the metadata log's last page, and then the new logs'
  // files fail; either way the dir goes offline and later ones fail at once.
  const created: string[] = [];
  let refused = -1;
  for (let i = 0; i < 50 && refused < 0; i++) {
    const code = await createTopic(c, `t${i}`);
    if (code === E.NONE) created.push(`t${i}`);
    else refused = code;
  }
  t.equal(refused, KAFKA_STORAGE_ERROR, `CreateTopics on the full disk: KAFKA_STORAGE_ERROR (after ${created.length} created)`);
  t.equal(
    (await c.findCoordinator(3, { key: 'late', keyType: 0 })).errorCode,
    E.COORDINATOR_NOT_AVAILABLE,
    'FindCoordinator: COORDINATOR_NOT_AVAILABLE (__consumer_offsets cannot be created)',
  );

  await disk.free();
  // What a client does: look for the coordinator again until it is there.
  const foundIn = await until('FindCoordinator', E.NONE, async () => (await c.findCoordinator(3, { key: 'late', keyType: 0 })).errorCode);
  t.ok(foundIn < 15_000, `the group coordinator is found ${foundIn} ms after space came back`);
  await b.broker.groups.whenLoaded();
  t.equal(await createTopic(c, TOPIC), E.NONE, 'CreateTopics works again');
  const joined = await c.joinFully({ groupId: 'late', protocols: [{ name: 'range', metadata: subscription([TOPIC]) }] });
  t.equal(joined.errorCode, E.NONE, 'JoinGroup');
  const synced = await c.sync(3, { groupId: 'late', generationId: joined.generationId, memberId: joined.memberId, assignments: [{ memberId: joined.memberId, assignment: Buffer.from('a') }] });
  t.equal(synced.errorCode, E.NONE, 'SyncGroup');
  t.same(await commit(c, 'late', 7, { generationIdOrMemberEpoch: joined.generationId, memberId: joined.memberId }), [E.NONE], "OffsetCommit by the group's member");

  const k = kafka(b, 'edge-producer');
  const producer = k.producer();
  await producer.connect();
  for (const topic of [...created, TOPIC]) {
    const r = await producer.send({ topic, acks: -1, messages: [{ value: `to ${topic}`, partition: 1 }] }).then(
      () => 'ok',
      (e) => errorType(e),
    );
    t.equal(r, 'ok', `${topic}: its logs exist and take produce`);
  }
  await producer.disconnect();

  c.conn.destroy();
  await b.close();
  b = await start(t, disk);
  const c2 = await GroupWire.connect(t, b);
  await b.broker.groups.whenLoaded();
  t.equal(await committed(c2, 'late'), 7, 'the offset survives a restart');
  const names = new Set([...b.broker.topics.all()].map((x) => x.name));
  for (const topic of [...created, TOPIC]) {
    t.ok(names.has(topic), `${topic} survives a restart`);
    t.ok(b.broker.partitionLog(topic, 1), `${topic}-1 has its log after the restart`);
  }
});

t.test("the metadata log's fsync fails: CreateTopics says KAFKA_STORAGE_ERROR, yet the image holds what the log holds", async (t) => {
  const faults = new FaultInjectingFs();
  const dir = tempDir(t);
  const open = async () => {
    const b = await startBroker({ port: 0, dataDir: dir, config: CONFIG, storage: { fs: faults.fs } });
    t.teardown(() => b.close());
    return b;
  };
  let b = await open();
  const c = await GroupWire.connect(t, b);
  faults.inject = (path, op) => (op === 'sync' && path.includes('__cluster_metadata-0/') && path.endsWith('.log') ? Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }) : null);
  t.equal(await createTopic(c, 'unsure'), KAFKA_STORAGE_ERROR, 'the commit is not known to be durable: KAFKA_STORAGE_ERROR');
  faults.inject = null;
  const id = b.broker.topics.get('unsure')?.topicId;
  t.ok(id, 'the batch is in the metadata log, so the image has the topic too (a restart would replay it)');
  await until('CreateTopics again', 36, () => createTopic(c, 'unsure'));
  t.pass('a retry finds it: TOPIC_ALREADY_EXISTS');
  c.conn.destroy();
  await b.close();
  b = await open();
  t.equal(b.broker.topics.get('unsure')?.topicId, id, 'the same topic after a restart');
  t.ok(b.broker.partitionLog('unsure', 1), 'with its logs');
});
