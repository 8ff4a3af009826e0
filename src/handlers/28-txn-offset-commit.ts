// TxnOffsetCommit (key 28), v0-6. A transactional producer commits a consumer group's offsets
// inside its transaction (after AddOffsetsToTxn, or implicitly with transaction version 2 from v5):
// the group coordinator has the transaction coordinator confirm (v5+: add) the group's
// __consumer_offsets partition in the transaction, writes them as the producer's transactional batch,
// where they stay pending (OffsetFetch require_stable: UNSTABLE_OFFSET_COMMIT) until the
// transaction's marker commits or drops them. Unknown topics and partitions get
// UNKNOWN_TOPIC_OR_PARTITION here (v6 names topics by id, KIP-1319: an unknown id gets
// UNKNOWN_TOPIC_ID); the coordinator answers the rest: NOT_COORDINATOR, INVALID_GROUP_ID,
// ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, OFFSET_METADATA_TOO_LARGE, and a
// producer epoch older than the log's INVALID_PRODUCER_EPOCH. Before v2 COORDINATOR_LOAD_IN_PROGRESS
// is COORDINATOR_NOT_AVAILABLE (clients before 2.0 could not handle it), as Kafka answers.
import { TxnOffsetCommitRequest } from '../protocol/generated/txn-offset-commit-request.js';
import { TxnOffsetCommitResponse } from '../protocol/generated/txn-offset-commit-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { TxnCommitRequest } from '../coordinator/group/offset-manager.js';
import { defineHandler } from './handler.js';
import { topicResults } from './topic-results.js';
import { authorized, Op, Resource } from './authorize.js';

export default defineHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  apiKey: 28,
  minVersion: 0,
  maxVersion: 6,
  request: TxnOffsetCommitRequest,
  response: TxnOffsetCommitResponse,
  async handle(ctx, req) {
    const byId = ctx.apiVersion >= 6;
    const { topics, add } = topicResults();
    const keyOf = new Map<string, string>();
    const valid: TxnCommitRequest['topics'] = [];
    // WRITE on the transactional id, READ on the group, then on each topic (Kafka's TxnOffsetCommit authorization).
    const denied = !authorized(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, req.transactionalId)
      ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : !authorized(ctx, Op.READ, Resource.GROUP, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED : null;
    for (const t of req.topics) {
      const topicName = byId ? ctx.broker.topics.getById(t.topicId!)?.name : t.name;
      const topicDenied = denied ?? (topicName !== undefined && topicName !== null && !authorized(ctx, Op.READ, Resource.TOPIC, topicName) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : null);
      if (topicDenied !== null) {
        for (const p of t.partitions) add(byId ? t.topicId! : (t.name ?? ''), p.partitionIndex, topicDenied);
        continue;
      }
      const info = byId ? ctx.broker.topics.getById(t.topicId!) : ctx.broker.topics.get(t.name ?? '');
      const key = byId ? t.topicId! : (t.name ?? '');
      if (!info) {
        for (const p of t.partitions) add(key, p.partitionIndex, byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        continue;
      }
      keyOf.set(info.name, key);
      const partitions: TxnCommitRequest['topics'][number]['partitions'] = [];
      for (const p of t.partitions) {
        if (p.partitionIndex < 0 || p.partitionIndex >= info.partitions) {
          add(key, p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          continue;
        }
        partitions.push({
          partitionIndex: p.partitionIndex,
          committedOffset: p.committedOffset,
          committedLeaderEpoch: p.committedLeaderEpoch ?? -1,
          committedMetadata: p.committedMetadata,
        });
      }
      if (partitions.length > 0) valid.push({ name: info.name, partitions });
    }
    if (valid.length > 0) {
      const results = await ctx.broker.groups.commitTransactionalOffsets({
        transactionalId: req.transactionalId,
        groupId: req.groupId,
        producerId: req.producerId,
        producerEpoch: req.producerEpoch,
        generationIdOrMemberEpoch: req.generationIdOrMemberEpoch ?? -1,
        memberId: req.memberId ?? '',
        groupInstanceId: req.groupInstanceId ?? null,
        topics: valid,
      }, ctx.apiVersion);
      for (const r of results) {
        const code = ctx.apiVersion < 2 && r.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.COORDINATOR_NOT_AVAILABLE : r.errorCode;
        add(keyOf.get(r.topic)!, r.partition, code);
      }
    }
    if (byId) return { throttleTimeMs: 0, topics: topics.map((t) => ({ topicId: t.name, partitions: t.partitions })) };
    return { throttleTimeMs: 0, topics };
  },
});
