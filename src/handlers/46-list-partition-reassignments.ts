// ListPartitionReassignments (key 46), v0. Lists partitions with replicas being added or removed
// in the image; a single broker never has any, so the answer is the empty list Kafka gives.
import { ListPartitionReassignmentsRequest } from '../protocol/generated/list-partition-reassignments-request.js';
import { ListPartitionReassignmentsResponse } from '../protocol/generated/list-partition-reassignments-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { TopicImage } from '../metadata/image.js';
import { defineHandler } from './handler.js';

type Topic = ListPartitionReassignmentsResponse['topics'][number];

export default defineHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>({
  apiKey: 46,
  minVersion: 0,
  maxVersion: 0,
  request: ListPartitionReassignmentsRequest,
  response: ListPartitionReassignmentsResponse,
  handle(ctx, req) {
    const topics = ctx.broker.image.topics;
    const wanted: [TopicImage, number[] | null][] = [];
    if (req.topics === null) for (const t of topics.all()) wanted.push([t, null]);
    else for (const r of req.topics) {
      const t = topics.get(r.name);
      if (t) wanted.push([t, r.partitionIndexes]);
    }
    const out: Topic[] = [];
    for (const [t, partitions] of wanted) {
      const ongoing: Topic['partitions'] = [];
      for (const [p, reg] of t.registrations) {
        if (partitions && !partitions.includes(p)) continue;
        if (reg.addingReplicas.length === 0 && reg.removingReplicas.length === 0) continue;
        ongoing.push({ partitionIndex: p, replicas: [...reg.replicas], addingReplicas: [...reg.addingReplicas], removingReplicas: [...reg.removingReplicas] });
      }
      if (ongoing.length > 0) out.push({ name: t.name, partitions: ongoing });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: out };
  },
});
