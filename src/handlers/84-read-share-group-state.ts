// ReadShareGroupState (key 84), v0-0 (KIP-932): the share coordinator's state of each (topic id, partition) of
// the group, answered per partition (src/coordinator/share/apis.ts; Kafka's ShareCoordinatorService).
import { ReadShareGroupStateRequest } from '../protocol/generated/read-share-group-state-request.js';
import { ReadShareGroupStateResponse } from '../protocol/generated/read-share-group-state-response.js';
import { readShareGroupState } from '../coordinator/share/apis.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op, shareStateDenied } from './authorize.js';

export default defineHandler<ReadShareGroupStateRequest, ReadShareGroupStateResponse>({
  apiKey: 84,
  minVersion: 0,
  maxVersion: 0,
  request: ReadShareGroupStateRequest,
  response: ReadShareGroupStateResponse,
  handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.CLUSTER_ACTION)) return shareStateDenied(req, { stateEpoch: -1, startOffset: -1, stateBatches: [] });
    return readShareGroupState(ctx.broker.shareCoordinator, req);
  },
});
