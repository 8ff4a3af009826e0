// OffsetFetch (key 9), v1-10 (Kafka 4 removed v0). Offsets of the requested partitions (-1 and "" where none is
// committed) or, with a null topic list (v2+), of every partition the group has committed.
// v8+ asks for several groups at once, each with its own error; v2-7 carry one top-level error;
// v0-1, which have none, repeat a group error on every requested partition. v10 names topics by
// id (KIP-848): an id this cluster does not know gets UNKNOWN_TOPIC_ID on each partition, and
// offsets kept for a topic that no longer exists are left out of "all". v7+ require_stable: a
// partition with a transaction's offsets still pending answers UNSTABLE_OFFSET_COMMIT (the
// consumer retries until the transaction's marker). v9+ carry the member id and epoch: a consumer
// group's member fetching with a stale epoch gets STALE_MEMBER_EPOCH, an unknown one UNKNOWN_MEMBER_ID.
import { OffsetFetchRequest } from '../protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../protocol/generated/offset-fetch-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { TopicsImage } from '../metadata/image.js';
import type { GroupOperations } from './context.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';

type GroupResult = NonNullable<OffsetFetchResponse['groups']>[number];
type GroupRequest = NonNullable<OffsetFetchRequest['groups']>[number];

export default defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  minVersion: 1,
  maxVersion: 10,
  request: OffsetFetchRequest,
  response: OffsetFetchResponse,
  handle(ctx, req) {
    const all = ctx.broker.groups;
    // DESCRIBE on the group (Kafka's OffsetFetch authorization); GROUP_AUTHORIZATION_FAILED otherwise.
    // DESCRIBE on each topic: a named one without it gets TOPIC_AUTHORIZATION_FAILED partitions, "all" leaves it out.
    const canDescribe = (topic: string) => authorized(ctx, Op.DESCRIBE, Resource.TOPIC, topic);
    const groups = {
      fetchOffsets: (groupId: string, requested: { name: string; partitionIndexes: number[] }[] | null, ...rest: [any, any?]) => {
        if (!authorized(ctx, Op.DESCRIBE, Resource.GROUP, groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
        if (!ctx.broker.authorizer) return all.fetchOffsets(groupId, requested, ...rest);
        if (requested === null) {
          const r = all.fetchOffsets(groupId, null, ...rest);
          return { ...r, topics: r.topics.filter((t) => canDescribe(t.name)) };
        }
        const r = all.fetchOffsets(groupId, requested.filter((t) => canDescribe(t.name)), ...rest);
        if (r.errorCode !== ErrorCode.NONE) return r;
        let next = 0;
        const topics = requested.map((t) =>
          canDescribe(t.name)
            ? r.topics[next++]
            : { name: t.name, partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) },
        );
        return { ...r, topics };
      },
    } as unknown as typeof all;
    const stable = req.requireStable ?? false;
    if (ctx.apiVersion >= 10) {
      const image = ctx.broker.topics;
      return { throttleTimeMs: 0, groups: (req.groups ?? []).map((g) => fetchByTopicId(groups, image, g, stable)) };
    }
    if (ctx.apiVersion >= 8) {
      return {
        throttleTimeMs: 0,
        groups: (req.groups ?? []).map((g) => {
          const member = ctx.apiVersion >= 9 ? { memberId: g.memberId ?? null, memberEpoch: g.memberEpoch ?? -1 } : undefined;
          const r = groups.fetchOffsets(g.groupId, g.topics?.map((t) => ({ name: t.name ?? '', partitionIndexes: t.partitionIndexes })) ?? null, stable, member);
          return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics };
        }),
      };
    }
    const requested = req.topics?.map((t) => ({ name: t.name ?? '', partitionIndexes: t.partitionIndexes })) ?? null;
    const r = groups.fetchOffsets(req.groupId ?? '', requested, stable);
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

function fetchByTopicId(groups: GroupOperations, image: TopicsImage, g: GroupRequest, requireStable: boolean): GroupResult {
  if (g.topics === null) {
    const r = groups.fetchOffsets(g.groupId, null, requireStable, memberOf(g));
    const topics = r.topics.flatMap((t) => {
      const info = image.get(t.name);
      return info ? [{ topicId: info.topicId, partitions: t.partitions }] : [];
    });
    return { groupId: g.groupId, errorCode: r.errorCode, topics };
  }
  const names = g.topics.map((t) => image.getById(t.topicId!)?.name);
  const r = groups.fetchOffsets(
    g.groupId,
    g.topics.flatMap((t, i) => (names[i] === undefined ? [] : [{ name: names[i]!, partitionIndexes: t.partitionIndexes }])),
    requireStable,
    memberOf(g),
  );
  if (r.errorCode !== ErrorCode.NONE) return { groupId: g.groupId, errorCode: r.errorCode, topics: [] };
  let next = 0;
  const topics = g.topics.map((t, i) => ({
    topicId: t.topicId,
    partitions:
      names[i] === undefined
        ? t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNKNOWN_TOPIC_ID }))
        : r.topics[next++].partitions,
  }));
  return { groupId: g.groupId, errorCode: ErrorCode.NONE, topics };
}

/** v9+: the member fetching (KIP-848), checked against a consumer group's member epoch. */
function memberOf(g: GroupRequest): { memberId: string | null; memberEpoch: number } {
  return { memberId: g.memberId ?? null, memberEpoch: g.memberEpoch ?? -1 };
}
