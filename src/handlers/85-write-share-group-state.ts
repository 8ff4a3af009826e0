// WriteShareGroupState (key 85), v0-1 (KIP-932): the share coordinator's state of each (topic id, partition) of
// the group, answered per partition (src/coordinator/share/apis.ts; Kafka's ShareCoordinatorService).
import { WriteShareGroupStateRequest } from '../protocol/generated/write-share-group-state-request.js';
import { WriteShareGroupStateResponse } from '../protocol/generated/write-share-group-state-response.js';
import { writeShareGroupState } from '../coordinator/share/apis.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op, shareStateDenied } from './authorize.js';

export default defineHandler<WriteShareGroupStateRequest, WriteShareGroupStateResponse>({
  apiKey: 85,
  minVersion: 0,
  maxVersion: 1,
  request: WriteShareGroupStateRequest,
  response: WriteShareGroupStateResponse,
  handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.CLUSTER_ACTION)) return shareStateDenied(req, {});
    return writeShareGroupState(ctx.broker.shareCoordinator, req);
  },
});
