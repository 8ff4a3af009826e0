// AllocateProducerIds (key 67), v0, on the controller listener: a broker of the current epoch
// gets the next block of producer ids (a ProducerIdsRecord reserves it); a stale epoch is
// STALE_BROKER_EPOCH.
import { AllocateProducerIdsRequest } from '../../protocol/generated/allocate-producer-ids-request.js';
import { AllocateProducerIdsResponse } from '../../protocol/generated/allocate-producer-ids-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { clusterControl, errorCodeOf, type ClusterRequestContext } from './cluster-context.js';

export default defineHandler<AllocateProducerIdsRequest, AllocateProducerIdsResponse, ClusterRequestContext>({
  apiKey: 67,
  minVersion: 0,
  maxVersion: 0,
  request: AllocateProducerIdsRequest,
  response: AllocateProducerIdsResponse,
  async handle(ctx, req) {
    try {
      const block = await clusterControl(ctx).allocateProducerIds(req.brokerId, req.brokerEpoch);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, ...block };
    } catch (e) {
      return { throttleTimeMs: 0, errorCode: errorCodeOf(e), producerIdStart: 0, producerIdLen: 0 };
    }
  },
});
