// UnregisterBroker (key 64), v0, on the controller listener: removes a broker's registration
// (its ISRs and leaderships first); an id not registered is BROKER_ID_NOT_REGISTERED. Kafka
// answers the error code without a message.
import { UnregisterBrokerRequest } from '../../protocol/generated/unregister-broker-request.js';
import { UnregisterBrokerResponse } from '../../protocol/generated/unregister-broker-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { clusterControl, errorCodeOf, type ClusterRequestContext } from './cluster-context.js';

export default defineHandler<UnregisterBrokerRequest, UnregisterBrokerResponse, ClusterRequestContext>({
  apiKey: 64,
  minVersion: 0,
  maxVersion: 0,
  request: UnregisterBrokerRequest,
  response: UnregisterBrokerResponse,
  async handle(ctx, req) {
    try {
      await clusterControl(ctx).unregisterBroker(req.brokerId);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (e) {
      return { throttleTimeMs: 0, errorCode: errorCodeOf(e), errorMessage: null };
    }
  },
});
