// The fetch workload: reads a produced topic back from offset 0. The produce run tells us exactly
// which offsets exist, so fetches for consecutive ~partition-max-bytes slices can be pipelined on
// one connection; each slice counts only the whole batches inside it, and a short answer is
// followed up from where it stopped.
import { performance } from 'node:perf_hooks';
import { FetchRequest } from '../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../src/protocol/generated/fetch-response.js';
import { ErrorCode, errorName } from '../src/protocol/errors.js';
import type { Versions } from './admin.js';
import type { Connection } from './connection.js';

const BATCH_HEADER_SIZE = 61;
const LOG_OVERHEAD = 12;
/** Kafka consumer's fetch.max.bytes default. */
const FETCH_MAX_BYTES = 50 * 1024 * 1024;
/** Empty answers in a row for one slice before the run is declared stuck. */
const MAX_EMPTY = 50;

export interface FetchSpec {
  topic: string;
  /** Records at offsets 0..n-1 of each partition. */
  perPartition: number[];
  recordsPerBatch: number;
  batchSize: number;
  recordSize: number;
  partitionMaxBytes: number;
  inFlight: number;
}

export interface FetchResult {
  records: number;
  valueBytes: number;
  batchBytes: number;
  requests: number;
  elapsedMs: number;
}

/** Offsets [from, to) of one partition, wanted by one fetch. */
interface Slice {
  partition: number;
  from: number;
  to: number;
  empty: number;
}

export async function runFetch(conn: Connection, v: Versions, spec: FetchSpec): Promise<FetchResult> {
  const sliceRecords = Math.max(1, Math.floor(spec.partitionMaxBytes / spec.batchSize)) * spec.recordsPerBatch;
  // Request k asks every partition for its k-th slice, as a consumer asks for all its partitions.
  const queue: Slice[][] = [];
  const longest = Math.max(...spec.perPartition);
  for (let from = 0; from < longest; from += sliceRecords) {
    const unit: Slice[] = [];
    spec.perPartition.forEach((n, partition) => {
      if (from < n) unit.push({ partition, from, to: Math.min(n, from + sliceRecords), empty: 0 });
    });
    queue.push(unit);
  }
  const result: FetchResult = { records: 0, valueBytes: 0, batchBytes: 0, requests: 0, elapsedMs: 0 };
  const start = performance.now();
  let inFlight = 0;

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const next = () => {
      while (!failed && inFlight < spec.inFlight && queue.length > 0) send(queue.shift()!);
      if (!failed && inFlight === 0 && queue.length === 0) resolve();
    };
    const send = (unit: Slice[]) => {
      inFlight++;
      conn.request(FetchRequest, FetchResponse, v.fetch, request(spec, unit)).then(
        (res) => {
          if (failed) return;
          try {
            inFlight--;
            result.requests++;
            const rest = account(res, spec, unit, result);
            if (rest.length > 0) queue.unshift(rest);
            next();
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
    next();
  });

  result.elapsedMs = performance.now() - start;
  const expected = spec.perPartition.reduce((a, b) => a + b, 0);
  if (result.records !== expected) throw new Error(`fetched ${result.records} records of ${spec.topic}, produced ${expected}`);
  result.valueBytes = result.records * spec.recordSize;
  return result;
}

function request(spec: FetchSpec, unit: Slice[]): FetchRequest {
  return {
    clusterId: null,
    replicaId: -1,
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: FETCH_MAX_BYTES,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: spec.topic,
        partitions: unit.map((s) => ({
          partition: s.partition,
          currentLeaderEpoch: -1,
          fetchOffset: s.from,
          lastFetchedEpoch: -1,
          logStartOffset: -1,
          partitionMaxBytes: spec.partitionMaxBytes,
        })),
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** Counts the whole batches each slice received; returns the parts of slices still to fetch. */
function account(res: FetchResponse, spec: FetchSpec, unit: Slice[], result: FetchResult): Slice[] {
  if ((res.errorCode ?? 0) !== ErrorCode.NONE) throw new Error(`fetch failed: ${errorName(res.errorCode!)}`);
  const rest: Slice[] = [];
  for (const slice of unit) {
    const t = res.responses.find((x) => x.topic === spec.topic);
    const p = t?.partitions.find((x) => x.partitionIndex === slice.partition);
    if (!p) throw new Error(`fetch response lacks ${spec.topic}-${slice.partition}`);
    if (p.errorCode !== ErrorCode.NONE) {
      throw new Error(`fetch of ${spec.topic}-${slice.partition} at ${slice.from} failed: ${errorName(p.errorCode)}`);
    }
    const chunks = p.records === null ? [] : Buffer.isBuffer(p.records) ? [p.records] : p.records;
    let reached = slice.from;
    for (const buf of chunks) reached = countBatches(buf, slice, reached, result);
    if (reached < slice.to) {
      const empty = reached === slice.from ? slice.empty + 1 : 0;
      if (empty > MAX_EMPTY) {
        throw new Error(`${spec.topic}-${slice.partition}: no data at offset ${reached} (high watermark ${p.highWatermark})`);
      }
      rest.push({ partition: slice.partition, from: reached, to: slice.to, empty });
    }
  }
  return rest;
}

/**
 * Walks the batches in `buf`, counting those that start where the slice has reached so far and
 * lie inside it; a trailing partial batch (Kafka may cut one at the byte limit) is ignored.
 */
function countBatches(buf: Buffer, slice: Slice, reached: number, result: FetchResult): number {
  let pos = 0;
  while (pos + BATCH_HEADER_SIZE <= buf.length) {
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + 8);
    if (pos + size > buf.length) break;
    const baseOffset = Number(buf.readBigInt64BE(pos));
    const lastOffset = baseOffset + buf.readInt32BE(pos + 23);
    if (baseOffset >= slice.to) break;
    if (lastOffset >= reached) {
      if (baseOffset !== reached) throw new Error(`batch at offset ${baseOffset}, expected one at ${reached}`);
      if (lastOffset >= slice.to) throw new Error(`batch ${baseOffset}-${lastOffset} crosses slice end ${slice.to}`);
      const count = buf.readInt32BE(pos + 57);
      if (count !== lastOffset - baseOffset + 1) throw new Error(`batch at ${baseOffset} holds ${count} records, spans ${lastOffset - baseOffset + 1} offsets`);
      result.records += count;
      result.batchBytes += size;
      reached = lastOffset + 1;
    }
    pos += size;
  }
  return reached;
}
