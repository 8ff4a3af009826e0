// Broker lifecycle on the active controller, as Kafka 4.4's QuorumController runs it at
// metadata.version 33: registration (fenced RegisterBrokerRecord, epoch = its offset), the
// heartbeat that unfences once the broker has replayed its registration
// (BrokerRegistrationChangeRecord v0, fenced -1), session expiry after broker.session.timeout.ms
// (fenced 1), controlled shutdown (v1, InControlledShutdown 1), unregistration, controller
// registration and producer id blocks; Kafka's error codes for each refusal. Virtual clock.
import t from 'tap';
import { ErrorCode } from '../../src/protocol/errors.js';
import { RecordType } from '../../src/metadata/records.js';
import { imageToRecords } from '../../src/metadata/image-records.js';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { MetadataImage } from '../../src/metadata/image.js';
import { heartbeat, quorumOfOne, registration } from './helpers.js';

const BROKER_REGISTRATION_CHANGE = 17;

t.test('registration writes a fenced RegisterBrokerRecord; the broker epoch is its offset', async (t) => {
  const { manager, controller, committed, clusterId } = await quorumOfOne();
  const req = registration(clusterId, 2, { rack: 'r1' });
  const next = manager.metadataLog.endOffset;
  const epoch = await controller.registerBrokerRequest(req);
  t.equal(epoch, next);
  const rec = committed.at(-1)![0];
  t.equal(rec.type, RecordType.REGISTER_BROKER);
  t.equal(rec.version, 3);
  t.match(rec.data, { brokerId: 2, incarnationId: req.incarnationId, brokerEpoch: epoch, fenced: true, inControlledShutdown: false, rack: 'r1', logDirs: req.logDirs });
  const b = manager.image.cluster.brokers.get(2)!;
  t.equal(b.fenced, true);
  t.equal(b.endpoints[0].port, 9092);
});

t.test('heartbeats unfence a broker once its metadata offset reaches its registration', async (t) => {
  const { manager, controller, committed, clusterId } = await quorumOfOne();
  const epoch = await controller.registerBrokerRequest(registration(clusterId, 2));
  const behind = await controller.brokerHeartbeat(heartbeat(2, epoch, epoch - 1));
  t.same(behind, { isCaughtUp: false, isFenced: true, inControlledShutdown: false, shouldShutDown: false });
  t.equal(manager.image.cluster.brokers.get(2)!.fenced, true);
  const caughtUp = await controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  t.same(caughtUp, { isCaughtUp: true, isFenced: false, inControlledShutdown: false, shouldShutDown: false });
  const rec = committed.at(-1)![0];
  t.same({ type: rec.type, version: rec.version, data: rec.data }, { type: BROKER_REGISTRATION_CHANGE, version: 0, data: { brokerId: 2, brokerEpoch: epoch, fenced: -1 } });
  t.equal(manager.image.cluster.brokers.get(2)!.fenced, false);
  // A heartbeat that changes nothing writes nothing.
  const before = manager.metadataLog.endOffset;
  await controller.brokerHeartbeat(heartbeat(2, epoch, epoch + 5));
  t.equal(manager.metadataLog.endOffset, before);
});

t.test('a broker that stops heartbeating is fenced after broker.session.timeout.ms', async (t) => {
  const { manager, controller, clock, committed, clusterId } = await quorumOfOne({ 'broker.session.timeout.ms': '9000' });
  const epoch = await controller.registerBrokerRequest(registration(clusterId, 2));
  await controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  t.equal(controller.nextFenceCheckMs(), clock.now + 9000);
  clock.advance(8999);
  t.same(await controller.fenceStaleBrokers(), []);
  await controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  clock.advance(8999);
  t.same(await controller.fenceStaleBrokers(), [], 'the heartbeat renewed the session');
  clock.advance(1);
  t.same(await controller.fenceStaleBrokers(), [2]);
  const rec = committed.at(-1)![0];
  t.same({ type: rec.type, version: rec.version, data: rec.data }, { type: BROKER_REGISTRATION_CHANGE, version: 0, data: { brokerId: 2, brokerEpoch: epoch, fenced: 1 } });
  t.equal(manager.image.cluster.brokers.get(2)!.fenced, true);
  t.equal(controller.nextFenceCheckMs(), null, 'fenced brokers are not watched');
  // The broker comes back: its next heartbeat is answered fenced, and unfences it again.
  const back = await controller.brokerHeartbeat(heartbeat(2, epoch, epoch + 10));
  t.equal(back.isFenced, false);
});

