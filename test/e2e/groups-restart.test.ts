// kafkajs, unmodified: a group commits offsets (halfway through each partition), stops; the
// broker is restarted in between (cleanly, and by SIGKILL); the group then resumes exactly at
// its committed offsets: no committed message is consumed again and none after it is skipped.
import t, { type Test } from 'tap';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { tempDir } from '../helpers/tmp.js';
import { spawnBroker, type CliBroker } from '../helpers/cli-broker.js';
import { sleep, withTimeout } from '../helpers/timeout.js';

const TOPIC = 'resume';
const PARTITIONS = 3;

function start(t: Test, dir: string): Promise<CliBroker> {
  return spawnBroker(t, ['--port', '0', '--data-dir', dir, '--config', 'group.initial.rebalance.delay.ms=0']);
}

function client(b: CliBroker) {
  return new Kafka({ clientId: 'resume-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100 } });
}

async function produce(kafka: Kafka, from: number, to: number) {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = from; i < to; i += 50) {
    await producer.send({ topic: TOPIC, messages: Array.from({ length: Math.min(50, to - i) }, (_, j) => ({ key: `k${i + j}`, value: `v${i + j}` })) });
  }
  await producer.disconnect();
}

/** Consumes until every partition reaches `until` (its log end), returning what arrived per partition. */
async function consume(kafka: Kafka, groupId: string, until: Map<number, number>, commit: (p: number, end: number) => number | null) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
  const got = new Map<number, number[]>();
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const list = got.get(partition) ?? [];
      list.push(Number(message.offset));
      got.set(partition, list);
    },
  });
  await withTimeout(
    (async () => {
      while (![...until].every(([p, end]) => (got.get(p)?.at(-1) ?? -1) >= end - 1)) await sleep(50);
    })(),
    30_000,
    `consuming ${groupId}`,
  );
  const commits = [...until].flatMap(([p, end]) => {
    const offset = commit(p, end);
    return offset === null ? [] : [{ topic: TOPIC, partition: p, offset: String(offset) }];
  });
  if (commits.length > 0) await consumer.commitOffsets(commits);
  await consumer.disconnect();
  return got;
}

async function logEnds(kafka: Kafka): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(TOPIC);
  await admin.disconnect();
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  t.test(`a group resumes at its committed offsets across a broker restart (${signal})`, async (t) => {
    const dir = tempDir(t);
    let b = await start(t, dir);
    let kafka = client(b);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await admin.disconnect();
    await produce(kafka, 0, 300);
    const firstEnds = await logEnds(kafka);
    // Consume everything but commit only half of each partition.
    const committedAt = new Map([...firstEnds].map(([p, end]) => [p, Math.floor(end / 2)]));
    const first = await consume(kafka, 'resumer', firstEnds, (p) => committedAt.get(p)!);
    for (const [p, end] of firstEnds) t.same(first.get(p), [...Array(end).keys()], `first run read ${TOPIC}-${p} from 0`);

    t.equal((await b.stop(signal)).signal ?? 'exit', signal === 'SIGKILL' ? 'SIGKILL' : 'exit');
    b = await start(t, dir);
    kafka = client(b);
    await produce(kafka, 300, 450);
    const ends = await logEnds(kafka);
    const second = await consume(kafka, 'resumer', ends, () => null);
    for (const [p, end] of ends) {
      const from = committedAt.get(p)!;
      t.same(second.get(p), Array.from({ length: end - from }, (_, i) => from + i), `${TOPIC}-${p} resumed at ${from}, read through ${end - 1}`);
    }
    const a2 = kafka.admin();
    await a2.connect();
    const committed = await a2.fetchOffsets({ groupId: 'resumer', topics: [TOPIC] });
    t.same(
      committed[0].partitions.map((p) => [p.partition, Number(p.offset)]).sort((x, y) => x[0] - y[0]),
      [...committedAt].sort((x, y) => x[0] - y[0]),
      'the committed offsets survived the restart',
    );
    await a2.disconnect();
    await b.stop('SIGTERM');
  });
}
