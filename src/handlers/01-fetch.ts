// Fetch (key 1), v4-17. Long-polls: when fewer than min_bytes are available it waits for an
// append to any requested partition or for max_wait_ms, with no polling. Honours the response
// max_bytes (capped by fetch.max.bytes) and each partition's max bytes, and returns at least one
// whole batch from the first partition with data (KIP-74). Partition reads run ahead of the
// response's order, up to CONCURRENT_READS at once. Records go out as the log's own buffers; pooled
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
  const reads = await readAhead(list, maxBytes, readCommitted);
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

/** A read started ahead of its turn, with the room and minOneBatch it was given. */
interface StartedRead {
  read: Promise<PartitionRead>;
  limit: number;
  first: boolean;
}

/**
 * Kafka's answer (partitions in request order, each given what the response has left, the first
 * with data at least one batch: KIP-74) with up to CONCURRENT_READS reads in flight: each is
 * started with the room left when it starts, then, walking in request order, any read the serial
 * loop would have made differently (it took more than the room now left; it is the first with
 * data but its first batch did not fit) is made again as the loop makes it.
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
