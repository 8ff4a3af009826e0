// An offset commit on a cluster is answered once the __consumer_offsets write is committed (the
// partition's high watermark passed it), as Kafka's coordinator runtime waits for the high
// watermark: with both followers of the group's offsets partition down (still in its ISR) the
// coordinator's commit is not acknowledged (COORDINATOR_NOT_AVAILABLE after offsets.commit.timeout.ms,
// Kafka's mapping of the timed-out write), while with them up the same commit is acknowledged.
import t from 'tap';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { partitionFor } from '../../src/coordinator/group/records.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { codecRequest } from '../metadata/helpers.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(180_000);

const TOPIC = 'payments';
const GROUP = 'auditors';
const OFFSETS = '__consumer_offsets';

function hostPort(c: RunningCluster, nodeId: number): [string, number] {
  const [host, port] = c.node(nodeId).bootstrap!.split(':');
  return [host, Number(port)];
}

/** A simple group's (generation -1) commit of `offset` for partition 0, sent to `nodeId`; the partition's error code. */
async function commit(c: RunningCluster, nodeId: number, offset: number): Promise<number> {
  const res = await codecRequest(...hostPort(c, nodeId), 'OffsetCommit', 8, {
    groupId: GROUP,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }] }],
  });
  return res.topics[0].partitions[0].errorCode;
}

t.test('an offset commit is acknowledged only once its replicas have it', async (t) => {
  const c = await startCluster({
    nodes: 3,
    dataDir: tempDir(t),
    // Followers stay in the ISR while down (no shrink within the test), so the high watermark waits for them.
    config: { 'replica.lag.time.max.ms': '600000', 'offsets.commit.timeout.ms': '1500' },
  });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  await waitUntil('the topic created', 60_000, async () => {
    const res = await codecRequest(...hostPort(c, 1), 'CreateTopics', 7, { topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
    const e = res.topics[0].errorCode;
    return e === ErrorCode.NONE || e === ErrorCode.TOPIC_ALREADY_EXISTS;
  });
  // FindCoordinator creates __consumer_offsets; the group's partition gets a leader with all three in its ISR.
  const coordinator = await waitUntil('the group coordinator', 60_000, async () => {
    const res = await codecRequest(...hostPort(c, 1), 'FindCoordinator', 4, { keyType: 0, coordinatorKeys: [GROUP] });
    const found = res.coordinators[0];
    return found.errorCode === ErrorCode.NONE ? (found.nodeId as number) : undefined;
  });
  // The coordinator's own image may trail the one that answered.
  const offsets = await waitUntil(`${OFFSETS} in broker ${coordinator}'s image`, 30_000, () => c.node(coordinator).node!.metadata.image.topics.get(OFFSETS));
  const reg = offsets.registrations.get(partitionFor(GROUP, offsets.partitions))!;
  t.same([reg.leader, reg.isr.length], [coordinator, 3], `broker ${coordinator} leads the group's partition, ISR of 3`);
  await waitUntil('the first commit acknowledged', 60_000, async () => (await commit(c, coordinator, 5)) === ErrorCode.NONE);

  const followers = c.nodes.filter((n) => n.nodeId !== coordinator);
  for (const f of followers) await f.kill();
  t.equal(await commit(c, coordinator, 9), ErrorCode.COORDINATOR_NOT_AVAILABLE, 'not acknowledged while no follower can replicate it');

  for (const f of followers) await f.restart();
  // The unacknowledged write is in the leader's log: it commits once replicated (as in Kafka), so the group shows it.
  const fetched = async () => (await codecRequest(...hostPort(c, coordinator), 'OffsetFetch', 8, { requireStable: false, groups: [{ groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [0] }] }] })).groups[0].topics[0].partitions[0].committedOffset;
  t.equal(await waitUntil('the timed-out commit fetched', 60_000, async () => ((await fetched()) === 9 ? 9 : undefined)), 9, 'the timed-out commit, kept in the log, is the group\'s offset');
  await waitUntil('a commit acknowledged once the followers are back', 90_000, async () => (await commit(c, coordinator, 12).catch(() => -1)) === ErrorCode.NONE);
  t.equal(await fetched(), 12, 'the acknowledged offset is the committed one');
});
