// StreamsGroupHeartbeat on the sans-IO manager (ManualClock): joining with the topology, internal
// topic creation and statuses, task assignment and reconciliation (revoke before assign), standbys,
// epochs and fencing, leaving, timeouts, the initial rebalance delay, records and their replay, with
// Kafka 4.4's errors and messages (the initial-delay epochs are those a probe of Kafka 4.4.0 answered).
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { MemberState } from '../../../src/coordinator/group/streams/member.js';
import { Harness, taskIds, tasks, wordCount } from './harness.js';

const ALL = ['0-0', '0-1', '0-2', '1-0', '1-1', '1-2'];

/** A group whose internal topics exist: the first member holds every task at epoch 2. */
async function ready(h: Harness) {
  await h.join('m1');
  await h.settle();
  return h.hb({ memberId: 'm1', memberEpoch: 2, activeTasks: [], standbyTasks: [], warmupTasks: [] });
}

t.test('request checks: INVALID_REQUEST with Kafka 4.4 messages', async (t) => {
  const h = new Harness();
  const cases: [Parameters<Harness['hb']>[0], number, string][] = [
    [{ memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 1, topology: wordCount() }, ErrorCode.INVALID_REQUEST, "MemberId can't be empty."],
    [{ memberId: 'm', memberEpoch: 0, groupId: '', rebalanceTimeoutMs: 1, topology: wordCount() }, ErrorCode.INVALID_REQUEST, "GroupId can't be empty."],
    [{ memberId: 'm', memberEpoch: 0, instanceId: ' ', rebalanceTimeoutMs: 1, topology: wordCount() }, ErrorCode.INVALID_REQUEST, "InstanceId can't be empty."],
    [{ memberId: 'm', memberEpoch: 0, topology: wordCount() }, ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.'],
    [{ memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1, topology: wordCount(), activeTasks: taskIds(['0-0']), standbyTasks: [], warmupTasks: [] }, ErrorCode.INVALID_REQUEST, 'ActiveTasks must be empty when (re-)joining.'],
    [{ memberId: 'm', memberEpoch: 0, rebalanceTimeoutMs: 1 }, ErrorCode.INVALID_REQUEST, 'Topology must be non-null when (re-)joining.'],
    [{ memberId: 'm', memberEpoch: -3 }, ErrorCode.INVALID_REQUEST, 'MemberEpoch is -3, but must be greater than or equal to -2.'],
    [{ memberId: 'm', memberEpoch: -2 }, ErrorCode.INVALID_REQUEST, "InstanceId can't be null."],
    [{ memberId: 'm', memberEpoch: 3, activeTasks: [] }, ErrorCode.INVALID_REQUEST, 'If one task-type is non-null, all must be non-null.'],
    [{ memberId: 'm', memberEpoch: 3, topology: wordCount() }, ErrorCode.INVALID_REQUEST, 'Topology can only be provided when (re-)joining.'],
  ];
  for (const [req, code, message] of cases) {
    const r = await h.hb(req);
    t.equal(r.errorCode, code, message);
    t.equal(r.errorMessage, message);
  }
  const topo = wordCount();
  topo.subtopologies[1]!.stateChangelogTopics[0]!.partitions = 4;
  const bad = await h.join('m', 'p', { topology: topo });
  t.equal(bad.errorCode, ErrorCode.STREAMS_INVALID_TOPOLOGY);
  t.equal(bad.errorMessage, 'Changelog topic app-counts-changelog must have an undefined partition count, but it is set to 4.');
  const regex = wordCount();
  regex.subtopologies[0]!.sourceTopicRegex = ['in.*'];
  t.equal((await h.join('m', 'p', { topology: regex })).errorMessage, 'Regular expressions for source topics are not supported yet.');
  t.equal(h.log.length, 0, 'nothing written');
  h.coordinatorStatus = ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  t.equal((await h.join('m')).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
});

t.test('first member: internal topics created with derived partition counts, then every task', async (t) => {
  const h = new Harness();
  const j = await h.join('m1');
  t.equal(j.errorCode, ErrorCode.NONE);
  t.equal(j.memberEpoch, 2);
  t.same(tasks(j.activeTasks), [], 'no task while internal topics are missing');
  t.same(j.status, [{ statusCode: 3, statusDetail: 'Internal topics are missing: app-by-word-repartition, app-counts-changelog' }]);
  t.equal(j.heartbeatIntervalMs, 5000);
  t.equal(j.taskOffsetIntervalMs, 60000);
  t.equal(j.acceptableRecoveryLag, 10000);
  t.equal(h.streams().state(), 'NotReady');
  await h.settle();
  t.same(
    h.created.map((c) => [c.name, c.partitions, c.configs['cleanup.policy']]),
    [
      ['app-by-word-repartition', 3, 'delete'],
      ['app-counts-changelog', 3, 'compact'],
    ],
    'repartition topic as its writer\'s source (3), changelog one partition per task',
  );
  const r = await h.hb({ memberId: 'm1', memberEpoch: 2, activeTasks: [], standbyTasks: [], warmupTasks: [] });
  t.equal(r.memberEpoch, 3, 'the new topics bump the group epoch');
  t.same(tasks(r.activeTasks), ALL);
  t.same(r.status, []);
  const g = h.streams();
  t.equal(g.state(), 'Stable');
  t.equal(g.validatedTopologyEpoch, 0);
  t.same([g.groupEpoch, g.assignmentEpoch], [3, 3]);
  t.same(
    h.log.map((x) => x.key.readInt16BE(0)),
    [19, 23, 17, 21, 20, 22, 17, 21, 20, 22],
    'member, topology, group epoch, (empty) target, target epoch, current assignment; then epoch, target, target epoch, current assignment',
  );
  const again = await h.hb({ memberId: 'm1', memberEpoch: 3, activeTasks: taskIds(ALL), standbyTasks: [], warmupTasks: [] });
  t.equal(again.activeTasks, null, 'no tasks in an answer that changes nothing');
  t.equal(again.memberEpoch, 3);
});

t.test('missing source topics and wrongly partitioned internal topics are statuses', async (t) => {
  const h = new Harness();
  h.topics.delete('input');
  const j = await h.join('m1');
  t.same(j.status, [{ statusCode: 1, statusDetail: 'Source topics input are missing.' }]);
  t.equal(h.created.length, 0, 'nothing created while a source topic is missing');
  h.topics.set('input', { topicId: 'x', partitions: 3 });
  h.topics.set('app-counts-changelog', { topicId: 'y', partitions: 5 });
  const r = await h.hb({ memberId: 'm1', memberEpoch: 2 });
  t.same(r.status, [{ statusCode: 2, statusDetail: 'Existing topic app-counts-changelog has different number of partitions: expected 3, found 5' }]);
  t.equal(h.streams().state(), 'NotReady');
});

t.test('a second thread of the same process: tasks move only once revoked', async (t) => {
  const h = new Harness();
  await ready(h);
  const j2 = await h.join('m2');
  t.equal(j2.memberEpoch, 4);
  t.same(tasks(j2.activeTasks), [], 'its tasks are still m1\'s');
  t.equal(h.streams().members.get('m2')!.state, MemberState.UNRELEASED_TASKS);
  t.equal(h.streams().state(), 'Reconciling');
  const r1 = await h.hb({ memberId: 'm1', memberEpoch: 3, activeTasks: taskIds(ALL), standbyTasks: [], warmupTasks: [] });
  t.equal(r1.memberEpoch, 3, 'revoking: the epoch stays');
  const kept = tasks(r1.activeTasks);
  t.equal(kept.length, 3);
  t.equal(h.streams().members.get('m1')!.state, MemberState.UNREVOKED_TASKS);
  const still = await h.hb({ memberId: 'm1', memberEpoch: 3, activeTasks: taskIds(ALL), standbyTasks: [], warmupTasks: [] });
  t.equal(still.memberEpoch, 3, 'still owning the revoked tasks: no progress');
  const done = await h.hb({ memberId: 'm1', memberEpoch: 3, activeTasks: taskIds(kept), standbyTasks: [], warmupTasks: [] });
  t.equal(done.memberEpoch, 4);
  const r2 = await h.hb({ memberId: 'm2', memberEpoch: 4, activeTasks: [], standbyTasks: [], warmupTasks: [] });
  const got = tasks(r2.activeTasks);
  t.equal(got.length, 3);
  t.same([...kept, ...got].sort(), ALL, 'every task active once');
  t.equal(h.streams().state(), 'Stable');
});

t.test('standby replicas go to other processes only', async (t) => {
  const h = new Harness({ 'group.streams.num.standby.replicas': '1' });
  await ready(h);
  await h.join('m2', 'p2');
  const r1 = await h.hb({ memberId: 'm1', memberEpoch: 3, activeTasks: taskIds(ALL), standbyTasks: [], warmupTasks: [] });
  const kept = tasks(r1.activeTasks);
  await h.hb({ memberId: 'm1', memberEpoch: 3, activeTasks: taskIds(kept), standbyTasks: [], warmupTasks: [] });
  const r2 = await h.hb({ memberId: 'm2', memberEpoch: 4, activeTasks: [], standbyTasks: [], warmupTasks: [] });
  const m1 = h.streams().members.get('m1')!;
  const m2 = h.streams().members.get('m2')!;
  // Only subtopology 1 (the counts, with a changelog) has state: only its tasks get standbys, as in Kafka 4.4.
  const stateful = (l: string[]) => l.filter((x) => x.startsWith('1-'));
  t.same(tasks(r2.standbyTasks), stateful(kept), "m2's standbys are m1's stateful active tasks");
  t.same(
    [...m1.assigned.standby].flatMap(([id, p]) => [...p].map((x) => `${id}-${x}`)).sort(),
    stateful(tasks(r2.activeTasks)),
    "m1's standbys (after its next heartbeat) are m2's stateful active tasks",
  );
  t.ok(m2.assigned.standby.size > 0);
  t.notOk(m1.assigned.standby.has('0') || m2.assigned.standby.has('0'), 'no standby of a stateless task');
  // Two threads of one process: no standby (it would sit beside its active copy).
  const same = new Harness({ 'group.streams.num.standby.replicas': '1' });
  await ready(same);
  await same.join('m2', 'p1');
  t.same([...same.streams().targetAssignment.values()].flatMap((x) => [...x.standby.values()]).length, 0);
});

t.test('member epochs: greater or unexplained smaller ones are fenced; the previous one with a subset passes', async (t) => {
  const h = new Harness();
  await ready(h);
  const ahead = await h.hb({ memberId: 'm1', memberEpoch: 7 });
  t.equal(ahead.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  t.equal(ahead.errorMessage, 'The streams group member has a greater member epoch (7) than the one known by the group coordinator (3). The member must abandon all its partitions and rejoin.');
  const prev = await h.hb({ memberId: 'm1', memberEpoch: 2, activeTasks: [], standbyTasks: [], warmupTasks: [] });
  t.equal(prev.errorCode, ErrorCode.NONE, 'a lost response: the previous epoch owning a subset');
  const behind = await h.hb({ memberId: 'm1', memberEpoch: 2, activeTasks: taskIds(['0-0']), standbyTasks: [], warmupTasks: [] });
  t.equal(behind.errorCode, ErrorCode.NONE);
  const old = await h.hb({ memberId: 'm1', memberEpoch: 2 });
  t.equal(old.errorCode, ErrorCode.FENCED_MEMBER_EPOCH, 'no owned tasks: cannot be checked');
  t.equal(old.errorMessage, 'The streams group member has a smaller member epoch (2) than the one known by the group coordinator (3). The member must abandon all its partitions and rejoin.');
  const unknown = await h.hb({ memberId: 'nobody', memberEpoch: 3 });
  t.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(unknown.errorMessage, 'Member nobody is not a member of group app.');
  const other = await h.hb({ memberId: 'x', memberEpoch: 1, groupId: 'none' });
  t.equal(other.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  t.equal(other.errorMessage, 'Streams group none not found.');
});

t.test('topology epochs: a newer one is refused, an older member hears STALE_TOPOLOGY', async (t) => {
  const h = new Harness();
  await ready(h);
  const newer = await h.join('m2', 'p1', { topology: wordCount(1) });
  t.equal(newer.errorCode, ErrorCode.INVALID_REQUEST, 'INVALID_REQUEST, as Kafka 4.4.0 answers (not STREAMS_INVALID_TOPOLOGY_EPOCH)');
  t.equal(newer.errorMessage, 'Topology updates are not supported yet.');
  t.notOk(h.streams().members.has('m2'), 'the refused member was not added');
  const h2 = new Harness();
  await h2.join('m1', 'p1', { topology: wordCount(2) });
  const older = await h2.join('m2', 'p1', { topology: wordCount(1) });
  t.same(older.status?.[0], { statusCode: 0, statusDetail: "The member's topology epoch 1 is behind the group's topology epoch 2." });
});

t.test('leaving, session and rebalance timeouts remove the member and bump the epoch', async (t) => {
  const h = new Harness();
  await ready(h);
  await h.join('m2');
  const before = h.log.length;
  const left = await h.hb({ memberId: 'm2', memberEpoch: -1 });
  t.equal(left.errorCode, ErrorCode.NONE);
  t.equal(left.memberEpoch, -1);
  t.notOk(h.streams().members.has('m2'));
  t.same(h.log.slice(before).map((x) => [x.key.readInt16BE(0), x.value === null]), [[22, true], [21, true], [19, true], [17, false]], 'three tombstones and the new epoch');
  t.equal((await h.hb({ memberId: 'm2', memberEpoch: -1 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);

  // Session: m1 heartbeats, m3 does not.
  await h.join('m3');
  h.clock.advance(30_000);
  await h.hb({ memberId: 'm1', memberEpoch: h.streams().members.get('m1')!.memberEpoch });
  h.clock.advance(20_000);
  t.notOk(h.streams().members.has('m3'), 'm3 fenced after 45 s without a heartbeat');
  t.ok(h.streams().members.has('m1'));
  const fenced = await h.hb({ memberId: 'm3', memberEpoch: 5 });
  t.equal(fenced.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);

  // Rebalance timeout: m1 is asked to revoke and never does.
  const h2 = new Harness();
  await ready(h2);
  await h2.join('m2', 'p1', { rebalanceTimeoutMs: 30_000 });
  await h2.hb({ memberId: 'm1', memberEpoch: 3, activeTasks: taskIds(ALL), standbyTasks: [], warmupTasks: [] });
  t.equal(h2.streams().members.get('m1')!.state, MemberState.UNREVOKED_TASKS);
  for (let i = 0; i < 4; i++) {
    h2.clock.advance(9_000);
    await h2.hb({ memberId: 'm1', memberEpoch: 3, activeTasks: taskIds(ALL), standbyTasks: [], warmupTasks: [] });
    await h2.hb({ memberId: 'm2', memberEpoch: 4, activeTasks: [], standbyTasks: [], warmupTasks: [] });
  }
  t.notOk(h2.streams().members.has('m1'), 'fenced after the 30 s rebalance timeout');
  const survivor = h2.streams().members.get('m2')!;
  t.same([...survivor.assigned.active].flatMap(([id, p]) => [...p.keys()].map((x) => `${id}-${x}`)).sort(), ALL, 'the survivor gets every task');
});

t.test('initial rebalance delay: members wait at the group epoch, then the timer bumps it and assigns (as Kafka 4.4.0)', async (t) => {
  const h = new Harness({ 'group.streams.initial.rebalance.delay.ms': '3000' });
  const j = await h.join('m1');
  t.equal(j.memberEpoch, 1);
  t.same(j.activeTasks, [], 'an empty assignment');
  t.same(j.status?.map((s) => s.statusCode), [5, 3]);
  t.equal(j.status?.[0]?.statusDetail, 'Assignment delayed due to the configured initial rebalance delay.');
  await h.settle();
  h.clock.advance(1500);
  const j2 = await h.join('m1');
  t.equal(j2.memberEpoch, 1, 'still the epoch it joined at');
  t.same(j2.status, [{ statusCode: 5, statusDetail: 'Assignment delayed due to the configured initial rebalance delay.' }]);
  h.clock.advance(1500);
  const j3 = await h.join('m1');
  t.equal(j3.memberEpoch, 3);
  t.same(tasks(j3.activeTasks), ALL);
  t.same(j3.status, []);
});

t.test('assignment interval: a new member waits for it, told why', async (t) => {
  const h = new Harness({ 'group.streams.assignment.interval.ms': '1000' });
  await h.join('m1');
  await h.settle();
  const early = await h.hb({ memberId: 'm1', memberEpoch: 2 });
  t.same(early.status, [{ statusCode: 5, statusDetail: 'Assignment delayed due to the configured assignment interval.' }], 'the first (empty) assignment was just made');
  h.clock.advance(1000);
  const m1 = await h.hb({ memberId: 'm1', memberEpoch: 2, activeTasks: [], standbyTasks: [], warmupTasks: [] });
  t.equal(m1.memberEpoch, 3);
  t.same(tasks(m1.activeTasks), ALL);
  const j = await h.join('m2');
  t.same(j.status, [{ statusCode: 5, statusDetail: 'Assignment delayed due to the configured assignment interval.' }]);
  t.equal(j.memberEpoch, 3, 'the current assignment epoch, no tasks');
  h.clock.advance(1000);
  t.equal(h.streams().assignmentEpoch, 4, 'the timer computed the assignment');
});

t.test('user endpoints: partitions by endpoint, the endpoint epoch moves', async (t) => {
  const h = new Harness();
  await h.join('m1', 'p1', { userEndpoint: { host: 'h1', port: 8080 } });
  await h.settle();
  const r = await h.hb({ memberId: 'm1', memberEpoch: 2, endpointInformationEpoch: 0, activeTasks: [], standbyTasks: [], warmupTasks: [] });
  t.ok(r.endpointInformationEpoch > 0);
  t.same(r.partitionsByUserEndpoint, [
    {
      userEndpoint: { host: 'h1', port: 8080 },
      activePartitions: [
        { topic: 'app-by-word-repartition', partitions: [0, 1, 2] },
        { topic: 'input', partitions: [0, 1, 2] },
      ],
      standbyPartitions: [],
    },
  ]);
  const same = await h.hb({ memberId: 'm1', memberEpoch: 3, endpointInformationEpoch: r.endpointInformationEpoch });
  t.equal(same.partitionsByUserEndpoint, null, 'nothing new at the current endpoint epoch');
});

t.test('a shutdown request reaches every member', async (t) => {
  const h = new Harness();
  await ready(h);
  await h.join('m2');
  await h.hb({ memberId: 'm2', memberEpoch: 4, shutdownApplication: true });
  const r = await h.hb({ memberId: 'm1', memberEpoch: 3 });
  t.same(r.status, [{ statusCode: 4, statusDetail: 'Streams group member m2 encountered a fatal error and requested a shutdown for the entire application.' }]);
});

t.test('a failed write answers with the coordinator error', async (t) => {
  const h = new Harness();
  h.failNextAppend = true;
  const r = await h.join('m1');
  t.equal(r.errorCode, ErrorCode.NOT_COORDINATOR);
});

t.test('replay: a reloaded coordinator has the same group, members, targets and topology', async (t) => {
  const h = new Harness();
  await ready(h);
  await h.join('m2', 'p2', { userEndpoint: { host: 'h', port: 1 } });
  await h.hb({ memberId: 'm1', memberEpoch: 3, activeTasks: taskIds(ALL), standbyTasks: [], warmupTasks: [] });
  const r = h.replayed();
  const a = h.streams();
  const b = r.streams();
  t.same([b.groupEpoch, b.assignmentEpoch, b.validatedTopologyEpoch, b.metadataHash], [a.groupEpoch, a.assignmentEpoch, a.validatedTopologyEpoch, a.metadataHash]);
  t.same(b.topology, a.topology);
  t.same([...b.targetAssignment.keys()].sort(), [...a.targetAssignment.keys()].sort());
  for (const [id, m] of a.members) {
    const n = b.members.get(id)!;
    t.same([n.memberEpoch, n.previousMemberEpoch, n.state, n.processId, n.userEndpoint, n.rebalanceTimeoutMs], [m.memberEpoch, m.previousMemberEpoch, m.state, m.processId, m.userEndpoint, m.rebalanceTimeoutMs], `member ${id}`);
    t.same(n.assigned, m.assigned);
    t.same(n.pendingRevocation, m.pendingRevocation);
  }
  t.equal(b.state(), a.state());
  t.same(r.manager.describe(['app'], false), h.manager.describe(['app'], false).map((g) => ({ ...g, members: g.members.map((m) => ({ ...m, clientId: m.clientId })) })));
  // Session timers are armed at load.
  r.clock.advance(45_000);
  t.equal(r.streams().members.size, 0, 'members that never heartbeat again are fenced after a load');
  // Deleting the group: tombstones for every record, replayed to nothing.
  const tomb = h.manager.deleteRecords(a);
  const z = new Harness();
  for (const x of [...h.log, ...tomb]) z.manager.replay(x.key.readInt16BE(0), x.key, x.value);
  t.equal(z.groups.size, 0);
});

t.test('a failed write leaves the group as it was', async (t) => {
  const h = new Harness();
  h.failNextAppend = true;
  t.equal((await h.join('m1')).errorCode, ErrorCode.NOT_COORDINATOR);
  t.equal(h.groups.size, 0, 'the group it would have created is gone');
  await ready(h);
  const g = h.streams();
  const before = [g.groupEpoch, g.assignmentEpoch, [...g.members.keys()].join()];
  h.failNextAppend = true;
  t.equal((await h.join('m2')).errorCode, ErrorCode.NOT_COORDINATOR);
  t.same([g.groupEpoch, g.assignmentEpoch, [...g.members.keys()].join()], before, 'no member, no epoch bump');
  const again = await h.join('m2');
  t.equal(again.memberEpoch, (before[0] as number) + 1, 'the retry joins as the first attempt would have');
});

t.test('offset commits: member epochs and the assignment epoch of each task (Kafka 4.4)', async (t) => {
  const h = new Harness();
  const empty = await h.join('m0');
  await h.hb({ memberId: 'm0', memberEpoch: -1 });
  t.equal(h.streams().validateOffsetCommit('', null, -1, false, 9), ErrorCode.NONE, 'an admin commit to an Empty group');
  void empty;
  await ready(h);
  const g = h.streams();
  const e = g.members.get('m1')!.memberEpoch;
  t.equal(g.validateOffsetCommit('nobody', null, e, false, 9), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(g.validateOffsetCommit('', null, -1, false, 9), ErrorCode.UNKNOWN_MEMBER_ID, 'an admin commit while members are in');
  t.equal(g.validateOffsetCommit('m1', null, e, false, 8), ErrorCode.UNSUPPORTED_VERSION, 'OffsetCommit below v9 from a streams member');
  t.equal(g.validateOffsetCommit('m1', null, e, true, 3), ErrorCode.NONE, 'TxnOffsetCommit has no such floor');
  t.equal(g.validateOffsetCommit('m1', null, e + 1, false, 9), ErrorCode.STALE_MEMBER_EPOCH);
  t.equal(g.validateOffsetCommit('m1', null, e, false, 9), ErrorCode.NONE);
  t.equal(g.validateOffsetCommit('m1', null, e - 1, false, 9), ErrorCode.NONE, 'older: checked per partition');
  t.equal(g.validateOffsetCommitPartition('m1', e - 1, 'input', 0), ErrorCode.STALE_MEMBER_EPOCH, 'its tasks were assigned at a newer epoch');
  // m2 joins; m1 keeps three tasks (assigned at e) and moves to a new epoch.
  await h.join('m2');
  const r = await h.hb({ memberId: 'm1', memberEpoch: e, activeTasks: taskIds(ALL), standbyTasks: [], warmupTasks: [] });
  const kept = tasks(r.activeTasks);
  await h.hb({ memberId: 'm1', memberEpoch: e, activeTasks: taskIds(kept), standbyTasks: [], warmupTasks: [] });
  t.ok(g.members.get('m1')!.memberEpoch > e);
  const keptInput = kept.filter((x) => x.startsWith('0-')).map((x) => Number(x.slice(2)));
  const goneInput = [0, 1, 2].filter((p) => !keptInput.includes(p));
  for (const p of keptInput) t.equal(g.validateOffsetCommitPartition('m1', e, 'input', p), ErrorCode.NONE, `input-${p}: kept since epoch ${e}`);
  for (const p of goneInput) t.equal(g.validateOffsetCommitPartition('m1', e, 'input', p), ErrorCode.STALE_MEMBER_EPOCH, `input-${p}: no longer the member's`);
  t.equal(g.validateOffsetCommitPartition('m1', e, 'elsewhere', 0), ErrorCode.STALE_MEMBER_EPOCH, 'not a source topic');
  t.equal(g.validateOffsetFetch('m1', g.members.get('m1')!.memberEpoch), ErrorCode.NONE);
  t.equal(g.validateOffsetFetch('m1', e), ErrorCode.STALE_MEMBER_EPOCH);
  t.equal(g.validateOffsetFetch('zz', 1), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(g.validateDeleteGroup(), ErrorCode.NON_EMPTY_GROUP);
});

t.test('static members: -2 keeps the tasks, the next incarnation takes them over; the instance id is guarded', async (t) => {
  const h = new Harness();
  await h.join('m1', 'p1', { instanceId: 'i1' });
  await h.settle();
  const r = await h.hb({ memberId: 'm1', memberEpoch: 2, instanceId: 'i1', activeTasks: [], standbyTasks: [], warmupTasks: [] });
  const epoch = r.memberEpoch;
  t.same(tasks(r.activeTasks), ALL);
  const taken = await h.join('m9', 'p9', { instanceId: 'i1' });
  t.equal(taken.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID);
  t.equal(taken.errorMessage, 'Static member m9 with instance id i1 cannot join the group because the instance id is owned by m1 member.');
  const other = await h.hb({ memberId: 'm9', memberEpoch: epoch, instanceId: 'i1' });
  t.equal(other.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  t.equal(other.errorMessage, 'Static member m9 with instance id i1 was fenced by member m1.');
  const unknown = await h.hb({ memberId: 'm9', memberEpoch: epoch, instanceId: 'i9' });
  t.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(unknown.errorMessage, 'Member with instance id i9 is not a member of group app.');

  const away = await h.hb({ memberId: 'm1', memberEpoch: -2, instanceId: 'i1' });
  t.equal(away.errorCode, ErrorCode.NONE);
  t.equal(away.memberEpoch, -2);
  const g = h.streams();
  t.equal(g.members.get('m1')!.memberEpoch, -2, 'kept, at -2');
  const groupEpoch = g.groupEpoch;
  const back = await h.join('m1b', 'p1', { instanceId: 'i1' });
  t.equal(back.errorCode, ErrorCode.NONE);
  t.equal(back.memberEpoch, epoch, 'the new incarnation at the assignment epoch');
  t.same(tasks(back.activeTasks), ALL, 'with its predecessor\'s tasks');
  t.notOk(g.members.has('m1'));
  t.equal(g.groupEpoch, groupEpoch, 'no rebalance');
  const left = await h.hb({ memberId: 'm1b', memberEpoch: -1, instanceId: 'i1' });
  t.equal(left.memberEpoch, -1);
  t.equal(g.members.size, 0);
  // A replay reaches the same members.
  const r2 = h.replayed();
  t.equal(r2.streams().members.size, 0);
});

t.test('group configs: streams.* overrides apply, a new standby count triggers a rebalance; LastAssignmentConfigs as Kafka writes it', async (t) => {
  const h = new Harness();
  h.groupOverrides.set('streams.heartbeat.interval.ms', 7000);
  const j = await h.join('m1');
  t.equal(j.heartbeatIntervalMs, 7000, 'the group\'s heartbeat interval');
  // Kafka 4.4.0's first StreamsGroupMetadata record of a group carries tag 1 = [{num.standby.replicas, "0"}].
  const meta = h.log.find((x) => x.key.readInt16BE(0) === 17)!;
  t.ok(meta.value!.includes(Buffer.from([1, 25, 2, 21, ...Buffer.from('num.standby.replicas'), 2, 48, 0])), 'tag 1, 25 bytes, the same bytes as Kafka\'s');
  await h.settle();
  await h.join('m2', 'p2');
  const g = h.streams();
  const epoch = g.groupEpoch;
  t.same([...g.targetAssignment.values()].flatMap((x) => [...x.standby.values()]).length, 0, 'no standbys');
  h.groupOverrides.set('streams.num.standby.replicas', 1);
  await h.hb({ memberId: 'm1', memberEpoch: g.members.get('m1')!.memberEpoch });
  t.equal(g.groupEpoch, epoch + 1, 'the changed assignment configuration bumps the epoch');
  t.ok([...g.targetAssignment.values()].some((x) => x.standby.size > 0), 'standbys assigned');
  t.same([...h.replayed().streams().lastAssignmentConfigs], [['num.standby.replicas', '1']], 'replayed from the record');
  h.groupOverrides.set('streams.session.timeout.ms', 10_000);
  await h.hb({ memberId: 'm2', memberEpoch: g.members.get('m2')!.memberEpoch });
  h.clock.advance(10_000);
  t.notOk(g.members.has('m2'), 'the group\'s session timeout, armed at its next heartbeat');
});
