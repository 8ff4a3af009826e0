// Topic creation that waits until the broker serves every partition, then writes one record to each:
// Kafka names a leader in its metadata before the broker has created the partition's log, and opens a
// segment's index files on its first append; a measured producer should not pay for either (with a
// thousand partitions, that first touch costs Kafka seconds).
import { ListOffsetsRequest } from '../../src/protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../../src/protocol/generated/list-offsets-response.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { ErrorCode, errorName } from '../../src/protocol/errors.js';
import { createTopic, type Versions } from '../admin.js';
import type { Connection } from '../connection.js';
import { makeBatch } from '../produce.js';

/** Served by both: samsa from 1, Kafka 4.4 1-11. */
const LIST_OFFSETS_VERSION = 7;
const LATEST = -1;
const READY_TIMEOUT_MS = 120_000;

/** Creates the topic and writes one record to each partition; returns the number of records written. */
export async function createReadyTopic(conn: Connection, v: Versions, topic: string, partitions: number): Promise<number> {
  await awaitServed(conn, v, topic, partitions);
  const records = makeBatch(16, 0);
  const res = await conn.request(ProduceRequest, ProduceResponse, v.produce, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 30_000,
    topicData: [{ name: topic, partitionData: Array.from({ length: partitions }, (_, index) => ({ index, records })) }],
  });
  for (const t of res.responses) {
    for (const p of t.partitionResponses) {
      if (p.errorCode !== ErrorCode.NONE) throw new Error(`first record to ${topic}-${p.index} failed: ${errorName(p.errorCode)}`);
    }
  }
  return partitions;
}

async function awaitServed(conn: Connection, v: Versions, topic: string, partitions: number): Promise<void> {
  await createTopic(conn, v, topic, partitions);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const res = await conn.request(ListOffsetsRequest, ListOffsetsResponse, LIST_OFFSETS_VERSION, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, i) => ({ partitionIndex: i, currentLeaderEpoch: -1, timestamp: LATEST })) }],
    });
    const errors = res.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode !== ErrorCode.NONE));
    const answered = res.topics.reduce((n, t) => n + t.partitions.length, 0);
    if (errors.length === 0 && answered === partitions) return;
    if (Date.now() > deadline) {
      throw new Error(`${topic}: ${errors.length} of ${partitions} partitions not served after ${READY_TIMEOUT_MS / 1000} s (${errors[0] ? errorName(errors[0].errorCode) : 'missing'})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
