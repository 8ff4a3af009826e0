// DeleteTopics (key 20), v1-6 (Kafka 4 no longer serves v0). Topics are named by name, or from v6
// by id; the controller writes a RemoveTopicRecord per topic and the partitions' data is removed
// before the response. A name (or id) given twice, or both name and id, is INVALID_REQUEST.
import { DeleteTopicsRequest } from '../protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse } from '../protocol/generated/delete-topics-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import type { TopicRef } from '../metadata/replication-control.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';
import { mutationQuota } from '../quota/throttled-handlers.js';

type Result = DeleteTopicsResponse['responses'][number];

export default defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: 20,
  minVersion: 1,
  maxVersion: 6,
  request: DeleteTopicsRequest,
  response: DeleteTopicsResponse,
  async handle(ctx, req) {
    const refs: TopicRef[] =
      ctx.apiVersion >= 6
        ? (req.topics ?? []).map((t) => ({ name: t.name, topicId: t.topicId }))
        : (req.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }));
    const responses: Result[] = [];
    const fail = (name: string | null, topicId: string, errorMessage: string) =>
      responses.push({ name, topicId, errorCode: ErrorCode.INVALID_REQUEST, errorMessage });
    const names = new Map<string, number>();
    const ids = new Map<string, number>();
    for (const r of refs) {
      if (r.name !== null) names.set(r.name, (names.get(r.name) ?? 0) + 1);
      else ids.set(r.topicId, (ids.get(r.topicId) ?? 0) + 1);
    }
    const valid: TopicRef[] = [];
    for (const [name, n] of names) if (n > 1) fail(name, ZERO_UUID, 'Duplicate topic name.');
    for (const [id, n] of ids) if (n > 1) fail(null, id, 'Duplicate topic id.');
    for (const r of refs) {
      if (r.name !== null && r.topicId !== ZERO_UUID) fail(r.name, r.topicId, 'You may not specify both topic name and topic id.');
      else if (r.name === null && r.topicId === ZERO_UUID) fail(null, r.topicId, 'Neither topic name nor id were specified.');
      else if ((r.name !== null ? names.get(r.name) : ids.get(r.topicId)) === 1) valid.push(r);
    }
    // DELETE on each topic (a topic id the principal may not delete answers like an unknown one, as Kafka does).
    const permitted = valid.filter((r) => {
      const name = r.name ?? ctx.broker.topics.getById(r.topicId)?.name;
      if (name === undefined || authorized(ctx, Op.DELETE, Resource.TOPIC, name)) return true;
      responses.push({ name: r.name, topicId: r.topicId, errorCode: r.name !== null ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: null });
      return false;
    });
    const quota = mutationQuota(ctx, 5);
    for (const r of await ctx.broker.controller.deleteTopics(permitted, quota.record)) {
      responses.push({ name: r.name, topicId: r.topicId, errorCode: r.errorCode, errorMessage: r.errorMessage });
    }
    return quota.finish({ throttleTimeMs: 0, responses });
  },
});
