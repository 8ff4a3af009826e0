// KIP-951 in Fetch responses, as Kafka builds them: from v16, a partition answered with
// NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH names the current leader and its epoch, and the
// response lists that leader's endpoint; other errors, and older versions, carry neither.
import t from 'tap';
import { buildResponse, type Answered } from '../../src/handlers/fetch/response.js';
import type { ContextResponse, ResponsePartition } from '../../src/handlers/fetch/context.js';
import type { RequestContext } from '../../src/handlers/handler.js';
import type { PartitionLog } from '../../src/storage/types.js';
import { ErrorCode } from '../../src/protocol/errors.js';

function ctx(apiVersion: number): RequestContext {
  const broker = { nodeId: 7, advertisedHost: 'broker.example', advertisedPort: 9093 };
  return { broker, apiKey: 1, apiVersion } as unknown as RequestContext;
}

function part(partition: number, errorCode: number, log: Partial<PartitionLog> | undefined): ResponsePartition<Answered> {
  const data = { partitionIndex: partition, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, preferredReadReplica: -1, records: [] };
  return {
    key: `t:${partition}`,
    partition: { topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partition, fetchOffset: 0, maxBytes: 1, currentLeaderEpoch: 1 },
    data: { data, wanted: { partition, fetchOffset: 0, maxBytes: 1, log: log as PartitionLog | undefined, errorCode } },
    recordsSize: 0,
    errorCode,
    highWatermark: -1,
    logStartOffset: -1,
    preferredReadReplica: -1,
    divergingEpoch: false,
  };
}

function response(parts: ResponsePartition<Answered>[]): ContextResponse<Answered> {
  return { errorCode: 0, sessionId: 0, partitions: parts };
}

t.test('v16+: the current leader and its endpoint for NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH only', async (t) => {
  const log = { leaderEpoch: 3 };
  const r = buildResponse(ctx(16), false, response([
    part(0, ErrorCode.FENCED_LEADER_EPOCH, log),
    part(1, ErrorCode.NOT_LEADER_OR_FOLLOWER, log),
    part(2, ErrorCode.UNKNOWN_LEADER_EPOCH, log),
    part(3, ErrorCode.NONE, log),
  ]));
  const ps = r.responses[0].partitions;
  t.same(ps[0].currentLeader, { leaderId: 7, leaderEpoch: 3 });
  t.same(ps[1].currentLeader, { leaderId: 7, leaderEpoch: 3 });
  t.equal(ps[2].currentLeader, undefined, 'UNKNOWN_LEADER_EPOCH: no hint');
  t.equal(ps[3].currentLeader, undefined);
  t.same(r.nodeEndpoints, [{ nodeId: 7, host: 'broker.example', port: 9093, rack: null }], 'the leader endpoint, once');
});

t.test('a partition with no leader here: leader -1, no endpoint', async (t) => {
  const r = buildResponse(ctx(18), false, response([part(0, ErrorCode.NOT_LEADER_OR_FOLLOWER, undefined)]));
  t.same(r.responses[0].partitions[0].currentLeader, { leaderId: -1, leaderEpoch: -1 });
  t.same(r.nodeEndpoints, []);
});

t.test('before v16: no hints', async (t) => {
  const r = buildResponse(ctx(15), false, response([part(0, ErrorCode.FENCED_LEADER_EPOCH, { leaderEpoch: 3 })]));
  t.equal(r.responses[0].partitions[0].currentLeader, undefined);
  t.same(r.nodeEndpoints, []);
});

t.test('consecutive partitions of a topic share one topic entry; a topic seen again later opens another', async (t) => {
  const other = (p: ResponsePartition<Answered>) => ({ ...p, partition: { ...p.partition, topic: 'u' } });
  const r = buildResponse(ctx(12), false, response([part(0, 0, {}), part(1, 0, {}), other(part(0, 0, {})), part(2, 0, {})]));
  t.same(r.responses.map((tr) => [tr.topic, tr.partitions.map((p) => p.partitionIndex)]), [['t', [0, 1]], ['u', [0]], ['t', [2]]]);
});
