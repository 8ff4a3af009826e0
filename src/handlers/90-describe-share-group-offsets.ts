// DescribeShareGroupOffsets (key 90), v0-1 (KIP-932): each share partition's start offset (and,
// v1, its lag) as the share coordinator keeps it; topics null asks for every initialized partition.
import { DescribeShareGroupOffsetsRequest } from '../protocol/generated/describe-share-group-offsets-request.js';
import { DescribeShareGroupOffsetsResponse } from '../protocol/generated/describe-share-group-offsets-response.js';
import { defineHandler } from './handler.js';
import { authorized, groupDenied, Op, Resource } from './authorize.js';

const GROUP_AUTHORIZATION_FAILED = 30;
const TOPIC_AUTHORIZATION_FAILED = 29;

export default defineHandler<DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse>({
  apiKey: 90,
  minVersion: 0,
  maxVersion: 1,
  request: DescribeShareGroupOffsetsRequest,
  response: DescribeShareGroupOffsetsResponse,
  async handle(ctx, req) {
    if (!ctx.broker.authorizer) return { throttleTimeMs: 0, groups: await ctx.broker.groups.shareGroups.describeOffsets(req) };
    // Kafka's KafkaApis: DESCRIBE on each group; a named topic without DESCRIBE gets TOPIC_AUTHORIZATION_FAILED, all-topics answers leave it out.
    const allowed = req.groups.filter((g) => !groupDenied(ctx, Op.DESCRIBE, g.groupId));
    const canDescribe = (topic: string) => authorized(ctx, Op.DESCRIBE, Resource.TOPIC, topic);
    const asked = allowed.map((g) => ({ ...g, topics: g.topics === null ? null : g.topics.filter((t) => canDescribe(t.topicName)) }));
    const answered = asked.length > 0 ? await ctx.broker.groups.shareGroups.describeOffsets({ groups: asked }) : [];
    const byId = new Map(answered.map((g) => [g.groupId, g]));
    const groups = req.groups.map((g) => {
      const a = byId.get(g.groupId);
      if (!a) return { groupId: g.groupId, topics: [], errorCode: GROUP_AUTHORIZATION_FAILED, errorMessage: 'The group has no DESCRIBE permission.' };
      const deniedTopics = (g.topics ?? [])
        .filter((t) => !canDescribe(t.topicName))
        .map((t) => ({ topicName: t.topicName, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, startOffset: -1, leaderEpoch: -1, lag: -1, errorCode: TOPIC_AUTHORIZATION_FAILED, errorMessage: null })) }));
      return { ...a, topics: [...a.topics.filter((t) => canDescribe(t.topicName)), ...deniedTopics] };
    });
    return { throttleTimeMs: 0, groups };
  },
});
