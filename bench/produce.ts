// The produce workload: one connection, a fixed number of requests in flight, each request carrying
// one ~batch-size batch per partition (what a Java producer with linger sends under load).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ProduceRequest } from '../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../src/protocol/generated/produce-response.js';
import { ErrorCode, errorName } from '../src/protocol/errors.js';
import { buildBatch } from '../src/protocol/records/records.js';
import type { Versions } from './admin.js';
import type { Connection } from './connection.js';

export interface ProduceSpec {
  topic: string;
  partitions: number;
  recordSize: number;
  /** Target size of one batch, in bytes. */
  batchBytes: number;
  acks: number;
  inFlight: number;
  durationMs: number;
  /** Stop early once this many batch bytes are acknowledged. */
  maxBytes: number;
}

export interface ProduceResult {
  records: number;
  valueBytes: number;
  /** Record batch bytes on the wire (headers and framing of the records included). */
  batchBytes: number;
  requests: number;
  elapsedMs: number;
  /** Milliseconds from sending each request to decoding its response. */
  latenciesMs: Float64Array;
  /** Acknowledged records per partition, all at offsets 0..n-1 of a fresh topic. */
  perPartition: number[];
  recordsPerBatch: number;
}

/** One batch of records with random (incompressible) values and no keys, close to `batchBytes`. */
export function makeBatch(recordSize: number, batchBytes: number): Buffer {
  const value = randomBytes(recordSize);
  const build = (n: number) => buildBatch({ records: Array.from({ length: n }, () => ({ value })) });
  const one = build(1).length;
  const perRecord = build(2).length - one;
  const n = Math.max(1, 1 + Math.floor((batchBytes - one) / perRecord));
  return build(n);
}

export async function runProduce(conn: Connection, v: Versions, spec: ProduceSpec): Promise<ProduceResult> {
  const batch = makeBatch(spec.recordSize, spec.batchBytes);
  const recordsPerBatch = batch.readInt32BE(57);
  // The broker rewrites offsets in its own copy of the bytes it received; ours is sent unchanged.
  const request: ProduceRequest = {
    transactionalId: null,
    acks: spec.acks,
    timeoutMs: 30_000,
    topicData: [
      {
        name: spec.topic,
        partitionData: Array.from({ length: spec.partitions }, (_, index) => ({ index, records: batch })),
      },
    ],
  };
  const perPartition = new Array<number>(spec.partitions).fill(0);
  const latencies: number[] = [];
  const requestBytes = batch.length * spec.partitions;
  let ackedBytes = 0;
  let sentBytes = 0;
  let inFlight = 0;
  const start = performance.now();
  const deadline = start + spec.durationMs;
  let end = start;

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const onResponse = (res: ProduceResponse, sentAt: number) => {
      const now = performance.now();
      latencies.push(now - sentAt);
      check(res, spec, perPartition, recordsPerBatch);
      ackedBytes += requestBytes;
      inFlight--;
      end = now;
      if (now < deadline && sentBytes < spec.maxBytes) send();
      else if (inFlight === 0) resolve();
    };
    const send = () => {
      const sentAt = performance.now();
      inFlight++;
      sentBytes += requestBytes;
      conn.request(ProduceRequest, ProduceResponse, v.produce, request).then(
        (res) => {
          if (failed) return;
          try {
            onResponse(res, sentAt);
          } catch (e) {
            failed = true;
            reject(e);
          }
        },
        (e) => {
          failed = true;
          reject(e);
        },
      );
    };
    for (let i = 0; i < spec.inFlight; i++) send();
  });

  const records = perPartition.reduce((a, b) => a + b, 0);
  return {
    records,
    valueBytes: records * spec.recordSize,
    batchBytes: ackedBytes,
    requests: latencies.length,
    elapsedMs: end - start,
    latenciesMs: Float64Array.from(latencies),
    perPartition,
    recordsPerBatch,
  };
}

/**
 * Every partition must be acknowledged without error, at exactly the offset that follows the
 * records acknowledged before it: the topic is fresh and one connection's requests apply in order.
 */
function check(res: ProduceResponse, spec: ProduceSpec, perPartition: number[], recordsPerBatch: number): void {
  let seen = 0;
  for (const t of res.responses) {
    if (t.name !== spec.topic) throw new Error(`produce response names unknown topic ${t.name}`);
    for (const p of t.partitionResponses) {
      if (p.errorCode !== ErrorCode.NONE) {
        throw new Error(`produce to ${spec.topic}-${p.index} failed: ${errorName(p.errorCode)} ${p.errorMessage ?? ''}`);
      }
      if (p.index < 0 || p.index >= spec.partitions) throw new Error(`produce response for unknown partition ${p.index}`);
      if (p.baseOffset !== perPartition[p.index]) {
        throw new Error(`${spec.topic}-${p.index}: base offset ${p.baseOffset}, expected ${perPartition[p.index]}`);
      }
      perPartition[p.index] += recordsPerBatch;
      seen++;
    }
  }
  if (seen !== spec.partitions) throw new Error(`produce response covers ${seen} of ${spec.partitions} partitions`);
}
