// A broker's lifecycle against the active controller over real sockets: the controller listener
// serves BrokerRegistration / BrokerHeartbeat (the handler modules, Kafka 4.4's versions), the
// broker side (NodeClient, ControllerChannel, BrokerLifecycleManager) registers, catches up,
// is unfenced once ready, and leaves by controlled shutdown. The controller is a quorum of one.
import t from 'tap';
import { BrokerConfig } from '../../src/config.js';
import { Server } from '../../src/network/server.js';
import type { RequestInfo } from '../../src/network/api.js';
import { NodeClient } from '../../src/network/node-client.js';
import brokerRegistration from '../../src/handlers/controller/62-broker-registration.js';
import brokerHeartbeat from '../../src/handlers/controller/63-broker-heartbeat.js';
import type { ClusterRequestContext } from '../../src/handlers/controller/cluster-context.js';
import { ControllerChannel } from '../../src/node/controller-channel.js';
import { BrokerLifecycleManager } from '../../src/node/broker-lifecycle.js';
import { randomUuid } from '../../src/metadata/uuid.js';
import { quorumOfOne } from './helpers.js';

async function controllerListener(controller: ClusterRequestContext['clusterControl']) {
  const registry = new Map([brokerRegistration, brokerHeartbeat].map((h) => [h.apiKey, h as any]));
  const server = new Server<ClusterRequestContext>({
    listenerName: 'CONTROLLER',
    registry,
    context: (info: RequestInfo) => ({ ...info, clusterControl: controller }),
    config: new BrokerConfig({}),
  });
  const port = await server.listen('127.0.0.1', 0);
  return { server, port };
}

t.test('register, catch up, unfence when ready, controlled shutdown', async (t) => {
  const q = await quorumOfOne();
  const { server, port } = await controllerListener(q.controller);
  const client = new NodeClient({ nodeId: 2, requestTimeoutMs: 2000 });
  client.setEndpoint(1, { host: '127.0.0.1', port });
  let leader: number | null = null;
  const channel = new ControllerChannel({ client, activeController: () => leader, requestTimeoutMs: 2000 });
  const lifecycle = new BrokerLifecycleManager({
    nodeId: 2,
    clusterId: q.clusterId,
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9094, securityProtocol: 0 }],
    rack: 'rack-a',
    logDirs: [randomUuid()],
    channel,
    metadataOffset: () => q.manager.replayedOffset,
    heartbeatIntervalMs: 50,
    sessionTimeoutMs: 9000,
  });
  t.teardown(async () => {
    lifecycle.close();
    channel.close();
    client.close();
    await server.close();
  });
  lifecycle.start();
  // No leader known yet: the registration waits for one.
  await new Promise((r) => setTimeout(r, 30));
  t.equal(q.manager.image.cluster.brokers.has(2), false);
  leader = 1;
  channel.controllerChanged();

  await lifecycle.initialCatchUp;
  t.equal(lifecycle.state, 'RECOVERY');
  const reg = q.manager.image.cluster.brokers.get(2)!;
  t.equal(reg.epoch, lifecycle.brokerEpoch);
  t.equal(reg.incarnationId, lifecycle.incarnationId);
  t.equal(reg.rack, 'rack-a');
  t.equal(reg.fenced, true, 'still fenced: the broker has not said it is ready');

  lifecycle.setReadyToUnfence();
  await lifecycle.initialUnfence;
  t.equal(lifecycle.state, 'RUNNING');
  t.equal(q.manager.image.cluster.brokers.get(2)!.fenced, false);

  await lifecycle.beginControlledShutdown();
  t.equal(q.manager.image.cluster.brokers.get(2)!.fenced, true, 'a broker allowed to shut down is fenced');
});

t.test('a refused registration is retried: another incarnation waits for the old session to expire', async (t) => {
  const q = await quorumOfOne({ 'broker.session.timeout.ms': '9000' });
  const { server, port } = await controllerListener(q.controller);
  const client = new NodeClient({ nodeId: 2, requestTimeoutMs: 2000 });
  client.setEndpoint(1, { host: '127.0.0.1', port });
  const channel = new ControllerChannel({ client, activeController: () => 1, requestTimeoutMs: 2000 });
  const make = () =>
    new BrokerLifecycleManager({
      nodeId: 2,
      clusterId: q.clusterId,
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9094, securityProtocol: 0 }],
      rack: null,
      logDirs: ['9fLOo5bdSwqcAjUabH7bjw'],
      channel,
      metadataOffset: () => q.manager.replayedOffset,
      heartbeatIntervalMs: 50,
      sessionTimeoutMs: 9000,
    });
  const first = make();
  first.start();
  await first.initialCatchUp;
  first.close();
  const second = make();
  t.teardown(async () => {
    second.close();
    channel.close();
    client.close();
    await server.close();
  });
  second.start();
  // Refused with DUPLICATE_BROKER_REGISTRATION while the first one's session lasts...
  while (second.brokerEpoch === -1 && q.manager.image.cluster.brokers.get(2)!.incarnationId === first.incarnationId) {
    await new Promise((r) => setTimeout(r, 20));
    if (q.clock.now < 2_000_000) q.clock.advance(1000);
  }
  // ...and accepted once the virtual clock has run past it.
  await second.initialCatchUp;
  t.equal(q.manager.image.cluster.brokers.get(2)!.incarnationId, second.incarnationId);
  t.ok(second.brokerEpoch > first.brokerEpoch);
});
