// Groups and offsets live in __consumer_offsets: a restart (clean, or kill -9 of the broker
// process) loses no acknowledged commit and brings back each group's generation, members and
// assignments; while a partition loads its groups get COORDINATOR_LOAD_IN_PROGRESS (heartbeats
// are answered blindly, as Kafka does).
import t from 'tap';
import { Broker } from '../../src/broker.js';
import type { PartitionLog } from '../../src/storage/types.js';
import { GroupWire, groupBroker, FAST_GROUPS, E } from './group-wire.js';
import { tempDir } from '../helpers/tmp.js';
import { spawnBroker } from '../helpers/cli-broker.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { FindCoordinatorRequest } from '../../src/protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../src/protocol/generated/find-coordinator-response.js';

const part = (partitionIndex: number, committedOffset: number, committedMetadata: string | null = null) => ({
  partitionIndex,
  committedOffset,
  committedLeaderEpoch: 3,
  committedMetadata,
});

t.test('a clean restart brings back offsets, metadata, groups and their generation', async (t) => {
  const dir = tempDir(t);
  let memberId: string;
  {
    const b = await groupBroker(t, {}, dir);
    const c = await GroupWire.connect(t, b);
    await c.createTopic('t', 2);
    const j = await c.joinFully({ groupId: 'live', sessionTimeoutMs: 30_000 });
    memberId = j.memberId;
    await c.sync(3, { groupId: 'live', generationId: 1, memberId, assignments: [{ memberId, assignment: Buffer.from('assigned') }] });
    await c.commit(8, { groupId: 'live', generationIdOrMemberEpoch: 1, memberId, topics: [{ name: 't', partitions: [part(0, 100, 'meta-ü'), part(1, 200)] }] });
    await c.commit(8, { groupId: 'live', generationIdOrMemberEpoch: 1, memberId, topics: [{ name: 't', partitions: [part(0, 101, 'newer')] }] });
    await c.commit(8, { groupId: 'idle', topics: [{ name: 't', partitions: [part(0, 5)] }] });
    await c.commit(8, { groupId: 'gone', topics: [{ name: 't', partitions: [part(0, 6)] }] });
    t.equal((await c.deleteGroups(1, ['gone'])).results[0].errorCode, E.NONE);
    await c.commit(8, { groupId: 'idle', topics: [{ name: 't', partitions: [part(1, 7)] }] });
    await c.deleteOffsets({ groupId: 'idle', topics: [{ name: 't', partitions: [{ partitionIndex: 1 }] }] });
    await b.close();
  }
  const b = await groupBroker(t, {}, dir);
  const c = await GroupWire.connect(t, b);
  const live = await c.fetch(5, { groupId: 'live', topics: null });
  t.same(live.topics, [
    {
      name: 't',
      partitions: [
        { partitionIndex: 0, committedOffset: 101, committedLeaderEpoch: 3, metadata: 'newer', errorCode: E.NONE },
        { partitionIndex: 1, committedOffset: 200, committedLeaderEpoch: 3, metadata: '', errorCode: E.NONE },
      ],
    },
  ]);
  t.same((await c.fetch(5, { groupId: 'idle', topics: null })).topics, [
    { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: 3, metadata: '', errorCode: E.NONE }] },
  ], 'the deleted offset stays deleted');
  t.same((await c.fetch(5, { groupId: 'gone', topics: null })).topics, [], 'the deleted group stays deleted');
  const described = (await c.describe(4, ['live', 'idle', 'gone'])).groups;
  t.same(
    described.map((g) => [g.groupId, g.groupState, g.protocolType, g.protocolData]),
    [
      ['live', 'Stable', 'consumer', 'range'],
      ['idle', 'Empty', '', ''],
      ['gone', 'Dead', '', ''],
    ],
  );
  t.same(
    described[0].members.map((m) => [m.memberId, m.clientId, m.clientHost, m.memberMetadata.toString(), m.memberAssignment.toString()]),
    [[memberId, 'samsa-wire-test', '/127.0.0.1', 'meta', 'assigned']],
  );
  // The member carries on with its generation as if nothing happened.
  t.equal(await c.heartbeat(3, { groupId: 'live', generationId: 1, memberId }), E.NONE);
  t.equal((await c.sync(3, { groupId: 'live', generationId: 1, memberId })).assignment.toString(), 'assigned');
  t.equal(
    (await c.commit(8, { groupId: 'live', generationIdOrMemberEpoch: 1, memberId, topics: [{ name: 't', partitions: [part(0, 102)] }] })).topics[0].partitions[0].errorCode,
    E.NONE,
  );
});

