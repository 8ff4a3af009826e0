// Fetch (key 1), v4-17. Long-polls: when fewer than min_bytes are available it waits for an
// append to any requested partition or for max_wait_ms, with no polling. Honours the response
// max_bytes (capped by fetch.max.bytes) and each partition's max bytes, and returns at least one
// whole batch from the first partition with data (KIP-74). Records go out as the log's own
// buffers. Fetch sessions (KIP-227) are not kept: every request is a full, sessionless fetch,
// which Kafka's clients accept (session id 0 in the response).
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

const READ_COMMITTED = 1;

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
        const { responses, bytes, failed } = await readAll(wanted, maxBytes, readCommitted);
        const remaining = deadline - Date.now();
        if (bytes >= req.minBytes || failed || remaining <= 0 || logs.length === 0) {
          return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses };
        }
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
  let bytes = 0;
  let failed = false;
  const responses: TopicResponse[] = [];
  for (const t of wanted) {
    const partitions: PartitionData[] = [];
    for (const w of t.partitions) {
      const pd = await readOne(w, Math.min(w.maxBytes, maxBytes - bytes), bytes === 0, readCommitted);
      if (pd.errorCode !== ErrorCode.NONE) failed = true;
      bytes += pd.size;
      partitions.push(pd.data);
    }
    responses.push({ topic: t.topic, topicId: t.topicId, partitions });
  }
  return { responses, bytes, failed };
}

async function readOne(w: Wanted, limit: number, first: boolean, readCommitted: boolean) {
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
  if (!l || w.errorCode !== ErrorCode.NONE) return { data, size: 0, errorCode: data.errorCode };
  try {
    if (limit <= 0 && !first) return { data, size: 0, errorCode: ErrorCode.NONE };
    const r = await l.read(w.fetchOffset, Math.max(limit, 0), first);
    data.highWatermark = r.highWatermark;
    data.lastStableOffset = r.lastStableOffset;
    data.logStartOffset = r.logStartOffset;
    data.records = r.records;
    return { data, size: r.bytes, errorCode: ErrorCode.NONE };
  } catch (e) {
    if (!(e instanceof KafkaError)) {
      log.error(`fetch from ${l.topic}-${l.partition} failed: ${(e as Error)?.message ?? e}`);
      data.errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
    } else {
      data.errorCode = e.errorCode;
    }
    return { data, size: 0, errorCode: data.errorCode };
  }
}
