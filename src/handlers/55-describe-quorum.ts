// DescribeQuorum (key 55), v0-2. The KRaft quorum of __cluster_metadata-0 as Kafka's leader
// describes it: samsa is its only voter and leader, with the metadata log's epoch, its end offset
// as high watermark (appends are flushed before they apply) and as the voter's log end offset, and
// now as the leader's last fetch and caught-up times. No observers. The quorum is static
// (kraft.version 0), so the voter's directory id is the zero Uuid, as Kafka reports it for
// controller.quorum.voters. v2 lists the voter's endpoints: samsa's controller answers on the
// broker's listener. Anything but exactly that one partition gets UNKNOWN_TOPIC_OR_PARTITION for
// each partition asked, as Kafka answers.
import { DescribeQuorumRequest } from '../protocol/generated/describe-quorum-request.js';
import { DescribeQuorumResponse } from '../protocol/generated/describe-quorum-response.js';
import { ErrorCode, errorMessage } from '../protocol/errors.js';
import { METADATA_TOPIC } from '../metadata/metadata-log.js';
import { ZERO_UUID } from '../metadata/uuid.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';

type Partition = DescribeQuorumResponse['topics'][number]['partitions'][number];

export default defineHandler<DescribeQuorumRequest, DescribeQuorumResponse>({
  apiKey: 55,
  minVersion: 0,
  maxVersion: 2,
  request: DescribeQuorumRequest,
  response: DescribeQuorumResponse,
  handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.DESCRIBE)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, topics: [], nodes: [] };
    const t = req.topics;
    const valid = t.length === 1 && t[0].topicName === METADATA_TOPIC && t[0].partitions.length === 1 && t[0].partitions[0].partitionIndex === 0;
    if (!valid) {
      const unknown = (partitionIndex: number): Partition => ({
        partitionIndex,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: errorMessage(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION),
        leaderId: 0,
        leaderEpoch: 0,
        highWatermark: 0,
        currentVoters: [],
        observers: [],
      });
      const topics = t.map((x) => ({ topicName: x.topicName, partitions: x.partitions.map((p) => unknown(p.partitionIndex)) }));
      return { errorCode: ErrorCode.NONE, errorMessage: '', topics, nodes: [] };
    }
    const broker = ctx.broker;
    const log = broker.metadataLog;
    const now = Date.now();
    const self = broker.image.cluster.brokers.get(broker.nodeId);
    const listeners = self?.endpoints.length
      ? self.endpoints.map((e) => ({ name: e.name, host: e.host, port: e.port }))
      : [{ name: 'PLAINTEXT', host: broker.advertisedHost, port: broker.advertisedPort }];
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
              leaderId: broker.nodeId,
              leaderEpoch: log.epoch,
              highWatermark: log.endOffset,
              currentVoters: [
                { replicaId: broker.nodeId, replicaDirectoryId: ZERO_UUID, logEndOffset: log.endOffset, lastFetchTimestamp: now, lastCaughtUpTimestamp: now },
              ],
              observers: [],
            },
          ],
        },
      ],
      nodes: ctx.apiVersion >= 2 ? [{ nodeId: broker.nodeId, listeners }] : [],
    };
  },
});
