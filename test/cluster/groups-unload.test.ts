// A coordinator that stops leading its __consumer_offsets partition unloads the partition's groups:
// the broker coordinating a group is cut off from the other nodes (its clients still reach it)
// while a JoinGroup waits there in the initial rebalance delay; the others elect a new leader of the
// partition; once the network heals the old coordinator learns it follows now, and answers the
// waiting JoinGroup with NOT_COORDINATOR (as Kafka does when it unloads a group) long before the
// delay would have ended, and every later group request there too; FindCoordinator names the new
// leader, which serves the group.
import t from 'tap';
import { startCluster, type RunningCluster } from '../../src/node/cluster.js';
import { partitionFor } from '../../src/coordinator/group/records.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { JoinGroupRequest } from '../../src/protocol/generated/join-group-request.js';
import { JoinGroupResponse } from '../../src/protocol/generated/join-group-response.js';
import { ResponseHeader } from '../../src/protocol/generated/response-header.js';
import { requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/headers.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { codecRequest } from '../metadata/helpers.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';
import { WireConnection } from '../helpers/wire.js';

t.setTimeout(180_000);

const GROUP = 'moving';
const OFFSETS = '__consumer_offsets';
const JOIN_VERSION = 5;
/** Far longer than the test: a JoinGroup answered before it was answered by the unload. */
const REBALANCE_DELAY_MS = 120_000;

function hostPort(c: RunningCluster, nodeId: number): [string, number] {
  const [host, port] = c.node(nodeId).bootstrap!.split(':');
  return [host, Number(port)];
}

async function join(conn: WireConnection, memberId: string): Promise<JoinGroupResponse> {
  const w = new Writer();
  JoinGroupRequest.encode(w, JOIN_VERSION, {
    groupId: GROUP,
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 2 * REBALANCE_DELAY_MS,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0]) }],
  });
  const frame = await conn.request(JoinGroupRequest.apiKey, JOIN_VERSION, w.toBuffer(), { headerVersion: requestHeaderVersion(JoinGroupRequest.apiKey, JOIN_VERSION) as 1 | 2, timeoutMs: 2 * REBALANCE_DELAY_MS });
  const r = new Reader(frame);
  ResponseHeader.decode(r, responseHeaderVersion(JoinGroupRequest.apiKey, JOIN_VERSION));
  return JoinGroupResponse.decode(r, JOIN_VERSION);
}

function leaderSeenBy(c: RunningCluster, nodeId: number, partition: number): number {
  return c.node(nodeId).node?.metadata.image.topics.get(OFFSETS)?.registrations.get(partition)?.leader ?? -1;
}

t.test('a coordinator that stops leading answers its waiting members NOT_COORDINATOR', async (t) => {
  const c = await startCluster({
    nodes: 3,
    dataDir: tempDir(t),
    config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'group.initial.rebalance.delay.ms': String(REBALANCE_DELAY_MS) },
  });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const coordinator = await waitUntil('the group coordinator', 60_000, async () => {
    const res = await codecRequest(...hostPort(c, 1), 'FindCoordinator', 4, { keyType: 0, coordinatorKeys: [GROUP] });
    const found = res.coordinators[0];
    return found.errorCode === ErrorCode.NONE ? (found.nodeId as number) : undefined;
  });
  const offsets = await waitUntil(`${OFFSETS} in broker ${coordinator}'s image`, 30_000, () => c.node(coordinator).node!.metadata.image.topics.get(OFFSETS));
  const partition = partitionFor(GROUP, offsets.partitions);

  const conn = await WireConnection.connect(...hostPort(c, coordinator));
  t.teardown(() => conn.destroy());
  const first = await waitUntil('the group loaded on its coordinator', 30_000, async () => {
    const r = await join(conn, '');
    return r.errorCode === ErrorCode.MEMBER_ID_REQUIRED ? r : undefined;
  });
  // The member joins for real: the group waits in the initial rebalance delay.
  let answered = false;
  const parked = join(conn, first.memberId).finally(() => (answered = true));

  const others = c.nodes.filter((n) => n.nodeId !== coordinator);
  c.node(coordinator).isolate();
  const next = await waitUntil(`a leader of ${OFFSETS}-${partition} other than ${coordinator}`, 60_000, () => {
    const l = leaderSeenBy(c, others[0].nodeId, partition);
    return l >= 0 && l !== coordinator && others.every((o) => leaderSeenBy(c, o.nodeId, partition) === l) ? l : undefined;
  });
  t.not(next, coordinator, `broker ${next} leads the group's partition while broker ${coordinator} is cut off`);
  t.notOk(answered, 'the JoinGroup still waits on the cut-off coordinator');

  c.node(coordinator).heal();
  const res = await parked;
  t.equal(res.errorCode, ErrorCode.NOT_COORDINATOR, 'the waiting JoinGroup answered NOT_COORDINATOR once the old coordinator learned it follows');
  t.equal((await join(conn, '')).errorCode, ErrorCode.NOT_COORDINATOR, 'and later group requests there too');

  const found = await waitUntil('FindCoordinator naming the new leader', 30_000, async () => {
    const r = (await codecRequest(...hostPort(c, coordinator), 'FindCoordinator', 4, { keyType: 0, coordinatorKeys: [GROUP] })).coordinators[0];
    return r.errorCode === ErrorCode.NONE && r.nodeId === next ? r : undefined;
  });
  t.equal(found.nodeId, next);
  const atNext = await WireConnection.connect(...hostPort(c, next));
  t.teardown(() => atNext.destroy());
  const served = await waitUntil(`the group served by broker ${next}`, 30_000, async () => {
    const r = await join(atNext, '');
    return r.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? r : undefined;
  });
  t.equal(served.errorCode, ErrorCode.MEMBER_ID_REQUIRED, `broker ${next} coordinates the group`);
});
