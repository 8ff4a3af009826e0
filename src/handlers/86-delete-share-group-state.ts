// DeleteShareGroupState (key 86), v0-0 (KIP-932): the share coordinator's state of each (topic id, partition) of
// the group, answered per partition (src/coordinator/share/apis.ts; Kafka's ShareCoordinatorService).
import { DeleteShareGroupStateRequest } from '../protocol/generated/delete-share-group-state-request.js';
import { DeleteShareGroupStateResponse } from '../protocol/generated/delete-share-group-state-response.js';
import { deleteShareGroupState } from '../coordinator/share/apis.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op, shareStateDenied } from './authorize.js';

export default defineHandler<DeleteShareGroupStateRequest, DeleteShareGroupStateResponse>({
  apiKey: 86,
  minVersion: 0,
  maxVersion: 0,
  request: DeleteShareGroupStateRequest,
  response: DeleteShareGroupStateResponse,
  handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.CLUSTER_ACTION)) return shareStateDenied(req, {});
    return deleteShareGroupState(ctx.broker.shareCoordinator, req);
  },
});
