// DeleteShareGroupOffsets (key 92), v0 (KIP-932): deletes the share-partition state of topics of an
// Empty share group (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND when there is no such group).
import { ErrorCode } from '../protocol/errors.js';
import { DeleteShareGroupOffsetsRequest } from '../protocol/generated/delete-share-group-offsets-request.js';
import { DeleteShareGroupOffsetsResponse } from '../protocol/generated/delete-share-group-offsets-response.js';
import { defineHandler } from './handler.js';
import { shareGroupsEnabled, UNSUPPORTED_VERSION_MESSAGE } from './share-groups-enabled.js';
import { authorized, groupDenied, Op, Resource } from './authorize.js';

export default defineHandler<DeleteShareGroupOffsetsRequest, DeleteShareGroupOffsetsResponse>({
  apiKey: 92,
  minVersion: 0,
  maxVersion: 0,
  request: DeleteShareGroupOffsetsRequest,
  response: DeleteShareGroupOffsetsResponse,
  async handle(ctx, req) {
    if (!shareGroupsEnabled(ctx)) return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: UNSUPPORTED_VERSION_MESSAGE, responses: [] };
    // Kafka's KafkaApis: DELETE on the group, READ on each topic (TOPIC_AUTHORIZATION_FAILED otherwise).
    if (groupDenied(ctx, Op.DELETE, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, responses: [] };
    if (!ctx.broker.authorizer) return ctx.broker.groups.shareGroups.deleteOffsets(req);
    const readable = req.topics.filter((t) => authorized(ctx, Op.READ, Resource.TOPIC, t.topicName));
    const denied = req.topics
      .filter((t) => !readable.includes(t))
      .map((t) => ({ topicName: t.topicName, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null }));
    if (readable.length === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses: denied };
    const res = await ctx.broker.groups.shareGroups.deleteOffsets({ ...req, topics: readable });
    return { ...res, responses: [...res.responses, ...denied] };
  },
});
