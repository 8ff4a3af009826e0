// DescribeCluster (key 60), v0-2 on the controller listener (KIP-919: admin clients bootstrapped
// with bootstrap.controllers find the controllers this way). Lists the controllers registered
// (RegisterControllerRecord) with an endpoint on the listener the request came in on, and the
// quorum leader as the controller id (-1 when it is not among them, as Kafka answers). Asking for
// BROKER endpoints is MISMATCHED_ENDPOINT_TYPE, an unknown type UNSUPPORTED_ENDPOINT_TYPE; v0,
// which cannot ask for controllers, is INVALID_REQUEST either way (Kafka's AuthHelper).
import { DescribeClusterRequest } from '../../protocol/generated/describe-cluster-request.js';
import { DescribeClusterResponse } from '../../protocol/generated/describe-cluster-response.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { RequestInfo } from '../../network/api.js';
import type { MetadataImage } from '../../metadata/image.js';
import { defineHandler } from '../handler.js';

const BROKER_ENDPOINT = 1;
const CONTROLLER_ENDPOINT = 2;
const NO_OPERATIONS = -2147483648;
const ALL_CLUSTER_OPERATIONS = 8096;

export interface DescribeClusterControllerContext extends RequestInfo {
  readonly broker: { readonly image: MetadataImage; readonly clusterId: string };
  /** The quorum's leader (-1: none known). */
  activeControllerId(): number;
}

export default defineHandler<DescribeClusterRequest, DescribeClusterResponse, DescribeClusterControllerContext>({
  apiKey: 60,
  minVersion: 0,
  maxVersion: 2,
  request: DescribeClusterRequest,
  response: DescribeClusterResponse,
  handle(ctx, req) {
    const endpointType = req.endpointType ?? BROKER_ENDPOINT;
    if (endpointType !== CONTROLLER_ENDPOINT) {
      const known = endpointType === BROKER_ENDPOINT;
      return {
        throttleTimeMs: 0,
        errorCode: ctx.apiVersion === 0 ? ErrorCode.INVALID_REQUEST : known ? ErrorCode.MISMATCHED_ENDPOINT_TYPE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: known ? 'The request was sent to an endpoint of type CONTROLLER, but we wanted an endpoint of type BROKER' : `Unsupported endpoint type ${endpointType}`,
        endpointType: CONTROLLER_ENDPOINT,
        clusterId: '',
        controllerId: -1,
        brokers: [],
        clusterAuthorizedOperations: NO_OPERATIONS,
      };
    }
    const image = ctx.broker.image;
    const brokers = [];
    for (const c of image.cluster.controllers.values()) {
      for (const e of c.endpoints) {
        if (e.name === ctx.listenerName) brokers.push({ brokerId: c.id, host: e.host, port: e.port, rack: null, isFenced: false });
      }
    }
    const leader = ctx.activeControllerId();
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: CONTROLLER_ENDPOINT,
      clusterId: ctx.broker.clusterId,
      controllerId: brokers.some((b) => b.brokerId === leader) ? leader : -1,
      brokers,
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? ALL_CLUSTER_OPERATIONS : NO_OPERATIONS,
    };
  },
});
