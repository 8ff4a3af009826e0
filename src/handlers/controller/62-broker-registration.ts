// BrokerRegistration (key 62), v0-4, on the controller listener: a broker announces its
// incarnation, listeners, supported feature ranges, rack and log dirs; the active controller
// writes a RegisterBrokerRecord (fenced) and answers the broker epoch. Errors as Kafka's
// ControllerApis answers them: the code only, broker epoch -1.
import { BrokerRegistrationRequest } from '../../protocol/generated/broker-registration-request.js';
import { BrokerRegistrationResponse } from '../../protocol/generated/broker-registration-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { clusterControl, errorCodeOf, type ClusterRequestContext } from './cluster-context.js';

export default defineHandler<BrokerRegistrationRequest, BrokerRegistrationResponse, ClusterRequestContext>({
  apiKey: 62,
  minVersion: 0,
  maxVersion: 4,
  request: BrokerRegistrationRequest,
  response: BrokerRegistrationResponse,
  async handle(ctx, req) {
    try {
      const brokerEpoch = await clusterControl(ctx).registerBrokerRequest(req);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, brokerEpoch };
    } catch (e) {
      return { throttleTimeMs: 0, errorCode: errorCodeOf(e), brokerEpoch: -1 };
    }
  },
});
