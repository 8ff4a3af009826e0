// AssignReplicasToDirs (key 73), v0, on the controller listener (KIP-858): a broker with several
// log dirs tells the active controller which dir holds each of its replicas
// (src/controller/assign-replicas-to-dirs.ts). A failure of the whole request (NOT_CONTROLLER, a
// stale broker epoch) is the top-level error with no directories.
import { AssignReplicasToDirsRequest } from '../../protocol/generated/assign-replicas-to-dirs-request.js';
import { AssignReplicasToDirsResponse } from '../../protocol/generated/assign-replicas-to-dirs-response.js';
import { defineHandler } from '../handler.js';
import { clusterControl, errorCodeOf, type ClusterRequestContext } from './cluster-context.js';

export default defineHandler<AssignReplicasToDirsRequest, AssignReplicasToDirsResponse, ClusterRequestContext>({
  apiKey: 73,
  minVersion: 0,
  maxVersion: 0,
  request: AssignReplicasToDirsRequest,
  response: AssignReplicasToDirsResponse,
  async handle(ctx, req) {
    try {
      return await clusterControl(ctx).assignReplicasToDirs(req);
    } catch (e) {
      return { throttleTimeMs: 0, errorCode: errorCodeOf(e), directories: [] };
    }
  },
});
