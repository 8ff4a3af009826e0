// A broker's own requests to the active controller over real sockets: topics it creates itself
// (auto-creation, __consumer_offsets) come back once its image has them; producer ids come from
// blocks AllocateProducerIds reserves for its broker epoch, none handed out twice.
import t from 'tap';
import { BrokerConfig } from '../../src/config.js';
import { Server } from '../../src/network/server.js';
import type { RequestInfo } from '../../src/network/api.js';
import { NodeClient } from '../../src/network/node-client.js';
import { CONTROLLER_ADMIN_HANDLERS, CONTROLLER_CLUSTER_HANDLERS, type ControllerApisContext } from '../../src/handlers/controller/controller-apis.js';
import { ControllerBrokerContext } from '../../src/controller/controller-broker-context.js';
import { ControllerChannel } from '../../src/node/controller-channel.js';
import { RemoteController } from '../../src/node/remote-controller.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { heartbeat, quorumOfOne, registration } from './helpers.js';

async function setUp(t: Tap.Test) {
  const q = await quorumOfOne();
  const config = new BrokerConfig({});
  const ctx = new ControllerBrokerContext(q.manager, 1, config, () => ({ host: '127.0.0.1', port: 0 }));
  const server = new Server<ControllerApisContext>({
    listenerName: 'CONTROLLER',
    registry: new Map([...CONTROLLER_CLUSTER_HANDLERS, ...CONTROLLER_ADMIN_HANDLERS].map((h) => [h.apiKey, h as any])),
    context: (info: RequestInfo) => ({ ...info, broker: ctx, clusterControl: q.controller, activeControllerId: () => 1 }),
    config,
  });
  const port = await server.listen('127.0.0.1', 0);
  const client = new NodeClient({ nodeId: 2, requestTimeoutMs: 2000 });
  client.setEndpoint(1, { host: '127.0.0.1', port });
  const channel = new ControllerChannel({ client, activeController: () => 1, requestTimeoutMs: 2000 });
  const epoch = await q.controller.registerBrokerRequest(registration(q.clusterId, 2));
  await q.controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  const remote = new RemoteController({ channel, nodeId: 2, brokerEpoch: () => epoch, image: () => q.manager.image, timeoutMs: 2000 });
  q.manager.installPublisher(remote);
  t.teardown(async () => {
    channel.close();
    client.close();
    await server.close();
  });
  return { q, remote, channel, epoch: () => epoch };
}

t.test('a topic the broker creates itself is back once its image has it', async (t) => {
  const { q, remote } = await setUp(t);
  const topic = await remote.createTopic('__consumer_offsets', 3, { 'cleanup.policy': 'compact' });
  t.equal(topic.partitions, 3);
  t.same([...topic.registrations.values()].map((p) => p.leader), [2, 2, 2], 'placed on the one unfenced broker');
  t.equal(q.manager.image.configs.topicConfigs('__consumer_offsets')['cleanup.policy'], 'compact');
  // Asked again (two requests racing): the existing topic.
  t.equal((await remote.createTopic('__consumer_offsets', 3, {})).topicId, topic.topicId);
  // A refusal from the controller is the caller's error.
  await t.rejects(remote.createTopic('bad', 1, { 'cleanup.policy': 'nonsense' }), { errorCode: ErrorCode.INVALID_CONFIG });
});

t.test('producer ids come from controller-reserved blocks of this broker epoch', async (t) => {
  const { q, remote, channel, epoch } = await setUp(t);
  const ids = [];
  for (let i = 0; i < 1001; i++) ids.push(await remote.allocateProducerId());
  t.equal(new Set(ids).size, 1001);
  t.same([ids[0], ids[999], ids[1000]], [0, 999, 1000]);
  t.equal(q.manager.image.producerIds.nextProducerId, 2000, 'two blocks reserved');
  // Concurrent callers share one block request.
  const more = await Promise.all(Array.from({ length: 50 }, () => remote.allocateProducerId()));
  t.equal(new Set(more).size, 50);
  t.equal(q.manager.image.producerIds.nextProducerId, 2000);
  // A stale epoch gets no block: the client is told to retry.
  const stale = new RemoteController({ channel, nodeId: 2, brokerEpoch: () => epoch() - 1, image: () => q.manager.image, timeoutMs: 2000 });
  await t.rejects(stale.allocateProducerId(), { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS });
});

t.test('no controller to ask: errors the client retries', async (t) => {
  const q = await quorumOfOne();
  const client = new NodeClient({ nodeId: 2, requestTimeoutMs: 100 });
  const channel = new ControllerChannel({ client, activeController: () => null, requestTimeoutMs: 100 });
  t.teardown(() => {
    channel.close();
    client.close();
  });
  const remote = new RemoteController({ channel, nodeId: 2, brokerEpoch: () => 0, image: () => q.manager.image, timeoutMs: 100 });
  await t.rejects(remote.createTopic('later', 1, {}), { errorCode: ErrorCode.LEADER_NOT_AVAILABLE });
  await t.rejects(remote.allocateProducerId(), { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS });
});