t.test('kill -9 of the broker loses no acknowledged commit', async (t) => {
  const dir = tempDir(t);
  const args = ['--port', '0', '--data-dir', dir, ...Object.entries(FAST_GROUPS).flatMap(([k, v]) => ['--config', `${k}=${v}`])];
  const first = await spawnBroker(t, args);
  const c = await GroupWire.connect(t, first);
  await c.createTopic('k', 4);
  // As every client does, find the coordinator first: that creates __consumer_offsets.
  const found0 = await c.call(FindCoordinatorRequest, FindCoordinatorResponse, 3, { key: 'g0', keyType: 0 });
  t.equal(found0.errorCode, E.NONE);
  const acked = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const group = `g${i % 7}`;
    const p = i % 4;
    const res = await c.commit(8, { groupId: group, topics: [{ name: 'k', partitions: [part(p, i, `m${i}`)] }] });
    if (res.topics[0].partitions[0].errorCode === E.NONE) acked.set(`${group}/${p}`, i);
  }
  t.equal(acked.size, 28);
  t.equal((await first.stop('SIGKILL')).signal, 'SIGKILL');
  const second = await spawnBroker(t, args);
  const d = await GroupWire.connect(t, second);
  let fetched = await d.fetch(8, { groups: [...new Set([...acked.keys()].map((k) => k.split('/')[0]))].map((groupId) => ({ groupId, topics: null })) });
  // The coordinator loads in the background: retry while it says so.
  for (let i = 0; i < 50 && fetched.groups!.some((g) => g.errorCode === E.COORDINATOR_LOAD_IN_PROGRESS); i++) {
    await new Promise((r) => setTimeout(r, 100));
    fetched = await d.fetch(8, { groups: fetched.groups!.map((g) => ({ groupId: g.groupId, topics: null })) });
  }
  const found = new Map<string, [number, string]>();
  for (const g of fetched.groups!) for (const tp of g.topics) for (const p of tp.partitions) found.set(`${g.groupId}/${p.partitionIndex}`, [p.committedOffset, p.metadata]);
  for (const [key, offset] of acked) t.same(found.get(key), [offset, `m${offset}`], key);
  await second.stop('SIGTERM');
});

t.test('while __consumer_offsets loads, group APIs answer COORDINATOR_LOAD_IN_PROGRESS', async (t) => {
  const dir = tempDir(t);
  const config = { ...FAST_GROUPS, 'offsets.topic.num.partitions': '1' };
  {
    const b = await groupBroker(t, config, dir);
    const c = await GroupWire.connect(t, b);
    await c.createTopic('t', 1);
    await c.commit(8, { groupId: 'g', topics: [{ name: 't', partitions: [part(0, 42)] }] });
    await b.close();
  }
  // Fault injection: reads of __consumer_offsets wait until the test lets them through.
  const broker = new Broker({ port: 0, dataDir: dir, config });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const partitionLog = broker.partitionLog.bind(broker);
  broker.partitionLog = (topic: string, partition: number) => {
    const log = partitionLog(topic, partition);
    if (topic !== '__consumer_offsets' || !log) return log;
    return new Proxy(log, {
      get(target, prop) {
        if (prop === 'read') return async (...args: Parameters<PartitionLog['read']>) => (await gate, target.read(...args));
        const v = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
  const { port } = await broker.start();
  t.teardown(() => broker.close());
  const c = await GroupWire.connect(t, { host: '127.0.0.1', port });
  const topics = [{ name: 't', partitions: [part(0, 43)] }];
  t.equal((await c.findCoordinator(3, { key: 'g', keyType: 0 })).errorCode, E.NONE, 'the coordinator is found');
  t.equal((await c.join(5, { groupId: 'g' })).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS, 'JoinGroup');
  t.equal((await c.sync(3, { groupId: 'g', generationId: 1, memberId: 'm' })).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS, 'SyncGroup');
  t.equal(await c.heartbeat(3, { groupId: 'g', generationId: 1, memberId: 'm' }), E.NONE, 'Heartbeat: answered blindly');
  t.equal((await c.leave(3, { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null }] })).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS, 'LeaveGroup');
  t.equal((await c.commit(8, { groupId: 'g', topics })).topics[0].partitions[0].errorCode, E.COORDINATOR_LOAD_IN_PROGRESS, 'OffsetCommit');
  const v1 = await c.fetch(1, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] });
  t.same(v1.topics[0].partitions[0], { partitionIndex: 0, committedOffset: -1, metadata: '', errorCode: E.COORDINATOR_LOAD_IN_PROGRESS, committedLeaderEpoch: -1 }, 'OffsetFetch v1: on the partition');
  t.equal((await c.fetch(5, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] })).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS, 'OffsetFetch v5: top level');
  t.equal((await c.fetch(8, { groups: [{ groupId: 'g', topics: null }] })).groups![0].errorCode, E.COORDINATOR_LOAD_IN_PROGRESS, 'OffsetFetch v8: per group');
  const d = (await c.describe(5, ['g'])).groups[0];
  t.same([d.errorCode, d.groupState], [E.COORDINATOR_LOAD_IN_PROGRESS, ''], 'DescribeGroups');
  t.equal((await c.list(4)).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS, 'ListGroups');
  t.equal((await c.deleteGroups(1, ['g'])).results[0].errorCode, E.COORDINATOR_LOAD_IN_PROGRESS, 'DeleteGroups');
  t.equal((await c.deleteOffsets({ groupId: 'g', topics: [] })).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS, 'OffsetDelete');
  release();
  await broker.groups.whenLoaded();
  t.equal((await c.fetch(1, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] })).topics[0].partitions[0].committedOffset, 42, 'loaded');
  t.equal((await c.commit(8, { groupId: 'g', topics })).topics[0].partitions[0].errorCode, E.NONE);
});

