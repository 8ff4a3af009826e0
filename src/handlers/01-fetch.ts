// Fetch (key 1), v4-17. Long-polls: when fewer than min_bytes are available it waits for an
// append to any requested partition or for max_wait_ms, with no polling. Honours the response
// max_bytes (capped by fetch.max.bytes) and each partition's max bytes, and returns at least one
// whole batch from the first partition with data (KIP-74). Partitions are read concurrently when
// their max bytes together fit the response's. Records go out as the log's own buffers; pooled
// read buffers go back once the response is written. Fetch sessions (KIP-227) are not kept:
// every request is a full, sessionless fetch, which Kafka's clients accept (session id 0).
import { FetchRequest } from '../protocol/generated/fetch-request.js';
import { FetchResponse } from '../protocol/generated/fetch-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError, type PartitionLog } from '../storage/types.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import { log } from '../log.js';
import { defineHandler, type RequestContext } from './handler.js';
import { leaderEpochError } from './leader-epoch.js';

type TopicResponse = FetchResponse['responses'][number];
type PartitionData = TopicResponse['partitions'][number];

interface Wanted {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  log: PartitionLog | undefined;
  /** An error known before reading (unknown topic, fenced epoch). */
  errorCode: number;
}

interface WantedTopic {
  topic: string;
  topicId: string;
  partitions: Wanted[];
}

/** What one partition's read gave, as the response will carry it. */
interface PartitionRead {
  data: PartitionData;
  size: number;
  errorCode: number;
  /** Gives a pooled read buffer back: once the response is written, or at once if it is dropped. */
  release: (() => void) | undefined;
}

const READ_COMMITTED = 1;
/** Partition reads in flight at once for one fetch (the read pool's slab count). */
const CONCURRENT_READS = 32;

export default defineHandler<FetchRequest, FetchResponse>({
  apiKey: 1,
  minVersion: 4,
  maxVersion: 17,
  request: FetchRequest,
  response: FetchResponse,
  async handle(ctx, req) {
    if ((req.sessionId ?? 0) !== 0) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    }
    const wanted = resolve(ctx, req);
    const maxBytes = Math.min(req.maxBytes ?? 0x7fffffff, ctx.broker.config.number('fetch.max.bytes'));
    const readCommitted = req.isolationLevel === READ_COMMITTED;
    const logs = wanted.flatMap((t) => t.partitions.flatMap((p) => (p.log ? [p.log] : [])));
    const deadline = Date.now() + req.maxWaitMs;
    for (;;) {
      let wake!: () => void;
      const appended = new Promise<void>((r) => (wake = r));
      const unsubscribe = logs.map((l) => l.onAppend(wake));
      try {
        const { responses, bytes, failed, releases } = await readAll(wanted, maxBytes, readCommitted);
        const remaining = deadline - Date.now();
        if (bytes >= req.minBytes || failed || remaining <= 0 || logs.length === 0) {
          if (releases.length > 0) ctx.afterResponse(() => releaseAll(releases));
          return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses };
        }
        // Not enough yet: these bytes are read again after the wait.
        releaseAll(releases);
        const timer = setTimeout(wake, remaining);
        await appended;
        clearTimeout(timer);
      } finally {
        for (const u of unsubscribe) u();
      }
    }
  },
});

function resolve(ctx: RequestContext, req: FetchRequest): WantedTopic[] {
  const byId = ctx.apiVersion >= 13;
  return req.topics.map((t) => {
    const info = byId ? ctx.broker.topics.getById(t.topicId ?? ZERO_UUID) : ctx.broker.topics.get(t.topic ?? '');
    const unknown = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return {
      topic: info?.name ?? t.topic ?? '',
      topicId: info?.topicId ?? t.topicId ?? ZERO_UUID,
      partitions: t.partitions.map((p) => {
        const partitionLog = info ? ctx.broker.partitionLog(info.name, p.partition) : undefined;
        const errorCode = !info
          ? unknown
          : !partitionLog
            ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            : leaderEpochError(partitionLog, p.currentLeaderEpoch);
        return { partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.partitionMaxBytes, log: partitionLog, errorCode };
      }),
    };
  });
}

async function readAll(wanted: WantedTopic[], maxBytes: number, readCommitted: boolean) {
  const list: Wanted[] = [];
  for (const t of wanted) for (const w of t.partitions) list.push(w);
  const reads =
    list.length > 1 && fitsWhole(list, maxBytes)
      ? await readConcurrently(list, maxBytes, readCommitted)
      : await readSerially(list, maxBytes, readCommitted);
  let bytes = 0;
  let failed = false;
  const releases: (() => void)[] = [];
  let i = 0;
  const responses: TopicResponse[] = wanted.map((t) => ({
    topic: t.topic,
    topicId: t.topicId,
    partitions: t.partitions.map(() => {
      const r = reads[i++];
      if (r.errorCode !== ErrorCode.NONE) failed = true;
      if (r.release) releases.push(r.release);
      bytes += r.size;
      return r.data;
    }),
  }));
  return { responses, bytes, failed, releases };
}

