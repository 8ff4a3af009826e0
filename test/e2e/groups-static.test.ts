// Static membership with kafkajs's wire encoders (its consumer API has no group.instance.id):
// two static members share a 6-partition topic; one restarts (a new connection, no member id,
// the same instance id) within its session timeout and gets its old partitions back with no
// rebalance: the same generation, the other member never asked to rejoin. Its previous
// incarnation is fenced. A restart after the session timeout, by contrast, costs a rebalance.
import t from 'tap';
import { startBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/timeout.js';
import { KafkajsStaticMember } from '../coordinator/kafkajs-static-member.js';
import { Kafka, logLevel } from 'kafkajs';

const TOPIC = 'static-topic';
const FENCED_INSTANCE_ID = 82;
const REBALANCE_IN_PROGRESS = 27;

t.test('a static member restarting within its session timeout gets its partitions back without a rebalance', async (t) => {
  const b = await startBroker({ port: 0, dataDir: tempDir(t), config: { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '500' } });
  t.teardown(() => b.close());
  const kafka = new Kafka({ clientId: 'static-admin', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6 }] });

  const sessionTimeout = 4000;
  const a = await KafkajsStaticMember.connect(b.bootstrap, 'statics', 'instance-a', TOPIC, sessionTimeout);
  const c = await KafkajsStaticMember.connect(b.bootstrap, 'statics', 'instance-c', TOPIC, sessionTimeout);
  t.teardown(() => a.crash());
  t.teardown(() => c.crash());

  // Form one generation with both (A alone first, then C joins and A rejoins).
  t.equal((await a.join()).errorCode, 0, 'static members join without MEMBER_ID_REQUIRED');
  t.equal((await a.sync(new Map([[a.memberId, [0, 1, 2, 3, 4, 5]]]))).errorCode, 0);
  const joiningC = c.join();
  while ((await a.heartbeat()) !== REBALANCE_IN_PROGRESS) await sleep(20);
  const ja = await a.join();
  const jc = await joiningC;
  t.equal(ja.generationId, jc.generationId);
  t.equal(ja.leaderId, a.memberId, 'A leads');
  t.same(ja.members.map((m) => m.groupInstanceId).sort(), ['instance-a', 'instance-c']);
  const syncC = c.sync();
  const plan = new Map([
    [a.memberId, [0, 2, 4]],
    [c.memberId, [1, 3, 5]],
  ]);
  t.same(await a.sync(plan), { errorCode: 0, partitions: [0, 2, 4] });
  t.same(await syncC, { errorCode: 0, partitions: [1, 3, 5] });
  const generation = ja.generationId;

  // C's process restarts: the old connection drops, a new one joins with the same instance id.
  const oldC = c.memberId;
  await c.crash();
  const c2 = await KafkajsStaticMember.connect(b.bootstrap, 'statics', 'instance-c', TOPIC, sessionTimeout);
  t.teardown(() => c2.crash());
  const rejoin = await c2.join('');
  t.equal(rejoin.errorCode, 0);
  t.equal(rejoin.generationId, generation, 'no new generation');
  t.not(rejoin.memberId, oldC, 'a new member id for the new incarnation');
  t.equal(rejoin.leaderId, a.memberId, 'A still leads');
  t.same(rejoin.members, [], 'nothing to assign');
  t.same(await c2.sync(), { errorCode: 0, partitions: [1, 3, 5] }, 'its old partitions');
  for (let i = 0; i < 5; i++) {
    t.equal(await a.heartbeat(), 0, 'A is never asked to rejoin');
    t.equal(await c2.heartbeat(), 0);
    await sleep(100);
  }
  // The previous incarnation is fenced.
  t.equal(await c2.heartbeat(generation, oldC), FENCED_INSTANCE_ID);

  const described = (await admin.describeGroups(['statics'])).groups[0];
  t.equal(described.state, 'Stable');
  t.same(described.members.map((m) => m.memberId).sort(), [a.memberId, c2.memberId].sort());

  // Past the session timeout the member is gone, and coming back costs a rebalance.
  await c2.crash();
  let code = 0;
  const deadline = Date.now() + sessionTimeout + 3000;
  while (Date.now() < deadline && (code = await a.heartbeat()) === 0) await sleep(100);
  t.equal(code, REBALANCE_IN_PROGRESS, "C's session expired: A must rejoin");
  const alone = await a.join();
  t.equal(alone.generationId, generation + 1);
  t.same(alone.members.map((m) => m.groupInstanceId), ['instance-a']);
});
