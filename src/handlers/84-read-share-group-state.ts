// ReadShareGroupState (key 84), v0-0 (KIP-932): the share coordinator's state of each (topic id, partition) of
// the group, answered per partition (src/coordinator/share/apis.ts; Kafka's ShareCoordinatorService).
import { ReadShareGroupStateRequest } from '../protocol/generated/read-share-group-state-request.js';
import { ReadShareGroupStateResponse } from '../protocol/generated/read-share-group-state-response.js';
import { readShareGroupState } from '../coordinator/share/apis.js';
import { defineHandler } from './handler.js';

export default defineHandler<ReadShareGroupStateRequest, ReadShareGroupStateResponse>({
  apiKey: 84,
  minVersion: 0,
  maxVersion: 0,
  request: ReadShareGroupStateRequest,
  response: ReadShareGroupStateResponse,
  handle(ctx, req) {
    return readShareGroupState(ctx.broker.shareCoordinator, req);
  },
});
