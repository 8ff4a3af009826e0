// Admin requests sent to a broker reach the active controller in an Envelope and come back to
// the client, over real sockets: kafkajs' admin creates and deletes topics through a broker
// listener whose CreateTopics/DeleteTopics/CreatePartitions forward (withForwarding), the
// controller listener serves the Envelope with its admin handler modules. A controller not yet
// active answers the envelope NOT_CONTROLLER and the broker retries until it is; a controller
// that never becomes active times the request out with the API's own error response.
import t from 'tap';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { BrokerConfig } from '../../src/config.js';
import { Server } from '../../src/network/server.js';
import type { RequestInfo } from '../../src/network/api.js';
import { NodeClient } from '../../src/network/node-client.js';
import { ForwardingManager } from '../../src/network/forwarding.js';
import { HANDLERS } from '../../src/handlers/registry.js';
import type { RequestContext } from '../../src/handlers/handler.js';
import { CONTROLLER_ADMIN_HANDLERS, CONTROLLER_CLUSTER_HANDLERS, type ControllerApisContext } from '../../src/handlers/controller/controller-apis.js';
import { ControllerBrokerContext } from '../../src/controller/controller-broker-context.js';
import { ControllerChannel } from '../../src/node/controller-channel.js';
import { withForwarding } from '../../src/node/forwarded-apis.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { RaftCommitter } from '../../src/controller/raft-committer.js';
import { heartbeat, quorumOfOne, registration } from './helpers.js';

const TOPICS = 'org.apache.kafka.tools.TopicCommand';

async function setUp(t: Tap.Test, forwardingTimeoutMs = 30000) {
  const q = await quorumOfOne();
  const config = new BrokerConfig({});
  // The controller listener (node 1).
  const controllerCtx = new ControllerBrokerContext(q.manager, 1, config, () => ({ host: '127.0.0.1', port: 0 }));
  const controllerServer = new Server<ControllerApisContext>({
    listenerName: 'CONTROLLER',
    registry: new Map([...CONTROLLER_CLUSTER_HANDLERS, ...CONTROLLER_ADMIN_HANDLERS].map((h) => [h.apiKey, h as any])),
    context: (info: RequestInfo) => ({ ...info, broker: controllerCtx, clusterControl: q.controller, activeControllerId: () => 1 }),
    config,
  });
  const controllerPort = await controllerServer.listen('127.0.0.1', 0);
  // A broker (node 2) replaying the same metadata, forwarding admin requests.
  const client = new NodeClient({ nodeId: 2, requestTimeoutMs: 2000 });
  client.setEndpoint(1, { host: '127.0.0.1', port: controllerPort });
  const channel = new ControllerChannel({ client, activeController: () => 1, requestTimeoutMs: 2000 });
  const forwarding = new ForwardingManager({ channel, timeoutMs: forwardingTimeoutMs, retryBackoffMs: 50 });
  let brokerPort = 0;
  const brokerCtx = new ControllerBrokerContext(q.manager, 2, config, () => ({ host: '127.0.0.1', port: brokerPort }));
  const brokerServer = new Server<RequestContext>({
    listenerName: 'PLAINTEXT',
    registry: withForwarding(HANDLERS, forwarding),
    context: (info: RequestInfo) => ({ ...info, broker: brokerCtx }),
    config,
  });
  brokerPort = await brokerServer.listen('127.0.0.1', 0);
  // Broker 2 registered and unfenced: new partitions are placed on it.
  const epoch = await q.controller.registerBrokerRequest(registration(q.clusterId, 2, { listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: brokerPort, securityProtocol: 0 }] }));
  await q.controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  t.teardown(async () => {
    channel.close();
    client.close();
    await brokerServer.close();
    await controllerServer.close();
  });
  return { q, brokerPort };
}

t.test("Kafka 4.4.0's kafka-topics creates, alters and deletes topics through a forwarding broker", async (t) => {
  const { q, brokerPort } = await setUp(t);
  const bs = ['--bootstrap-server', `127.0.0.1:${brokerPort}`];
  const created = await kafkaTool(TOPICS, ...bs, '--create', '--topic', 'forwarded', '--partitions', '3');
  t.equal(created.code, 0, created.out);
  t.equal(q.manager.image.topics.get('forwarded')?.partitions, 3, 'the controller created it');
  // The controller's own refusal comes back as Kafka's tool shows it.
  const again = await kafkaTool(TOPICS, ...bs, '--create', '--topic', 'forwarded', '--partitions', '1');
  t.not(again.code, 0);
  t.match(again.out, /TopicExistsException: Topic 'forwarded' already exists/);
  const altered = await kafkaTool(TOPICS, ...bs, '--alter', '--topic', 'forwarded', '--partitions', '5');
  t.equal(altered.code, 0, altered.out);
  t.equal(q.manager.image.topics.get('forwarded')?.partitions, 5);
  const deleted = await kafkaTool(TOPICS, ...bs, '--delete', '--topic', 'forwarded');
  t.equal(deleted.code, 0, deleted.out);
  t.equal(q.manager.image.topics.get('forwarded'), undefined);
});

t.test('NOT_CONTROLLER in the envelope: the broker retries until a controller takes it', async (t) => {
  const { q, brokerPort } = await setUp(t);
  const activeAgain = new RaftCommitter({ isLeader: () => true, endOffset: () => q.manager.metadataLog.endOffset, propose: async (records) => {
    const b = await q.manager.metadataLog.append(records);
    void q.manager.applyCommitted(b.lastOffset + 1);
    return b.lastOffset;
  } }, q.manager, 2);
  q.controller.deactivate();
  const client = new NodeClient({ nodeId: 9, requestTimeoutMs: 5000 });
  client.setEndpoint(2, { host: '127.0.0.1', port: brokerPort });
  t.teardown(() => client.close());
  const pending = client.send(2, CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name: 'after-election', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  await new Promise((r) => setTimeout(r, 200));
  t.equal(q.manager.image.topics.get('after-election'), undefined);
  q.controller.activate(activeAgain);
  const res = await pending;
  t.equal(res.topics[0].errorCode, ErrorCode.NONE);
  t.equal(q.manager.image.topics.get('after-election')?.partitions, 1);
});

t.test('no controller takes it within the request timeout: REQUEST_TIMED_OUT per topic', async (t) => {
  const { q, brokerPort } = await setUp(t, 300);
  q.controller.deactivate();
  const client = new NodeClient({ nodeId: 9, requestTimeoutMs: 5000 });
  client.setEndpoint(2, { host: '127.0.0.1', port: brokerPort });
  t.teardown(() => client.close());
  const res = await client.send(2, CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [
      { name: 'a', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      { name: 'b', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  t.same(res.topics.map((x) => [x.name, x.errorCode]), [['a', ErrorCode.REQUEST_TIMED_OUT], ['b', ErrorCode.REQUEST_TIMED_OUT]]);
});
