// DescribeQuorum (key 55), v0-2, on the controller listener (what `kafka-metadata-quorum
// --bootstrap-controller` asks), answered from the raft core as Kafka's controller answers: the
// leader describes its voters and observers (log end offsets, fetch and caught-up times from v1,
// the static quorum's zero directory ids and, v2, the voters' controller endpoints); a node that
// is not the leader answers NOT_LEADER_OR_FOLLOWER for the partition; any other partition than
// __cluster_metadata-0 gets UNKNOWN_TOPIC_OR_PARTITION.
import { DescribeQuorumRequest } from '../../protocol/generated/describe-quorum-request.js';
import { DescribeQuorumResponse } from '../../protocol/generated/describe-quorum-response.js';
import { ErrorCode, errorMessage } from '../../protocol/errors.js';
import type { ReplicaDescription } from '../../raft/messages.js';
import { METADATA_TOPIC } from '../../raft/wire.js';
import { defineHandler } from '../handler.js';
import type { ControllerRequestContext } from './context.js';

type Partition = DescribeQuorumResponse['topics'][number]['partitions'][number];
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

function errorPartition(partitionIndex: number, errorCode: number): Partition {
  return { partitionIndex, errorCode, errorMessage: errorMessage(errorCode), leaderId: 0, leaderEpoch: 0, highWatermark: 0, currentVoters: [], observers: [] };
}

const row = (r: ReplicaDescription) => ({
  replicaId: r.replicaId,
  replicaDirectoryId: ZERO_UUID,
  logEndOffset: r.logEndOffset,
  lastFetchTimestamp: r.lastFetchTimestamp,
  lastCaughtUpTimestamp: r.lastCaughtUpTimestamp,
});

export default defineHandler<DescribeQuorumRequest, DescribeQuorumResponse, ControllerRequestContext>({
  apiKey: 55,
  minVersion: 0,
  maxVersion: 2,
  request: DescribeQuorumRequest,
  response: DescribeQuorumResponse,
  handle(ctx, req) {
    const t = req.topics;
    const valid = t.length === 1 && t[0].topicName === METADATA_TOPIC && t[0].partitions.length === 1 && t[0].partitions[0].partitionIndex === 0;
    if (!valid) {
      const topics = t.map((x) => ({ topicName: x.topicName, partitions: x.partitions.map((p) => errorPartition(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)) }));
      return { errorCode: ErrorCode.NONE, errorMessage: '', topics, nodes: [] };
    }
    const q = ctx.raft.describeQuorum();
    if (q === undefined) {
      return { errorCode: ErrorCode.NONE, errorMessage: '', topics: [{ topicName: METADATA_TOPIC, partitions: [errorPartition(0, ErrorCode.NOT_LEADER_OR_FOLLOWER)] }], nodes: [] };
    }
    const nodes = [...ctx.raft.voters].sort(([a], [b]) => a - b).map(([nodeId, e]) => ({ nodeId, listeners: [{ name: e.name, host: e.host, port: e.port }] }));
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: '',
      topics: [
        {
          topicName: METADATA_TOPIC,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: ErrorCode.NONE,
              errorMessage: '',
              leaderId: q.leaderId,
              leaderEpoch: q.leaderEpoch,
              highWatermark: q.highWatermark,
              currentVoters: q.currentVoters.map(row),
              observers: q.observers.map(row),
            },
          ],
        },
      ],
      nodes: ctx.apiVersion >= 2 ? nodes : [],
    };
  },
});
