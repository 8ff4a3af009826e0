// OffsetCommit (key 8), v2-10 (Kafka 4 removed v0-1). Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION here;
// the rest go to the group coordinator, which validates member and generation and acknowledges
// once the commit is in __consumer_offsets. v2-4 carry a retention
// time, v6+ the leader epoch, v7+ group.instance.id; v9+ says GROUP_ID_NOT_FOUND for a missing group.
// v10 names topics by id (KIP-848), in the request and the response: an id this cluster does not
// know gets UNKNOWN_TOPIC_ID. Offsets are still kept by topic name, as Kafka keeps them.
import { OffsetCommitRequest } from '../protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse } from '../protocol/generated/offset-commit-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { CommitRequest } from '../coordinator/group/offset-manager.js';
import { defineHandler } from './handler.js';
import { topicResults } from './topic-results.js';
import { authorized, Op, Resource } from './authorize.js';


export default defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  minVersion: 2,
  maxVersion: 10,
  request: OffsetCommitRequest,
  response: OffsetCommitResponse,
  async handle(ctx, req) {
    // Errors are added before commits, as Kafka's response builder orders them. Results are
    // keyed by what the request names topics by: the id from v10, else the name.
    const byId = ctx.apiVersion >= 10;
    const { topics, add } = topicResults();
    const keyOf = new Map<string, string>();
    const valid: CommitRequest['topics'] = [];
    // READ on the group, then on each topic (Kafka's OffsetCommit authorization).
    const groupDenied = !authorized(ctx, Op.READ, Resource.GROUP, req.groupId);
    for (const t of req.topics) {
      const info = byId ? ctx.broker.topics.getById(t.topicId!) : ctx.broker.topics.get(t.name ?? '');
      const key = byId ? t.topicId! : (t.name ?? '');
      if (byId && !info) {
        for (const p of t.partitions) add(key, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_ID);
        continue;
      }
      const name = info?.name ?? key;
      if (groupDenied || !authorized(ctx, Op.READ, Resource.TOPIC, name)) {
        for (const p of t.partitions) add(key, p.partitionIndex, groupDenied ? ErrorCode.GROUP_AUTHORIZATION_FAILED : ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        continue;
      }
      keyOf.set(name, key);
      const partitions: CommitRequest['topics'][number]['partitions'] = [];
      for (const p of t.partitions) {
        if (!info || p.partitionIndex < 0 || p.partitionIndex >= info.partitions) {
          add(key, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          continue;
        }
        partitions.push({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: p.committedLeaderEpoch ?? -1,
          commitTimestamp: -1,
          committedMetadata: p.committedMetadata,
        });
      }
      if (partitions.length > 0) valid.push({ name, partitions });
    }
    if (valid.length > 0) {
      const results = await ctx.broker.groups.commitOffsets(
        {
          groupId: req.groupId,
          generationIdOrMemberEpoch: req.generationIdOrMemberEpoch ?? -1,
          memberId: req.memberId ?? '',
          groupInstanceId: req.groupInstanceId ?? null,
          retentionTimeMs: req.retentionTimeMs ?? -1,
          topics: valid,
        },
        ctx.apiVersion,
      );
      for (const r of results) add(keyOf.get(r.topic)!, r.partition, r.errorCode);
    }
    if (byId) return { throttleTimeMs: 0, topics: topics.map((t) => ({ topicId: t.name, partitions: t.partitions })) };
    return { throttleTimeMs: 0, topics };
  },
});
