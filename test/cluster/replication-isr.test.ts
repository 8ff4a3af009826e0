// The ISR and acks=all on startCluster (3 controllers, 3 brokers), with the fault layer cutting
// followers' fetches from the leader while they keep their sessions with the controllers: an
// acks=all produce waiting for a cut-off follower times out (REQUEST_TIMED_OUT); after
// replica.lag.time.max.ms the leader shrinks the ISR through AlterPartition and acks=all goes on
// with two; with the ISR at the leader alone acks=all is NOT_ENOUGH_REPLICAS while acks=1 still
// writes; healed, the followers catch up and the ISR expands back to three. A follower asked to
// take a produce answers NOT_LEADER_OR_FOLLOWER. Errors as kafkajs decodes them.
import t from 'tap';
import { createRequire } from 'node:module';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';
import type { PartitionLog } from '../../src/storage/types.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-var-requires */
const KjsCluster = require('kafkajs/src/cluster');
const { createLogger, LEVELS } = require('kafkajs/src/loggers');
const LoggerConsole = require('kafkajs/src/loggers/console');
const defaultSocketFactory = require('kafkajs/src/network/socketFactory');

t.setTimeout(240_000);

const TOPIC = 'isr';

/** The error type kafkajs gives, under its retry wrappers. */
function errorType(e: unknown): string {
  let x = e as { type?: string; cause?: unknown; originalError?: unknown } | undefined;
  while (x) {
    if (x.type) return x.type;
    x = (x.cause ?? x.originalError) as typeof x;
  }
  return String(e);
}

/** A broker's log of the partition. */
let logOf: (nodeId: number) => PartitionLog;

/** The partition as every broker's image has it, once they agree. */
function reg(c: RunningCluster) {
  const regs = c.nodes.filter((n) => n.running && n.node!.isBroker).map((n) => n.node!.metadata.image.topics.get(TOPIC)?.registrations.get(0));
  if (regs.some((r) => !r || r.partitionEpoch !== regs[0]!.partitionEpoch)) return undefined;
  return regs[0];
}

t.test('ISR shrink and expand through AlterPartition; REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS, NOT_LEADER_OR_FOLLOWER', async (t) => {
  const c = await startCluster({ controllers: 3, brokers: 3, dataDir: tempDir(t), config: { 'replica.lag.time.max.ms': '2000', 'replica.socket.timeout.ms': '3000' } });
  t.teardown(() => c.close());
  logOf = (id) => c.node(id).node!.broker!.partitionLog(TOPIC, 0)!;
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'isr-test', logLevel: logLevel.NOTHING, connectionTimeout: 10_000, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
  const first = await waitUntil('the partition in sync on three brokers, its leader leading', 30_000, () => {
    const r = reg(c);
    return r && r.isr.length === 3 && r.leader >= 0 && c.node(r.leader).node!.broker!.replicas!.checkFetch(TOPIC, 0).errorCode === 0 ? r : undefined;
  });
  const leader = first.leader;
  const [f1, f2] = first.replicas.filter((id) => id !== leader);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const send = async (acks: number, timeout = 5000) => {
    try {
      const [r] = await producer.send({ topic: TOPIC, acks, timeout, messages: [{ value: 'x' }] });
      return `offset ${r.baseOffset}`;
    } catch (e) {
      return errorType(e);
    }
  };
  t.equal(await send(-1), 'offset 0', 'acks=all with three in sync');

  // Follower 1 stops fetching (its controller session goes on): acks=all waits for it in vain.
  c.faults.drop(f1, leader);
  t.equal(await send(-1, 300), 'REQUEST_TIMED_OUT', 'the ISR still holds the cut-off follower');
  const shrunk = await waitUntil('the leader shrinks the ISR', 20_000, () => {
    const r = reg(c);
    return r && !r.isr.includes(f1) ? r : undefined;
  });
  t.same([...shrunk.isr].sort(), [leader, f2].sort(), `ISR [${shrunk.isr}] without broker ${f1}`);
  t.equal(shrunk.leaderEpoch, first.leaderEpoch, 'same leader epoch');
  t.ok((await send(-1)).startsWith('offset'), 'acks=all with two in sync (min.insync.replicas=2)');

  // An idle follower at the log end stays in sync (Kafka's caught-up rule): an acks=1 write leaves it behind.
  c.faults.drop(f2, leader);
  t.ok((await send(1)).startsWith('offset'), 'acks=1 while broker f2 is cut off');
  await waitUntil('the ISR down to the leader', 20_000, () => {
    const r = reg(c);
    return r && r.isr.length === 1 ? r : undefined;
  });
  t.equal(await send(-1), 'NOT_ENOUGH_REPLICAS', 'acks=all below min.insync.replicas');
  t.ok((await send(1)).startsWith('offset'), 'acks=1 is the leader alone');

  // A fetch lost to the cut is given up after replica.socket.timeout.ms, then the followers catch up.
  c.faults.heal();
  const healed = await waitUntil('the followers back in the ISR', 30_000, () => {
    const r = reg(c);
    return r && r.isr.length === 3 ? r : undefined;
  });
  t.equal(healed.leader, leader);
  t.ok((await send(-1)).startsWith('offset'), 'acks=all again');
  const ends = await waitUntil('every replica at the same log end', 20_000, () => {
    const e = [leader, f1, f2].map((id) => c.node(id).node!.broker!.partitionLog(TOPIC, 0)!.logEndOffset);
    return e.every((x) => x === e[0]) ? e : undefined;
  });
  t.ok(ends[0] >= 4, `log end ${ends[0]} everywhere`);

  // A produce sent to a follower.
  const kc = new KjsCluster({ logger: createLogger({ level: LEVELS.NOTHING, logCreator: LoggerConsole }), socketFactory: defaultSocketFactory(), brokers: c.bootstrap.split(','), clientId: 'isr-raw', connectionTimeout: 10_000, requestTimeout: 10_000, retry: { retries: 0 } });
  await kc.connect();
  t.teardown(() => kc.disconnect());
  await kc.refreshMetadata();
  const follower = await kc.findBroker({ nodeId: String(f1) });
  let raw = '';
  try {
    await follower.produce({ acks: -1, timeout: 1000, topicData: [{ topic: TOPIC, partitions: [{ partition: 0, messages: [{ value: 'y' }] }] }] });
    raw = 'accepted';
  } catch (e) {
    raw = errorType(e);
  }
  // kafkajs still calls error 6 by its old name.
  t.equal(raw, 'NOT_LEADER_FOR_PARTITION', 'a follower refuses produces (NOT_LEADER_OR_FOLLOWER)');
  // A consumer's Fetch v11 (kafkajs's newest) is served by a follower, up to its high watermark (KIP-392).
  await waitUntil('the follower at the high watermark', 20_000, () => logOf(f1).highWatermark === ends[0]);
  const fetched = await follower.fetch({ replicaId: -1, maxWaitTime: 100, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 1 << 20 }] }] });
  const fp = fetched.responses[0].partitions[0];
  t.equal(fp.errorCode, 0, 'a follower serves a consumer');
  t.equal(Number(fp.highWatermark), ends[0], "with the follower's high watermark");
  t.equal(fp.messages.filter((m: { isControlRecord: boolean }) => !m.isControlRecord).length, ends[0], 'every committed record');
});
