// OffsetDelete (key 47), v0: deletes a group's offsets for the given partitions. Unknown
// topics and partitions get UNKNOWN_TOPIC_OR_PARTITION; topics a member still subscribes to get
// GROUP_SUBSCRIBED_TO_TOPIC; group-level errors (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP) come alone.
import { OffsetDeleteRequest } from '../protocol/generated/offset-delete-request.js';
import { OffsetDeleteResponse } from '../protocol/generated/offset-delete-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { topicResults } from './topic-results.js';
import { authorized, Op, Resource } from './authorize.js';


export default defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: 47,
  minVersion: 0,
  maxVersion: 0,
  request: OffsetDeleteRequest,
  response: OffsetDeleteResponse,
  async handle(ctx, req) {
    if (!authorized(ctx, Op.DELETE, Resource.GROUP, req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    const { topics, add } = topicResults();
    const valid: { name: string; partitions: number[] }[] = [];
    for (const t of req.topics) {
      if (!authorized(ctx, Op.READ, Resource.TOPIC, t.name)) {
        for (const p of t.partitions) add(t.name, p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        continue;
      }
      const info = ctx.broker.topics.get(t.name);
      const partitions: number[] = [];
      for (const p of t.partitions) {
        if (!info || p.partitionIndex < 0 || p.partitionIndex >= info.partitions) add(t.name, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        else partitions.push(p.partitionIndex);
      }
      if (info) valid.push({ name: t.name, partitions });
    }
    const result = await ctx.broker.groups.deleteOffsets(req.groupId, valid);
    if (result.errorCode !== ErrorCode.NONE) return { errorCode: result.errorCode, throttleTimeMs: 0, topics: [] };
    for (const t of result.topics) for (const p of t.partitions) add(t.name, p.partitionIndex, p.errorCode);
    return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics };
  },
});
