// Fetch (key 1), v4-18, on the controller listener: only raft's fetch of __cluster_metadata-0 (by
// name, or by Kafka's metadata topic id from v13) from a voter or an observer (ReplicaState.
// ReplicaId from v15, ReplicaId before). Anything else is INVALID_REQUEST, a wrong cluster id
// INCONSISTENT_CLUSTER_ID, as Kafka's controller answers. The core validates the fetch (epoch,
// diverging epoch, snapshot id) and may park it until new data, a high watermark move or MaxWaitMs;
// records are whole batches read from the log's bytes.
import { FetchRequest } from '../../protocol/generated/fetch-request.js';
import { FetchResponse } from '../../protocol/generated/fetch-response.js';
import type { FetchResponse as CoreResponse } from '../../raft/messages.js';
import { fetchFromWire, fetchToWire } from '../../raft/wire-inbound.js';
import { defineHandler } from '../handler.js';
import { askQuorum, type ControllerRequestContext } from './context.js';

export default defineHandler<FetchRequest, FetchResponse, ControllerRequestContext>({
  apiKey: 1,
  minVersion: 4,
  maxVersion: 18,
  request: FetchRequest,
  response: FetchResponse,
  async handle(ctx, req) {
    const inbound = fetchFromWire(req, ctx.apiVersion, ctx.raft.wire);
    if ('response' in inbound) return inbound.response;
    const answer = await askQuorum(ctx, inbound.message);
    if (answer === undefined) return undefined;
    return fetchToWire(answer.message as CoreResponse, ctx.apiVersion, ctx.raft.wire, answer.records ?? null);
  },
});
