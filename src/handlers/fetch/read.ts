// Reading a fetch's partitions: Kafka's answer (partitions in order, each given what the response
// has left, the first with data at least one whole batch: KIP-74) with up to CONCURRENT_READS reads
// in flight. A partition with nothing to read (an error known before reading, or its fetch offset at
// the high watermark) is answered at once without touching its log: in a fetch session most of the
// session's partitions are idle on most fetches. Records go out as the log's own buffers; pooled
// read buffers go back once the response is written.
import type { FetchResponse } from '../../protocol/generated/fetch-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { BATCH_HEADER_SIZE, batchSize, lastOffsetOf } from '../../protocol/records/batch.js';
import { KafkaError, type FetchIsolation, type PartitionLog } from '../../storage/types.js';
import { log } from '../../log.js';
import type { ReplicationThrottle } from '../context.js';

export type PartitionData = FetchResponse['responses'][number]['partitions'][number];

export interface Wanted {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  log: PartitionLog | undefined;
  /** An error known before reading (unknown topic, fenced epoch). */
  errorCode: number;
  /** A follower reads up to the log end ('logEnd'), consumers up to the high watermark. */
  isolation?: FetchIsolation;
  /** Where a follower's log diverges from this leader's: answered instead of records. */
  divergingEpoch?: { epoch: number; endOffset: number };
  /** KIP-392: the replica the consumer should read from; answered instead of records. */
  preferredReadReplica?: number;
  /** A follower's fetch of a leader-throttled partition (the replica layer's quota). */
  throttle?: ReplicationThrottle;
}

/** What one partition's read gave, as the response will carry it. */
export interface PartitionRead {
  data: PartitionData;
  size: number;
  errorCode: number;
  /** Gives a pooled read buffer back: once the response is written, or at once if it is dropped. */
  release: (() => void) | undefined;
}

/** Partition reads in flight at once for one fetch (the read pool's slab count). */
const CONCURRENT_READS = 32;

/** Reads `list` within `maxBytes`; the result is in the list's order. */
export async function readPartitions(list: readonly Wanted[], maxBytes: number, readCommitted: boolean): Promise<PartitionRead[]> {
  const reads: PartitionRead[] = new Array(list.length);
  const pending: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = readNow(list[i], readCommitted);
    if (r) reads[i] = r;
    else pending.push(i);
  }
  if (pending.length === 0) return reads;
  // Idle partitions take no bytes, so the others are read exactly as they would be among them.
  const got = await readAhead(
    pending.map((i) => list[i]),
    maxBytes,
    readCommitted,
  );
  for (let j = 0; j < pending.length; j++) reads[pending[j]] = got[j];
  return reads;
}

export function releaseAll(releases: (() => void)[]): void {
  for (const release of releases) release();
}

function emptyData(w: Wanted, readCommitted: boolean): PartitionData {
  const l = w.log;
  return {
    partitionIndex: w.partition,
    errorCode: w.errorCode,
    highWatermark: l?.highWatermark ?? -1,
    lastStableOffset: l?.lastStableOffset ?? -1,
    logStartOffset: l?.logStartOffset ?? -1,
    abortedTransactions: readCommitted ? [] : null,
    preferredReadReplica: -1,
    records: [],
  };
}

/** The answer for a partition that needs no read, or undefined. */
function readNow(w: Wanted, readCommitted: boolean): PartitionRead | undefined {
  const l = w.log;
  if (!l || w.errorCode !== ErrorCode.NONE) return { data: emptyData(w, readCommitted), size: 0, errorCode: w.errorCode, release: undefined };
  if ((w.preferredReadReplica ?? -1) >= 0) return { data: { ...emptyData(w, readCommitted), preferredReadReplica: w.preferredReadReplica! }, size: 0, errorCode: ErrorCode.NONE, release: undefined };
  if (w.divergingEpoch) return { data: { ...emptyData(w, readCommitted), divergingEpoch: w.divergingEpoch }, size: 0, errorCode: ErrorCode.NONE, release: undefined };
  // Kafka's shouldLeaderThrottle: an out-of-sync follower gets nothing while the quota is exceeded.
  if (w.throttle?.outOfSync && w.throttle.quota.isQuotaExceeded()) return { data: emptyData(w, readCommitted), size: 0, errorCode: ErrorCode.NONE, release: undefined };
  const isolation = isolationOf(w, readCommitted);
  const limit = isolation === 'logEnd' ? l.logEndOffset : isolation === 'txnCommitted' ? l.lastStableOffset : l.highWatermark;
  if (w.fetchOffset === limit) return { data: emptyData(w, readCommitted), size: 0, errorCode: ErrorCode.NONE, release: undefined };
  return undefined;
}

