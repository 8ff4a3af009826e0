// DescribeCluster (key 60), v0-2. The brokers registered in the metadata image, this node as the
// controller, the cluster id. v1 asking for the CONTROLLER endpoint type gets
// MISMATCHED_ENDPOINT_TYPE, as from a Kafka broker, and any other type but BROKER
// UNSUPPORTED_ENDPOINT_TYPE. v2 (KIP-1073) marks each broker fenced or not and lists fenced
// brokers too when asked. Without an authorizer every cluster operation is allowed, which Kafka
// reports as 8096 when asked.
import { DescribeClusterRequest } from '../protocol/generated/describe-cluster-request.js';
import { DescribeClusterResponse } from '../protocol/generated/describe-cluster-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorizedOperations, CLUSTER_OPERATIONS, Resource } from './authorize.js';
import { CLUSTER_NAME } from '../security/acl/acl.js';

const BROKER_ENDPOINT = 1;
const CONTROLLER_ENDPOINT = 2;
const NO_OPERATIONS = -2147483648;
const ALL_CLUSTER_OPERATIONS = 8096;

export default defineHandler<DescribeClusterRequest, DescribeClusterResponse>({
  apiKey: 60,
  minVersion: 0,
  maxVersion: 2,
  request: DescribeClusterRequest,
  response: DescribeClusterResponse,
  handle(ctx, req) {
    const broker = ctx.broker;
    const endpointType = req.endpointType ?? BROKER_ENDPOINT;
    if (endpointType !== BROKER_ENDPOINT) {
      const mismatched = endpointType === CONTROLLER_ENDPOINT;
      return {
        throttleTimeMs: 0,
        errorCode: mismatched ? ErrorCode.MISMATCHED_ENDPOINT_TYPE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: mismatched
          ? 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER'
          : `Unsupported endpoint type ${endpointType}`,
        endpointType: BROKER_ENDPOINT,
        clusterId: '',
        controllerId: -1,
        brokers: [],
        clusterAuthorizedOperations: NO_OPERATIONS,
      };
    }
    const image = broker.image;
    // Each broker's endpoint on the listener the request came in on, as Kafka answers (brokers without one are left out).
    const brokers = [...image.cluster.brokers.values()]
      .filter((b) => !b.fenced || req.includeFencedBrokers)
      .flatMap((b) => {
        const e = b.endpoints.find((x) => x.name === ctx.listenerName);
        return e ? [{ brokerId: b.id, host: e.host, port: e.port, rack: b.rack, isFenced: b.fenced }] : [];
      });
    if (!brokers.some((b) => b.brokerId === broker.nodeId)) {
      const own = broker.advertisedEndpointOf?.(ctx.listenerName) ?? { host: broker.advertisedHost, port: broker.advertisedPort };
      brokers.push({ brokerId: broker.nodeId, host: own.host, port: own.port, rack: null, isFenced: false });
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKER_ENDPOINT,
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      brokers,
      clusterAuthorizedOperations: !req.includeClusterAuthorizedOperations ? NO_OPERATIONS : broker.authorizer ? authorizedOperations(ctx, Resource.CLUSTER, CLUSTER_NAME, CLUSTER_OPERATIONS) : ALL_CLUSTER_OPERATIONS,
    };
  },
});