t.test("a heartbeat renews the session on arrival, before the controller's queue reaches it (Kafka 4.4's BrokerHeartbeatTracker)", async (t) => {
  const { controller, clock, clusterId } = await quorumOfOne({ 'broker.session.timeout.ms': '9000' });
  const epoch = await controller.registerBrokerRequest(registration(clusterId, 2));
  await controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  clock.advance(8999);
  // A fencing check queued first, the heartbeat arriving just before the session ends, and both
  // run only after it ended: the check must see the heartbeat's contact.
  const check = controller.fenceStaleBrokers();
  const arrived = clock.now;
  const reply = controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  clock.advance(501);
  t.same(await check, [], 'not fenced: its heartbeat had arrived');
  t.equal((await reply).isFenced, false);
  t.equal(controller.nextFenceCheckMs(), arrived + 9000, 'the session counts from the arrival');
  // A heartbeat naming another broker epoch renews nothing.
  clock.advance(8000);
  const stale = controller.brokerHeartbeat(heartbeat(2, epoch + 1, epoch));
  t.equal(controller.nextFenceCheckMs(), arrived + 9000);
  await t.rejects(stale, { errorCode: ErrorCode.STALE_BROKER_EPOCH });
});

t.test("registration refusals carry Kafka's error codes", async (t) => {
  const { controller, clusterId } = await quorumOfOne();
  await t.rejects(controller.registerBrokerRequest(registration('other-cluster-id-0000', 2)), { errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID });
  await t.rejects(controller.registerBrokerRequest(registration(clusterId, 2, { logDirs: [] })), { errorCode: ErrorCode.INVALID_REGISTRATION });
  await t.rejects(controller.registerBrokerRequest(registration(clusterId, 2, { logDirs: ['AAAAAAAAAAAAAAAAAAAAAA'] })), { errorCode: ErrorCode.INVALID_REGISTRATION });
  const noMv = registration(clusterId, 2);
  noMv.features = noMv.features.filter((f) => f.name !== 'metadata.version');
  await t.rejects(controller.registerBrokerRequest(noMv), { errorCode: ErrorCode.INVALID_REGISTRATION });
  const oldMv = registration(clusterId, 2);
  oldMv.features = oldMv.features.map((f) => (f.name === 'metadata.version' ? { ...f, maxSupportedVersion: 21 } : f));
  await t.rejects(controller.registerBrokerRequest(oldMv), {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    message: 'Unable to register because the broker does not support finalized version 33 of metadata.version. The broker wants a version between 7 and 21, inclusive.',
  });
  // group.version is finalized at 1: a broker that does not name it supports only level 0.
  const noGroups = registration(clusterId, 2);
  noGroups.features = noGroups.features.filter((f) => f.name !== 'group.version');
  await t.rejects(controller.registerBrokerRequest(noGroups), { errorCode: ErrorCode.UNSUPPORTED_VERSION });
  await t.rejects(controller.registerBrokerRequest(registration(clusterId, 2, { isMigratingZkBroker: true })), { errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED });
  const dir = registration(clusterId, 3);
  await controller.registerBrokerRequest(dir);
  await t.rejects(controller.registerBrokerRequest(registration(clusterId, 4, { logDirs: dir.logDirs })), { errorCode: ErrorCode.INVALID_REGISTRATION });
});

t.test('another incarnation is refused while the session lasts, then gets a new epoch, fenced', async (t) => {
  const { manager, controller, clock, clusterId } = await quorumOfOne();
  const first = registration(clusterId, 2);
  const epoch = await controller.registerBrokerRequest(first);
  await controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  // The same incarnation registering again keeps its epoch and state.
  t.equal(await controller.registerBrokerRequest({ ...first }), epoch);
  t.equal(manager.image.cluster.brokers.get(2)!.fenced, false);
  clock.advance(5000);
  await t.rejects(controller.registerBrokerRequest(registration(clusterId, 2)), { errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION });
  clock.advance(9000);
  const restarted = registration(clusterId, 2, { previousBrokerEpoch: epoch });
  const epoch2 = await controller.registerBrokerRequest(restarted);
  t.ok(epoch2 > epoch);
  t.equal(manager.image.cluster.brokers.get(2)!.fenced, true);
  t.equal(manager.image.cluster.brokers.get(2)!.incarnationId, restarted.incarnationId);
  await t.rejects(controller.brokerHeartbeat(heartbeat(2, epoch, epoch2)), { errorCode: ErrorCode.STALE_BROKER_EPOCH });
  await t.rejects(controller.brokerHeartbeat(heartbeat(7, 0, 0)), { errorCode: ErrorCode.STALE_BROKER_EPOCH });
});

