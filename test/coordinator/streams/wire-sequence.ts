// One scripted conversation of a streams group over the wire (raw requests through samsa's codecs):
// two members of one process join with word count's topology, tasks move from one to the other
// (revocation first), the group is described, listed and committed to, members leave and err. Run
// against Apache Kafka 4.4.0 it recorded fixtures/kafka-4.4.0-streams-wire.json; wire.test.ts runs
// it against samsa and compares. Which tasks each member gets is the assignor's choice and is
// compared as counts; everything else (epochs, statuses, errors, messages) as Kafka answered.
import { codecRequest } from '../../metadata/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function topology(group: string) {
  return {
    epoch: 0,
    subtopologies: [
      { subtopologyId: '0', sourceTopics: [`${group}-input`], sourceTopicRegex: [], stateChangelogTopics: [], repartitionSinkTopics: [`${group}-by-word-repartition`], repartitionSourceTopics: [], copartitionGroups: [] },
      {
        subtopologyId: '1',
        sourceTopics: [],
        sourceTopicRegex: [],
        stateChangelogTopics: [{ name: `${group}-counts-changelog`, partitions: 0, replicationFactor: 0, topicConfigs: [{ key: 'cleanup.policy', value: 'compact' }] }],
        repartitionSinkTopics: [],
        repartitionSourceTopics: [{ name: `${group}-by-word-repartition`, partitions: 0, replicationFactor: 0, topicConfigs: [{ key: 'cleanup.policy', value: 'delete' }] }],
        copartitionGroups: [],
      },
    ],
  };
}

type TaskIds = { subtopologyId: string; partitions: number[] }[] | null;

/** Tasks as a count (the assignor decides which), null kept. */
function count(t: TaskIds): number | null {
  return t === null ? null : t.reduce((n, x) => n + x.partitions.length, 0);
}

export async function wireSequence(bootstrap: string, group: string): Promise<[string, unknown][]> {
  const [host, p] = bootstrap.split(':');
  const port = Number(p);
  const call = (name: string, version: number, body: unknown) => codecRequest(host!, port, name, version, body);
  const out: [string, unknown][] = [];
  const base = { groupId: group, endpointInformationEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: -1, topology: null, activeTasks: null, standbyTasks: null, warmupTasks: null, processId: null, userEndpoint: null, clientTags: null, taskOffsets: null, taskEndOffsets: null, shutdownApplication: false };
  const tasksOf = new Map<string, TaskIds>();
  const hb = async (label: string, req: Record<string, unknown>, version = 1) => {
    const r = await call('StreamsGroupHeartbeat', version, { ...base, ...req });
    if (r.activeTasks) tasksOf.set(String(req.memberId), r.activeTasks);
    out.push([label, { ...r, activeTasks: count(r.activeTasks), standbyTasks: count(r.standbyTasks), warmupTasks: count(r.warmupTasks) }]);
    return r;
  };
  const owned = (m: string) => ({ activeTasks: tasksOf.get(m) ?? [], standbyTasks: [], warmupTasks: [] });

  await call('CreateTopics', 7, { topics: [{ name: `${group}-input`, numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10000, validateOnly: false });
  await call('FindCoordinator', 4, { key: '', keyType: 0, coordinatorKeys: [group] });
  await sleep(2000);
  const join = { memberEpoch: 0, rebalanceTimeoutMs: 30000, topology: topology(group), processId: 'p1', activeTasks: [], standbyTasks: [], warmupTasks: [] };
  let r = await hb('m1 joins', { memberId: 'm1', ...join });
  await sleep(1500);
  r = await hb('m1 after the internal topics exist', { memberId: 'm1', memberEpoch: r.memberEpoch, ...owned('m1') });
  const m1Epoch = r.memberEpoch;
  await sleep(100);
  const j2 = await hb('m2 joins', { memberId: 'm2', ...join });
  r = await hb('m1 still owning everything', { memberId: 'm1', memberEpoch: m1Epoch, ...owned('m1') });
  r = await hb('m1 gave up the revoked tasks', { memberId: 'm1', memberEpoch: r.memberEpoch, ...owned('m1') });
  const m1Now = r.memberEpoch;
  r = await hb('m2 after the release', { memberId: 'm2', memberEpoch: j2.memberEpoch, ...owned('m2') });
  const m2Now = r.memberEpoch;
  r = await hb('m2 unchanged', { memberId: 'm2', memberEpoch: m2Now });

  const d = await call('StreamsGroupDescribe', 1, { groupIds: [group, `${group}-missing`], includeAuthorizedOperations: true, includeTopologyDescription: false });
  out.push([
    'StreamsGroupDescribe',
    d.groups.map((g: any) => ({
      ...g,
      members: g.members
        .map((m: any) => ({ ...m, clientId: '', assignment: { activeTasks: count(m.assignment.activeTasks) }, targetAssignment: { activeTasks: count(m.targetAssignment.activeTasks) } }))
        .sort((a: any, b: any) => (a.memberId < b.memberId ? -1 : 1)),
    })),
  ]);
  const l = await call('ListGroups', 5, { statesFilter: [], typesFilter: ['streams'] });
  out.push(['ListGroups streams', l.groups.filter((g: any) => g.groupId === group)]);
  out.push(['DescribeGroups v6', (await call('DescribeGroups', 6, { groups: [group], includeAuthorizedOperations: false })).groups]);
  out.push(['DescribeGroups v5', (await call('DescribeGroups', 5, { groups: [group], includeAuthorizedOperations: false })).groups]);

  const commit = (version: number, memberId: string, epoch: number) =>
    call('OffsetCommit', version, { groupId: group, generationIdOrMemberEpoch: epoch, memberId, groupInstanceId: null, retentionTimeMs: -1, topics: [{ name: `${group}-input`, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' }] }] });
  const errs = (x: any) => x.topics.flatMap((t: any) => t.partitions.map((q: any) => q.errorCode));
  out.push(['OffsetCommit v9 unknown member', errs(await commit(9, 'nobody', m1Now))]);
  out.push(['OffsetCommit v9 newer epoch', errs(await commit(9, 'm1', m1Now + 5))]);
  out.push(['OffsetCommit v8 from a member', errs(await commit(8, 'm1', m1Now))]);
  out.push(['OffsetCommit v9 admin (no member) on a live group', errs(await commit(9, '', -1))]);

  await hb('m1 greater epoch', { memberId: 'm1', memberEpoch: m1Now + 10 });
  await hb('unknown member', { memberId: 'nobody', memberEpoch: 3 });
  await hb('m1 newer topology epoch', { memberId: 'm3', ...join, topology: { ...topology(group), epoch: 1 } });
  await hb('missing group', { memberId: 'm1', memberEpoch: 3, groupId: `${group}-missing` });
  await hb('m2 leaves', { memberId: 'm2', memberEpoch: -1 });
  await hb('m2 leaves again', { memberId: 'm2', memberEpoch: -1 });
  const tdu = await call('StreamsGroupTopologyDescriptionUpdate', 0, { groupId: group, memberId: 'm1', topologyEpoch: 0, topologyDescription: { subtopologies: [], globalStores: [] } });
  out.push(['StreamsGroupTopologyDescriptionUpdate', tdu]);
  await hb('m1 leaves', { memberId: 'm1', memberEpoch: -1 });
  out.push(['DeleteGroups', (await call('DeleteGroups', 2, { groupsNames: [group] })).results]);
  return out;
}
