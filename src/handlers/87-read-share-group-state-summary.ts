// ReadShareGroupStateSummary (key 87), v0-1 (KIP-932): the share coordinator's state of each (topic id, partition) of
// the group, answered per partition (src/coordinator/share/apis.ts; Kafka's ShareCoordinatorService).
import { ReadShareGroupStateSummaryRequest } from '../protocol/generated/read-share-group-state-summary-request.js';
import { ReadShareGroupStateSummaryResponse } from '../protocol/generated/read-share-group-state-summary-response.js';
import { readShareGroupStateSummary } from '../coordinator/share/apis.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op, shareStateDenied } from './authorize.js';

export default defineHandler<ReadShareGroupStateSummaryRequest, ReadShareGroupStateSummaryResponse>({
  apiKey: 87,
  minVersion: 0,
  maxVersion: 1,
  request: ReadShareGroupStateSummaryRequest,
  response: ReadShareGroupStateSummaryResponse,
  handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.CLUSTER_ACTION)) return shareStateDenied(req, { stateEpoch: -1, leaderEpoch: -1, startOffset: -1, deliveryCompleteCount: -1 });
    return readShareGroupStateSummary(ctx.broker.shareCoordinator, req);
  },
});
