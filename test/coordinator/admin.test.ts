// FindCoordinator, DescribeGroups, ListGroups and DeleteGroups field by field.
import t from 'tap';
import { GroupWire, groupBroker, subscription, E } from './group-wire.js';

t.test('FindCoordinator: this broker for every group, v4+ in batches; errors for other key types', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  const v0 = await c.findCoordinator(0, { key: 'g' });
  t.same({ errorCode: v0.errorCode, nodeId: v0.nodeId, host: v0.host, port: v0.port }, { errorCode: 0, nodeId: 1, host: '127.0.0.1', port: b.port });
  const v3 = await c.findCoordinator(3, { key: 'g', keyType: 0 });
  t.same(
    { errorCode: v3.errorCode, errorMessage: v3.errorMessage, nodeId: v3.nodeId, host: v3.host, port: v3.port },
    { errorCode: 0, errorMessage: 'NONE', nodeId: 1, host: '127.0.0.1', port: b.port },
    'Kafka sends the error name "NONE" as the message on success',
  );
  const v4 = await c.findCoordinator(4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
  t.same(v4.coordinators, [
    { key: 'a', nodeId: 1, host: '127.0.0.1', port: b.port, errorCode: 0, errorMessage: 'NONE' },
    { key: 'b', nodeId: 1, host: '127.0.0.1', port: b.port, errorCode: 0, errorMessage: 'NONE' },
  ]);
  // The first transactional lookup creates __transaction_state (as Kafka does) and names this broker.
  const txn = await c.findCoordinator(4, { keyType: 1, coordinatorKeys: ['tx'] });
  t.same(txn.coordinators, [{ key: 'tx', nodeId: 1, host: '127.0.0.1', port: b.port, errorCode: 0, errorMessage: 'NONE' }]);
  const bad = await c.findCoordinator(6, { keyType: 9, coordinatorKeys: ['x'] });
  t.equal(bad.coordinators![0].errorCode, E.INVALID_REQUEST);
});

t.test('DescribeGroups: Dead (v6: GROUP_ID_NOT_FOUND) for unknown groups, metadata and assignments only when Stable', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  // errorMessage (v6+) reads as null at older versions. Kafka 4.4's group operations: READ,
  // DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS.
  const none = await c.describe(5, ['nope'], true);
  t.same(none.groups, [
    { errorCode: 0, errorMessage: null, groupId: 'nope', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: 3400 },
  ]);
  t.equal((await c.describe(3, ['nope'], false)).groups[0].authorizedOperations, -2147483648, 'not asked for');
  // What Kafka 4.4 answers at v6 (KIP-1043), also for the empty group id.
  t.same((await c.describe(6, ['nope', ''], true)).groups, [
    { errorCode: E.GROUP_ID_NOT_FOUND, errorMessage: 'Group nope not found.', groupId: 'nope', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 },
    { errorCode: E.GROUP_ID_NOT_FOUND, errorMessage: 'Group  not found.', groupId: '', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 },
  ]);

  const j = await c.joinFully({ groupId: 'dg', protocols: [{ name: 'range', metadata: subscription(['t']) }] }, 5);
  const completing = (await c.describe(6, ['dg'])).groups[0];
  t.same(completing, {
    errorCode: 0,
    errorMessage: null,
    groupId: 'dg',
    groupState: 'CompletingRebalance',
    protocolType: 'consumer',
    protocolData: '',
    members: [{ memberId: j.memberId, groupInstanceId: null, clientId: 'samsa-wire-test', clientHost: '/127.0.0.1', memberMetadata: Buffer.alloc(0), memberAssignment: Buffer.alloc(0) }],
    authorizedOperations: -2147483648,
  });
  await c.sync(3, { groupId: 'dg', generationId: 1, memberId: j.memberId, assignments: [{ memberId: j.memberId, assignment: Buffer.from('asg') }] });
  const stable = (await c.describe(0, ['dg', 'nope'])).groups;
  t.equal(stable.length, 2);
  t.same(stable[0], {
    errorCode: 0,
    errorMessage: null,
    groupId: 'dg',
    groupState: 'Stable',
    protocolType: 'consumer',
    protocolData: 'range',
    members: [
      { memberId: j.memberId, groupInstanceId: null, clientId: 'samsa-wire-test', clientHost: '/127.0.0.1', memberMetadata: subscription(['t']), memberAssignment: Buffer.from('asg') },
    ],
    authorizedOperations: -2147483648,
  });
  t.equal(stable[1].groupState, 'Dead');
});