t.test('what lands in __consumer_offsets: Kafka\'s records, in the partition Kafka would choose', async (t) => {
  const b = await groupBroker(t, { 'offsets.topic.num.partitions': '50' });
  const c = await GroupWire.connect(t, b);
  await c.createTopic('t', 1);
  const group = 'layout-group';
  // Utils.abs("layout-group".hashCode()) % 50, computed here from Java's definition.
  let h = 0n;
  for (let i = 0; i < group.length; i++) h = BigInt.asIntN(32, h * 31n + BigInt(group.charCodeAt(i)));
  const partition = Number(h < 0n ? -h : h) % 50;
  await c.commit(8, { groupId: group, topics: [{ name: 't', partitions: [part(0, 77, 'md')] }] });
  const j = await c.joinFully({ groupId: group });
  await c.sync(3, { groupId: group, generationId: 1, memberId: j.memberId, assignments: [{ memberId: j.memberId, assignment: Buffer.from('as') }] });

  const reader = await KafkajsReader.connect(b.bootstrap);
  t.teardown(() => reader.close());
  const { messages } = await reader.readPartition('__consumer_offsets', partition);
  const str = (s: string) => Buffer.concat([Buffer.from([s.length >> 8, s.length & 0xff]), Buffer.from(s)]);
  const offsetKey = Buffer.concat([Buffer.from([0, 1]), str(group), str('t'), Buffer.from([0, 0, 0, 0])]);
  const groupKey = Buffer.concat([Buffer.from([0, 2]), str(group)]);
  const commit = messages.find((m) => m.key?.equals(offsetKey));
  t.ok(commit, 'the commit is in the group\'s partition under an OffsetCommitKey v1');
  const v = commit!.value!;
  t.equal(v.readInt16BE(0), 3, 'OffsetCommitValue v3');
  t.equal(Number(v.readBigInt64BE(2)), 77, 'offset');
  t.equal(v.readInt32BE(10), 3, 'leader epoch');
  t.equal(v.subarray(14, 18).toString('latin1'), '\x00\x02md', 'metadata');
  t.equal(v.length, 26, 'then the commit timestamp, and nothing more');
  const groupRecords = messages.filter((m) => m.key?.equals(groupKey));
  t.equal(groupRecords.length, 1, 'one GroupMetadataKey v2 record: the generation with its assignment (the group existed, from the commit)');
  const last = groupRecords.at(-1)!.value!;
  t.equal(last.readInt16BE(0), 3, 'GroupMetadataValue v3');
  t.ok(last.includes(Buffer.from(j.memberId)) && last.includes(Buffer.from('as')), 'the member and its assignment');
});
