// The share coordinator's APIs 83-87 at the request level (Kafka's ShareCoordinatorService):
// a request with no topics, a topic with no partitions or an empty group id gets an empty answer;
// otherwise every (topic id, partition) is one key, run on its own and answered in request order.
import type { DeleteShareGroupStateRequest } from '../../protocol/generated/delete-share-group-state-request.js';
import type { DeleteShareGroupStateResponse } from '../../protocol/generated/delete-share-group-state-response.js';
import type { InitializeShareGroupStateRequest } from '../../protocol/generated/initialize-share-group-state-request.js';
import type { InitializeShareGroupStateResponse } from '../../protocol/generated/initialize-share-group-state-response.js';
import type { ReadShareGroupStateRequest } from '../../protocol/generated/read-share-group-state-request.js';
import type { ReadShareGroupStateResponse } from '../../protocol/generated/read-share-group-state-response.js';
import type { ReadShareGroupStateSummaryRequest } from '../../protocol/generated/read-share-group-state-summary-request.js';
import type { ReadShareGroupStateSummaryResponse } from '../../protocol/generated/read-share-group-state-summary-response.js';
import type { WriteShareGroupStateRequest } from '../../protocol/generated/write-share-group-state-request.js';
import type { WriteShareGroupStateResponse } from '../../protocol/generated/write-share-group-state-response.js';
import type { ShareCoordinator } from './coordinator.js';

interface KeyedRequest<P extends { partition: number }> {
  groupId: string;
  topics: { topicId: string; partitions: P[] }[];
}

/** Runs `op` on every key of the request (concurrently: keys on one state partition queue there) and groups the answers by topic. */
async function perKey<P extends { partition: number }, R>(req: KeyedRequest<P>, op: (topicId: string, p: P) => Promise<R>): Promise<{ topicId: string; partitions: (R & { partition: number })[] }[] | null> {
  if (req.topics.length === 0 || req.topics.some((t) => t.partitions.length === 0) || req.groupId === '') return null;
  return Promise.all(req.topics.map(async (t) => ({ topicId: t.topicId, partitions: await Promise.all(t.partitions.map(async (p) => ({ partition: p.partition, ...(await op(t.topicId, p)) }))) })));
}

export type ShareStateApis = Pick<ShareCoordinator, 'initializeState' | 'readState' | 'writeState' | 'deleteState' | 'readSummary'>;

export async function initializeShareGroupState(c: ShareStateApis, req: InitializeShareGroupStateRequest): Promise<InitializeShareGroupStateResponse> {
  const results = await perKey(req, (topicId, p) => c.initializeState({ groupId: req.groupId, topicId, partition: p.partition }, p.stateEpoch, p.startOffset));
  return { results: results ?? [] };
}

export async function readShareGroupState(c: ShareStateApis, req: ReadShareGroupStateRequest): Promise<ReadShareGroupStateResponse> {
  const results = await perKey(req, async (topicId, p) => {
    const r = await c.readState({ groupId: req.groupId, topicId, partition: p.partition }, p.leaderEpoch);
    return { errorCode: r.errorCode, errorMessage: r.errorMessage, stateEpoch: r.stateEpoch, startOffset: r.startOffset, stateBatches: r.stateBatches };
  });
  return { results: results ?? [] };
}

export async function writeShareGroupState(c: ShareStateApis, req: WriteShareGroupStateRequest): Promise<WriteShareGroupStateResponse> {
  const results = await perKey(req, (topicId, p) =>
    c.writeState(
      { groupId: req.groupId, topicId, partition: p.partition },
      { stateEpoch: p.stateEpoch, leaderEpoch: p.leaderEpoch, startOffset: p.startOffset, deliveryCompleteCount: p.deliveryCompleteCount ?? -1, stateBatches: p.stateBatches },
    ),
  );
  return { results: results ?? [] };
}

export async function deleteShareGroupState(c: ShareStateApis, req: DeleteShareGroupStateRequest): Promise<DeleteShareGroupStateResponse> {
  const results = await perKey(req, (topicId, p) => c.deleteState({ groupId: req.groupId, topicId, partition: p.partition }));
  return { results: results ?? [] };
}

export async function readShareGroupStateSummary(c: ShareStateApis, req: ReadShareGroupStateSummaryRequest): Promise<ReadShareGroupStateSummaryResponse> {
  const results = await perKey(req, async (topicId, p) => {
    const r = await c.readSummary({ groupId: req.groupId, topicId, partition: p.partition });
    return { errorCode: r.errorCode, errorMessage: r.errorMessage, stateEpoch: r.stateEpoch, leaderEpoch: r.leaderEpoch, startOffset: r.startOffset, deliveryCompleteCount: r.deliveryCompleteCount };
  });
  return { results: results ?? [] };
}