t.test('a broker fenced for its expired session may register a new incarnation at once, as in Kafka 4.4', async (t) => {
  const { manager, controller, clock, clusterId } = await quorumOfOne({ 'broker.session.timeout.ms': '9000' });
  const epoch = await controller.registerBrokerRequest(registration(clusterId, 2));
  await controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  clock.advance(9001);
  t.same(await controller.fenceStaleBrokers(), [2]);
  // Killed and restarted right away: no DUPLICATE_BROKER_REGISTRATION until another timeout passes.
  const epoch2 = await controller.registerBrokerRequest(registration(clusterId, 2, { previousBrokerEpoch: epoch }));
  t.ok(epoch2 > epoch);
  t.equal(manager.image.cluster.brokers.get(2)!.fenced, true);
  const back = await controller.brokerHeartbeat(heartbeat(2, epoch2, manager.metadataLog.endOffset));
  t.equal(back.isFenced, false);
  t.equal(controller.nextFenceCheckMs(), clock.now + 9000, 'the new incarnation has a session of its own');
});

t.test('controlled shutdown: leaderships move first, then the broker may go', async (t) => {
  const { manager, controller, clusterId } = await quorumOfOne();
  const e2 = await controller.registerBrokerRequest(registration(clusterId, 2));
  const e3 = await controller.registerBrokerRequest(registration(clusterId, 3));
  await controller.brokerHeartbeat(heartbeat(2, e2, e3));
  await controller.brokerHeartbeat(heartbeat(3, e3, e3));
  const [created] = await controller.createTopics([{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [2, 3] }], configs: [] }], false);
  t.equal(created.errorCode, ErrorCode.NONE);
  t.equal(manager.image.topics.get('t')!.registrations.get(0)!.leader, 2);

  const first = await controller.brokerHeartbeat(heartbeat(2, e2, manager.metadataLog.endOffset - 1, { wantShutDown: true }));
  t.same(first, { isCaughtUp: true, isFenced: false, inControlledShutdown: true, shouldShutDown: false });
  const p = manager.image.topics.get('t')!.registrations.get(0)!;
  t.equal(p.leader, 3, 'leadership moved to the other ISR member');
  t.same(p.isr, [3]);
  t.equal(p.leaderEpoch, 1);
  t.equal(manager.image.cluster.brokers.get(2)!.inControlledShutdown, true);
  // Broker 3 has not yet seen the change: broker 2 must wait.
  const waiting = await controller.brokerHeartbeat(heartbeat(2, e2, manager.metadataLog.endOffset - 1, { wantShutDown: true }));
  t.equal(waiting.shouldShutDown, false);
  await controller.brokerHeartbeat(heartbeat(3, e3, manager.metadataLog.endOffset - 1));
  const done = await controller.brokerHeartbeat(heartbeat(2, e2, manager.metadataLog.endOffset - 1, { wantShutDown: true }));
  t.same(done, { isCaughtUp: true, isFenced: true, inControlledShutdown: false, shouldShutDown: true });
  t.equal(manager.image.cluster.brokers.get(2)!.fenced, true);
});

t.test('with one replica a fenced broker leaves its partitions leaderless, eligible to lead again (ELR)', async (t) => {
  const { manager, controller, clock, committed, clusterId } = await quorumOfOne();
  const e2 = await controller.registerBrokerRequest(registration(clusterId, 2));
  await controller.brokerHeartbeat(heartbeat(2, e2, e2));
  await controller.createTopics([{ name: 'one', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [2] }], configs: [] }], false);
  const topicId = manager.image.topics.get('one')!.topicId;
  clock.advance(9000);
  t.same(await controller.fenceStaleBrokers(), [2]);
  // What a Kafka 4.4.0 controller shows then: Leader none, Isr empty, Elr 2, LastKnownElr 2.
  t.same(committed.at(-1)![0].data, { partitionId: 0, topicId, isr: [], leader: -1, eligibleLeaderReplicas: [2], lastKnownElr: [2] });
  let p = manager.image.topics.get('one')!.registrations.get(0)!;
  t.equal(p.leader, -1);
  t.same([p.isr, p.elr, p.lastKnownElr], [[], [2], [2]]);
  await controller.brokerHeartbeat(heartbeat(2, e2, manager.metadataLog.endOffset - 1));
  p = manager.image.topics.get('one')!.registrations.get(0)!;
  // As a Kafka 4.4.0 controller after such a broker restarts (also uncleanly): Leader 2, Isr 2, Elr and LastKnownElr empty.
  t.equal(p.leader, 2, 'elected from the ELR once unfenced');
  t.same([p.isr, p.elr, p.lastKnownElr], [[2], [], []]);
  t.equal(p.leaderEpoch, 2);
});

