// FetchSnapshot (key 59), v0-1, on the controller listener: a follower whose fetch offset fell
// below the leader's log start reads the leader's snapshot in byte ranges (v1 names the leader's
// endpoint). Kafka's checks (cluster id, the one partition), then the raft core validates the
// epoch and snapshot id; a missing snapshot is SNAPSHOT_NOT_FOUND, a position past its end
// POSITION_OUT_OF_RANGE.
import { FetchSnapshotRequest } from '../../protocol/generated/fetch-snapshot-request.js';
import { FetchSnapshotResponse } from '../../protocol/generated/fetch-snapshot-response.js';
import type { FetchSnapshotResponse as CoreResponse } from '../../raft/messages.js';
import { fetchSnapshotFromWire, fetchSnapshotToWire } from '../../raft/wire-inbound.js';
import { defineHandler } from '../handler.js';
import { askQuorum, type ControllerRequestContext } from './context.js';

export default defineHandler<FetchSnapshotRequest, FetchSnapshotResponse, ControllerRequestContext>({
  apiKey: 59,
  minVersion: 0,
  maxVersion: 1,
  request: FetchSnapshotRequest,
  response: FetchSnapshotResponse,
  async handle(ctx, req) {
    const inbound = fetchSnapshotFromWire(req, ctx.apiVersion, ctx.raft.wire);
    if ('response' in inbound) return inbound.response;
    const answer = await askQuorum(ctx, inbound.message);
    if (answer === undefined) return undefined;
    return fetchSnapshotToWire(answer.message as CoreResponse, ctx.apiVersion, ctx.raft.wire);
  },
});
