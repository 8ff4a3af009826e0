// The transactional row of bench:compare (`--only txn`): Kafka's ProducerPerformance with --transactional-id
// and --transaction-duration-ms into one partition, acks=all; afterwards the partition's offsets show every
// transaction committed and closed (last stable offset = high watermark, one commit marker per transaction).
import { ListOffsetsRequest } from '../../src/protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../../src/protocol/generated/list-offsets-response.js';
import { ErrorCode, errorName } from '../../src/protocol/errors.js';
import type { Connection } from '../connection.js';
import { producerPerformance, type ProduceFigures } from './java-tools.js';

/** Served by both (samsa from 1, Kafka 4.4 1-11); isolation levels from v2. */
const LIST_OFFSETS_VERSION = 7;
const LATEST = -1;
const READ_UNCOMMITTED = 0;
const READ_COMMITTED = 1;
/** commitTransaction returns once the commit is decided; its markers may land a little later. */
const SETTLE_TIMEOUT_MS = 30_000;
export const TXN_RECORD_SIZE = 1024;

export interface TxnFigures extends ProduceFigures {
  /** Transactions the producer committed: the commit markers in the partition. */
  transactions: number;
  highWatermark: number;
  lastStableOffset: number;
}

export interface TxnRun {
  brokerSh: string;
  conn: Connection;
  bootstrap: string;
  topic: string;
  /** Records already in the topic's one partition (createReadyTopic's first touch). */
  before: number;
  records: number;
  transactionalId: string;
  durationMs: number;
}

/** Runs ProducerPerformance in transactions and checks the partition's offsets afterwards. */
export async function transactionalProduce(t: TxnRun): Promise<TxnFigures> {
  const f = await producerPerformance(t.brokerSh, t.bootstrap, t.topic, t.records, TXN_RECORD_SIZE, 'all', {
    transactionalId: t.transactionalId,
    durationMs: t.durationMs,
  });
  const { highWatermark, lastStableOffset } = await settled(t.conn, t.topic);
  const transactions = highWatermark - t.before - t.records;
  if (transactions < 1) {
    throw new Error(`${t.topic}: high watermark ${highWatermark} after ${t.before} + ${t.records} records holds no commit marker`);
  }
  return { ...f, transactions, highWatermark, lastStableOffset };
}

/** Waits until no transaction is open on partition 0: its last stable offset reaches its high watermark. */
async function settled(conn: Connection, topic: string): Promise<{ highWatermark: number; lastStableOffset: number }> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const highWatermark = await latest(conn, topic, READ_UNCOMMITTED);
    const lastStableOffset = await latest(conn, topic, READ_COMMITTED);
    if (lastStableOffset === highWatermark) return { highWatermark, lastStableOffset };
    if (Date.now() > deadline) {
      throw new Error(`${topic}: last stable offset ${lastStableOffset} still below high watermark ${highWatermark} ${SETTLE_TIMEOUT_MS / 1000} s after the producer closed`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function latest(conn: Connection, topic: string, isolationLevel: number): Promise<number> {
  const res = await conn.request(ListOffsetsRequest, ListOffsetsResponse, LIST_OFFSETS_VERSION, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: LATEST }] }],
  });
  const p = res.topics[0]?.partitions[0];
  if (!p) throw new Error(`ListOffsets answered without ${topic}-0`);
  if (p.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets ${topic}-0 (isolation ${isolationLevel}): ${errorName(p.errorCode)}`);
  return Number(p.offset);
}
