// ControllerRegistration (key 70), v0, on the controller listener: a controller announces its
// incarnation, listeners and features; the active controller writes a RegisterControllerRecord,
// which is how brokers and tools (DescribeCluster on the controller) learn controllers' endpoints.
import { ControllerRegistrationRequest } from '../../protocol/generated/controller-registration-request.js';
import { ControllerRegistrationResponse } from '../../protocol/generated/controller-registration-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineHandler } from '../handler.js';
import { clusterControl, errorCodeOf, errorMessageOf, type ClusterRequestContext } from './cluster-context.js';

export default defineHandler<ControllerRegistrationRequest, ControllerRegistrationResponse, ClusterRequestContext>({
  apiKey: 70,
  minVersion: 0,
  maxVersion: 0,
  request: ControllerRegistrationRequest,
  response: ControllerRegistrationResponse,
  async handle(ctx, req) {
    try {
      await clusterControl(ctx).registerController(req);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (e) {
      return { throttleTimeMs: 0, errorCode: errorCodeOf(e), errorMessage: errorMessageOf(e) };
    }
  },
});
