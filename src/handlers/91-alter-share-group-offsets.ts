// AlterShareGroupOffsets (key 91), v0 (KIP-932): sets the start offset of share partitions of an
// Empty share group (NON_EMPTY_GROUP otherwise); the group is created when it does not exist.
import { ErrorCode } from '../protocol/errors.js';
import { AlterShareGroupOffsetsRequest } from '../protocol/generated/alter-share-group-offsets-request.js';
import { AlterShareGroupOffsetsResponse } from '../protocol/generated/alter-share-group-offsets-response.js';
import { defineHandler } from './handler.js';
import { shareGroupsEnabled, UNSUPPORTED_VERSION_MESSAGE } from './share-groups-enabled.js';
import { authorized, groupDenied, Op, Resource } from './authorize.js';

export default defineHandler<AlterShareGroupOffsetsRequest, AlterShareGroupOffsetsResponse>({
  apiKey: 91,
  minVersion: 0,
  maxVersion: 0,
  request: AlterShareGroupOffsetsRequest,
  response: AlterShareGroupOffsetsResponse,
  async handle(ctx, req) {
    if (!shareGroupsEnabled(ctx)) return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: UNSUPPORTED_VERSION_MESSAGE, responses: [] };
    // Kafka's KafkaApis: READ on the group, READ on each topic (its partitions TOPIC_AUTHORIZATION_FAILED otherwise).
    if (groupDenied(ctx, Op.READ, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, responses: [] };
    if (!ctx.broker.authorizer) return ctx.broker.groups.shareGroups.alterOffsets(req);
    const readable = req.topics.filter((t) => authorized(ctx, Op.READ, Resource.TOPIC, t.topicName));
    const denied = req.topics
      .filter((t) => !readable.includes(t))
      .map((t) => ({ topicName: t.topicName, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null })) }));
    if (readable.length === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: denied };
    const res = await ctx.broker.groups.shareGroups.alterOffsets({ ...req, topics: readable });
    return { ...res, responses: [...res.responses, ...denied] };
  },
});