/** Kafka's order: each partition gets what the response has left, the first with data at least one batch. */
async function readSerially(list: Wanted[], maxBytes: number, readCommitted: boolean): Promise<PartitionRead[]> {
  const reads: PartitionRead[] = [];
  let bytes = 0;
  for (const w of list) {
    const r = await readOne(w, Math.min(w.maxBytes, maxBytes - bytes), bytes === 0, readCommitted);
    bytes += r.size;
    reads.push(r);
  }
  return reads;
}

/** Whether every partition can have its whole max bytes: then none depends on what the others read. */
function fitsWhole(list: Wanted[], maxBytes: number): boolean {
  let sum = 0;
  for (const w of list) if (w.log && w.errorCode === ErrorCode.NONE) sum += Math.max(w.maxBytes, 0);
  return sum <= maxBytes;
}

/**
 * The serial loop's answer with the reads in flight together: each partition is read with its own
 * max bytes (minOneBatch for the first only), then, walking in request order, any read the
 * serial loop would have made differently (a larger batch before it took its room; it is the
 * first with data but its first batch did not fit: KIP-74) is made again as the loop makes it.
 */
async function readConcurrently(list: Wanted[], maxBytes: number, readCommitted: boolean): Promise<PartitionRead[]> {
  const started: Promise<PartitionRead>[] = [];
  const start = () => {
    const i = started.length;
    started.push(readOne(list[i], list[i].maxBytes, i === 0, readCommitted));
  };
  while (started.length < Math.min(list.length, CONCURRENT_READS)) start();
  const reads: PartitionRead[] = [];
  try {
    let bytes = 0;
    for (let i = 0; i < list.length; i++) {
      if (started.length < list.length) start();
      const w = list[i];
      const limit = Math.min(w.maxBytes, maxBytes - bytes);
      const first = bytes === 0;
      let r = await started[i];
      if (!asSerial(r, w, i === 0, limit, first)) {
        r.release?.();
        r = await readOne(w, limit, first, readCommitted);
      }
      bytes += r.size;
      reads.push(r);
    }
    return reads;
  } catch (e) {
    // readOne answers errors itself; should anything else throw, no lease stays out.
    releaseAll(reads.flatMap((r) => (r.release ? [r.release] : [])));
    for (const p of started.slice(reads.length)) p.then((r) => r.release?.(), () => {});
    throw e;
  }
}

/** Whether a read made with (w.maxBytes, usedFirst) is what readOne(w, limit, first) gives. */
function asSerial(r: PartitionRead, w: Wanted, usedFirst: boolean, limit: number, first: boolean): boolean {
  const skips = limit <= 0 && !first;
  if (skips !== (w.maxBytes <= 0 && !usedFirst)) return false;
  if (skips || r.errorCode !== ErrorCode.NONE) return true;
  if (Math.max(limit, 0) !== Math.max(w.maxBytes, 0)) return false;
  if (first === usedFirst) return true;
  // minOneBatch changes an answer only when the first batch did not fit and came back as nothing.
  return first && (r.size > 0 || w.fetchOffset >= r.data.highWatermark);
}

function releaseAll(releases: (() => void)[]): void {
  for (const release of releases) release();
}

async function readOne(w: Wanted, limit: number, first: boolean, readCommitted: boolean): Promise<PartitionRead> {
  const l = w.log;
  const data: PartitionData = {
    partitionIndex: w.partition,
    errorCode: w.errorCode,
    highWatermark: l?.highWatermark ?? -1,
    lastStableOffset: l?.highWatermark ?? -1,
    logStartOffset: l?.logStartOffset ?? -1,
    abortedTransactions: readCommitted ? [] : null,
    preferredReadReplica: -1,
    records: [],
  };
  if (!l || w.errorCode !== ErrorCode.NONE) return { data, size: 0, errorCode: data.errorCode, release: undefined };
  try {
    if (limit <= 0 && !first) return { data, size: 0, errorCode: ErrorCode.NONE, release: undefined };
    const r = await l.read(w.fetchOffset, Math.max(limit, 0), first, true);
    data.highWatermark = r.highWatermark;
    data.lastStableOffset = r.lastStableOffset;
    data.logStartOffset = r.logStartOffset;
    data.records = r.records;
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
