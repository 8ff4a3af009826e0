// Controllers register themselves (ControllerRegistration -> RegisterControllerRecord) and are
// then what DescribeCluster answers on the controller listener: checked with Kafka 4.4.0's
// kafka-cluster tool bootstrapped from the controller (KIP-919), which finds the cluster through
// ApiVersions and DescribeCluster(endpointType CONTROLLER) there.
import t from 'tap';
import { BrokerConfig } from '../../src/config.js';
import { Server } from '../../src/network/server.js';
import type { RequestInfo } from '../../src/network/api.js';
import { NodeClient } from '../../src/network/node-client.js';
import { CONTROLLER_ADMIN_HANDLERS, CONTROLLER_CLUSTER_HANDLERS } from '../../src/handlers/controller/controller-apis.js';
import apiVersions from '../../src/handlers/controller/18-api-versions.js';
import { apiVersionsFeatures } from '../../src/metadata/features.js';
import { ControllerBrokerContext } from '../../src/controller/controller-broker-context.js';
import { ControllerChannel } from '../../src/node/controller-channel.js';
import { ControllerRegistrationManager } from '../../src/controller/controller-registration-manager.js';
import { DescribeClusterRequest } from '../../src/protocol/generated/describe-cluster-request.js';
import { DescribeClusterResponse } from '../../src/protocol/generated/describe-cluster-response.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { quorumOfOne, registration } from './helpers.js';

t.test('a controller registers itself and DescribeCluster on the controller listener lists it', async (t) => {
  const q = await quorumOfOne();
  const config = new BrokerConfig({});
  let port = 0;
  const ctx = new ControllerBrokerContext(q.manager, 1, config, () => ({ host: '127.0.0.1', port }));
  const server = new Server<any>({
    listenerName: 'CONTROLLER',
    registry: new Map([apiVersions, ...CONTROLLER_CLUSTER_HANDLERS, ...CONTROLLER_ADMIN_HANDLERS].map((h) => [h.apiKey, h as any])),
    context: (info: RequestInfo) => ({
      ...info,
      broker: ctx,
      clusterControl: q.controller,
      activeControllerId: () => 1,
      apiVersionsFeatures: (v: number) => apiVersionsFeatures(q.manager.image, v),
    }),
    config,
  });
  port = await server.listen('127.0.0.1', 0);
  const client = new NodeClient({ nodeId: 1, requestTimeoutMs: 2000 });
  client.setEndpoint(1, { host: '127.0.0.1', port });
  const channel = new ControllerChannel({ client, activeController: () => 1, requestTimeoutMs: 2000 });
  const manager = new ControllerRegistrationManager({ nodeId: 1, listeners: [{ name: 'CONTROLLER', host: '127.0.0.1', port, securityProtocol: 0 }], channel });
  t.teardown(async () => {
    manager.close();
    channel.close();
    client.close();
    await server.close();
  });
  q.manager.installPublisher(manager);
  // Any committed change publishes an image, which starts the registration.
  await q.controller.registerBrokerRequest(registration(q.clusterId, 2));
  while (!manager.registered) await new Promise((r) => setTimeout(r, 10));
  const c = q.manager.image.cluster.controllers.get(1)!;
  t.equal(c.incarnationId, manager.incarnationId);
  t.same(c.endpoints, [{ name: 'CONTROLLER', host: '127.0.0.1', port, securityProtocol: 0 }]);
  t.equal(c.features.get('kraft.version')?.max, 1);

  const res = await client.send(1, DescribeClusterRequest, DescribeClusterResponse, 2, { includeClusterAuthorizedOperations: false, endpointType: 2, includeFencedBrokers: false });
  t.equal(res.errorCode, ErrorCode.NONE);
  t.equal(res.controllerId, 1);
  t.same(res.brokers.map((b) => [b.brokerId, b.host, b.port]), [[1, '127.0.0.1', port]]);
  const asBroker = await client.send(1, DescribeClusterRequest, DescribeClusterResponse, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
  t.equal(asBroker.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);
  const v0 = await client.send(1, DescribeClusterRequest, DescribeClusterResponse, 0, { includeClusterAuthorizedOperations: false });
  t.equal(v0.errorCode, ErrorCode.INVALID_REQUEST, 'v0 cannot ask for controllers');

  const tool = await kafkaTool('org.apache.kafka.tools.ClusterTool', 'cluster-id', '--bootstrap-controller', `127.0.0.1:${port}`);
  t.equal(tool.code, 0, tool.out);
  t.match(tool.out, `Cluster ID: ${q.clusterId}`);
});