/** Followers read to the log end whatever the isolation level; read_committed consumers to the LSO. */
function isolationOf(w: Wanted, readCommitted: boolean): FetchIsolation {
  return w.isolation ?? (readCommitted ? 'txnCommitted' : 'highWatermark');
}

/** Offset after the last batch of a read (Kafka's upper bound for its aborted transactions), or -1. */
function endOfRead(records: Buffer[]): number {
  const buf = records[records.length - 1];
  if (!buf || buf.length < BATCH_HEADER_SIZE) return -1;
  let pos = 0;
  while (pos + batchSize(buf, pos) < buf.length) pos += batchSize(buf, pos);
  return lastOffsetOf(buf, pos) + 1;
}

/** A read started ahead of its turn, with the room and minOneBatch it was given. */
interface StartedRead {
  read: Promise<PartitionRead>;
  limit: number;
  first: boolean;
}

/**
 * The serial rule with up to CONCURRENT_READS reads in flight: each is started with the room left
 * when it starts, then, walking in order, any read the serial loop would have made differently
 * (it took more than the room now left; it is the first with data but its first batch did not fit)
 * is made again as the loop makes it.
 */
async function readAhead(list: Wanted[], maxBytes: number, readCommitted: boolean): Promise<PartitionRead[]> {
  const started: StartedRead[] = [];
  let bytes = 0;
  const start = () => {
    const w = list[started.length];
    const limit = Math.min(w.maxBytes, maxBytes - bytes);
    const first = bytes === 0;
    started.push({ read: readOne(w, limit, first, readCommitted), limit, first });
  };
  while (started.length < Math.min(list.length, CONCURRENT_READS)) start();
  const reads: PartitionRead[] = [];
  try {
    for (let i = 0; i < list.length; i++) {
      const w = list[i];
      const limit = Math.min(w.maxBytes, maxBytes - bytes);
      const first = bytes === 0;
      const s = started[i];
      let r = await s.read;
      if (!asSerial(r, w, s, limit, first)) {
        r.release?.();
        r = await readOne(w, limit, first, readCommitted);
      }
      bytes += r.size;
      reads.push(r);
      if (started.length < list.length) start();
    }
    return reads;
  } catch (e) {
    // readOne answers errors itself; should anything else throw, no lease stays out.
    releaseAll(reads.flatMap((r) => (r.release ? [r.release] : [])));
    for (const s of started.slice(reads.length)) s.read.then((r) => r.release?.(), () => {});
    throw e;
  }
}

/** Whether read `r`, started as `s`, is what readOne(w, limit, first) gives. */
function asSerial(r: PartitionRead, w: Wanted, s: StartedRead, limit: number, first: boolean): boolean {
  const skips = limit <= 0 && !first;
  if (skips !== (s.limit <= 0 && !s.first)) return false;
  if (skips || r.errorCode !== ErrorCode.NONE) return true;
  // Reads return whole batches in offset order up to their limit: one given more room than is left
  // now (bytes only grow) is a valid answer when what it took fits the room left.
  if (r.size > Math.max(limit, 0)) return false;
  // Read with minOneBatch where the loop has none: it took no more than the room, so it used none.
  if (first === s.first || s.first) return true;
  // The loop's minOneBatch changes an answer only when the first batch did not fit and came back as nothing.
  return r.size > 0 || w.fetchOffset >= r.data.highWatermark;
}

async function readOne(w: Wanted, limit: number, first: boolean, readCommitted: boolean): Promise<PartitionRead> {
  const l = w.log!;
  const data = emptyData(w, readCommitted);
  try {
    if (limit <= 0 && !first) return { data, size: 0, errorCode: ErrorCode.NONE, release: undefined };
    const isolation = isolationOf(w, readCommitted);
    const r = await l.read(w.fetchOffset, Math.max(limit, 0), first, true, isolation);
    data.highWatermark = r.highWatermark;
    data.lastStableOffset = r.lastStableOffset;
    data.logStartOffset = r.logStartOffset;
    data.records = r.records;
    // Kafka's addAbortedTransactions: those that may have data in what was read.
    if (isolation === 'txnCommitted' && r.records.length > 0) data.abortedTransactions = l.abortedTransactions(w.fetchOffset, endOfRead(r.records));
    return { data, size: r.bytes, errorCode: ErrorCode.NONE, release: r.release };
  } catch (e) {
    if (!(e instanceof KafkaError)) {
      log.error(`fetch from ${l.topic}-${l.partition} failed: ${(e as Error)?.message ?? e}`);
      data.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
    } else {
      data.errorCode = e.errorCode;
    }
    return { data, size: 0, errorCode: data.errorCode, release: undefined };
  }
}
