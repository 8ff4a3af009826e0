// InitializeShareGroupState (key 83), v0-0 (KIP-932): the share coordinator's state of each (topic id, partition) of
// the group, answered per partition (src/coordinator/share/apis.ts; Kafka's ShareCoordinatorService).
import { InitializeShareGroupStateRequest } from '../protocol/generated/initialize-share-group-state-request.js';
import { InitializeShareGroupStateResponse } from '../protocol/generated/initialize-share-group-state-response.js';
import { initializeShareGroupState } from '../coordinator/share/apis.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op, shareStateDenied } from './authorize.js';

export default defineHandler<InitializeShareGroupStateRequest, InitializeShareGroupStateResponse>({
  apiKey: 83,
  minVersion: 0,
  maxVersion: 0,
  request: InitializeShareGroupStateRequest,
  response: InitializeShareGroupStateResponse,
  handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.CLUSTER_ACTION)) return shareStateDenied(req, {});
    return initializeShareGroupState(ctx.broker.shareCoordinator, req);
  },
});