t.test('without ELR the last ISR member stays in the ISR', async (t) => {
  const { manager, controller, clock, clusterId } = await quorumOfOne();
  await controller.updateFeatures([{ feature: 'eligible.leader.replicas.version', maxVersionLevel: 0, upgradeType: 2 }], false);
  t.equal(manager.image.features.level('eligible.leader.replicas.version'), 0);
  const e2 = await controller.registerBrokerRequest(registration(clusterId, 2));
  await controller.brokerHeartbeat(heartbeat(2, e2, e2));
  await controller.createTopics([{ name: 'one', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [2] }], configs: [] }], false);
  clock.advance(9000);
  await controller.fenceStaleBrokers();
  const p = manager.image.topics.get('one')!.registrations.get(0)!;
  t.same([p.leader, p.isr, p.elr], [-1, [2], []]);
});

t.test('unregistration removes the broker; an unknown id is BROKER_ID_NOT_REGISTERED', async (t) => {
  const { manager, controller, committed, clusterId } = await quorumOfOne();
  const e2 = await controller.registerBrokerRequest(registration(clusterId, 2));
  await controller.unregisterBroker(2);
  t.same(committed.at(-1)!.at(-1)!.data, { brokerId: 2, brokerEpoch: e2 });
  t.equal(manager.image.cluster.brokers.has(2), false);
  await t.rejects(controller.unregisterBroker(2), { errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED });
});

t.test('producer id blocks: 1000 ids each, never twice, only for the current broker epoch', async (t) => {
  const { manager, controller, clusterId } = await quorumOfOne();
  const e2 = await controller.registerBrokerRequest(registration(clusterId, 2));
  t.same(await controller.allocateProducerIds(2, e2), { producerIdStart: 0, producerIdLen: 1000 });
  t.same(await controller.allocateProducerIds(2, e2), { producerIdStart: 1000, producerIdLen: 1000 });
  t.equal(manager.image.producerIds.nextProducerId, 2000);
  await t.rejects(controller.allocateProducerIds(2, e2 + 1), { errorCode: ErrorCode.STALE_BROKER_EPOCH });
  await t.rejects(controller.allocateProducerIds(5, 0), { errorCode: ErrorCode.STALE_BROKER_EPOCH });
});

t.test('controller registration lands in the image and survives a snapshot round trip', async (t) => {
  const { manager, controller } = await quorumOfOne();
  await controller.registerController({
    controllerId: 1,
    incarnationId: 'q1bDZ0cJQTCJmK1mAFI8Lw',
    zkMigrationReady: false,
    listeners: [{ name: 'CONTROLLER', host: '127.0.0.1', port: 19092, securityProtocol: 0 }],
    features: [{ name: 'kraft.version', minSupportedVersion: 0, maxSupportedVersion: 1 }],
  });
  const c = manager.image.cluster.controllers.get(1)!;
  t.equal(c.endpoints[0].port, 19092);
  const delta = new MetadataDelta(MetadataImage.empty(manager.image.clusterId));
  for (const r of imageToRecords(manager.image)) delta.replay(r);
  t.same(delta.apply(manager.image.provenance).cluster.controllers.get(1), c);
});

t.test('an inactive controller refuses operations with NOT_CONTROLLER', async (t) => {
  const { controller, clusterId } = await quorumOfOne();
  controller.deactivate();
  await t.rejects(controller.registerBrokerRequest(registration(clusterId, 2)), { errorCode: ErrorCode.NOT_CONTROLLER });
  await t.rejects(controller.createTopics([{ name: 'x', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], false), { errorCode: ErrorCode.NOT_CONTROLLER });
});
