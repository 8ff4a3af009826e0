// OffsetFetch (key 9), v1-9 (Kafka 4 removed v0). Offsets of the requested partitions (-1 and "" where none is
// committed) or, with a null topic list (v2+), of every partition the group has committed.
// v8+ asks for several groups at once, each with its own error; v2-7 carry one top-level error;
// v0-1, which have none, repeat a group error on every requested partition.
import { OffsetFetchRequest } from '../protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../protocol/generated/offset-fetch-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';

export default defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  minVersion: 1,
  maxVersion: 9,
  request: OffsetFetchRequest,
  response: OffsetFetchResponse,
  handle(ctx, req) {
    const groups = ctx.broker.groups;
    if (ctx.apiVersion >= 8) {
      return {
        throttleTimeMs: 0,
        groups: (req.groups ?? []).map((g) => {
          const r = groups.fetchOffsets(g.groupId, g.topics?.map((t) => ({ name: t.name ?? '', partitionIndexes: t.partitionIndexes })) ?? null);
          return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics };
        }),
      };
    }
    const requested = req.topics?.map((t) => ({ name: t.name ?? '', partitionIndexes: t.partitionIndexes })) ?? null;
    const r = groups.fetchOffsets(req.groupId ?? '', requested);
    if (r.errorCode !== ErrorCode.NONE && ctx.apiVersion < 2) {
      const topics = (requested ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: r.errorCode })),
      }));
      return { throttleTimeMs: 0, topics, errorCode: r.errorCode };
    }
    return { throttleTimeMs: 0, topics: r.topics, errorCode: r.errorCode };
  },
});