t.test('ListGroups: every group with its protocol type; v4 state filter and v5 type filter, case-insensitive', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  const j = await c.joinFully({ groupId: 'stable-g' });
  await c.sync(3, { groupId: 'stable-g', generationId: 1, memberId: j.memberId });
  const d = await GroupWire.connect(t, b);
  await d.joinFully({ groupId: 'completing-g', protocolType: 'connect' });
  await c.createTopic('t', 1);
  await c.commit(8, { groupId: 'simple-g', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] });

  const sorted = <T extends { groupId: string }>(gs: T[]) => [...gs].sort((x, y) => x.groupId.localeCompare(y.groupId));
  t.same(sorted((await c.list(0)).groups), [
    { groupId: 'completing-g', protocolType: 'connect', groupState: '', groupType: '' },
    { groupId: 'simple-g', protocolType: '', groupState: '', groupType: '' },
    { groupId: 'stable-g', protocolType: 'consumer', groupState: '', groupType: '' },
  ]);
  t.same(sorted((await c.list(5)).groups), [
    { groupId: 'completing-g', protocolType: 'connect', groupState: 'CompletingRebalance', groupType: 'classic' },
    { groupId: 'simple-g', protocolType: '', groupState: 'Empty', groupType: 'classic' },
    { groupId: 'stable-g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
  ]);
  t.same((await c.list(4, { statesFilter: ['stable'] })).groups.map((g) => g.groupId), ['stable-g']);
  t.same(sorted((await c.list(4, { statesFilter: ['EMPTY', 'CompletingRebalance'] })).groups).map((g) => g.groupId), ['completing-g', 'simple-g']);
  t.same((await c.list(4, { statesFilter: ['Dead'] })).groups, []);
  t.equal((await c.list(5, { typesFilter: ['Classic'] })).groups.length, 3);
  t.same((await c.list(5, { typesFilter: ['consumer'] })).groups, [], 'no KIP-848 groups');
  t.equal((await c.list(3, { statesFilter: ['stable'] })).groups.length, 3, 'v3 has no filter');
});

t.test('DeleteGroups: only Empty groups, with their offsets', async (t) => {
  const b = await groupBroker(t);
  const c = await GroupWire.connect(t, b);
  await c.createTopic('t', 1);
  const j = await c.joinFully({ groupId: 'busy' });
  await c.commit(8, { groupId: 'idle', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 4, committedLeaderEpoch: -1, committedMetadata: 'm' }] }] });
  const res = await c.deleteGroups(3, ['busy', 'idle', 'none', 'idle']);
  // Results are keyed by group (Kafka 4.4 answers a group named twice once); v3's message is null
  // for these errors, as from Kafka 4.4.
  t.same(res.results, [
    { groupId: 'busy', errorCode: E.NON_EMPTY_GROUP, errorMessage: null },
    { groupId: 'idle', errorCode: E.NONE, errorMessage: null },
    { groupId: 'none', errorCode: E.GROUP_ID_NOT_FOUND, errorMessage: null },
  ]);
  t.same((await c.fetch(1, { groupId: 'idle', topics: [{ name: 't', partitionIndexes: [0] }] })).topics[0].partitions[0].committedOffset, -1);
  t.same((await c.list(0)).groups.map((g) => g.groupId), ['busy']);
  t.equal((await c.describe(0, ['idle'])).groups[0].groupState, 'Dead');
  // The deleted group can be used again from scratch.
  t.equal((await c.commit(8, { groupId: 'idle', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] })).topics[0].partitions[0].errorCode, E.NONE);
  t.equal(j.errorCode, E.NONE);
});
