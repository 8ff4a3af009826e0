// WriteTxnMarkers (key 27), v1-2 (Kafka 4 removed v0; v2 adds each marker's transaction version,
// KIP-1228: with 2 the marker's producer epoch must be above the transaction's, as the KIP-890
// coordinator bumps it, else INVALID_PRODUCER_EPOCH; v1 is legacy). Sent by a transaction coordinator to the leader of each partition of a transaction:
// this broker appends the COMMIT/ABORT control batch to each partition it leads, acks=all, and
// answers per partition once the ISR has it. Errors as Kafka answers them: a partition this
// broker hosts no replica of UNKNOWN_TOPIC_OR_PARTITION, a follower NOT_LEADER_OR_FOLLOWER, an ISR
// under min.insync.replicas NOT_ENOUGH_REPLICAS, an older producer epoch INVALID_PRODUCER_EPOCH,
// an older coordinator epoch TRANSACTION_COORDINATOR_FENCED, REQUEST_TIMED_OUT at
// request.timeout.ms. __consumer_offsets markers go through the group coordinator, which also
// completes the transaction's offsets (its NOT_COORDINATOR / loading become NOT_LEADER_OR_FOLLOWER).
// Results are merged per producer id, as Kafka's response is.
import { WriteTxnMarkersRequest } from '../protocol/generated/write-txn-markers-request.js';
import { WriteTxnMarkersResponse } from '../protocol/generated/write-txn-markers-response.js';
import { brokerMarkerHost, writeMarkersLocally, type MarkerResult } from '../coordinator/transaction/local-markers.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';
import { ErrorCode } from '../protocol/errors.js';

export default defineHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponse>({
  apiKey: 27,
  minVersion: 1,
  maxVersion: 2,
  request: WriteTxnMarkersRequest,
  response: WriteTxnMarkersResponse,
  async handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.CLUSTER_ACTION)) {
      return {
        markers: req.markers.map((m) => ({
          producerId: m.producerId,
          topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED })) })),
        })),
      };
    }
    const host = brokerMarkerHost(ctx.broker);
    const written = await Promise.all(
      req.markers.map(async (m) => ({
        producerId: m.producerId,
        results: await writeMarkersLocally(
          host,
          { producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch, transactionVersion: m.transactionVersion ?? 0 },
          m.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))),
        ),
      })),
    );
    const byProducer = new Map<number, Map<string, Map<number, number>>>();
    for (const { producerId, results } of written) {
      let topics = byProducer.get(producerId);
      if (!topics) byProducer.set(producerId, (topics = new Map()));
      for (const r of results as MarkerResult[]) {
        let partitions = topics.get(r.topic);
        if (!partitions) topics.set(r.topic, (partitions = new Map()));
        partitions.set(r.partition, r.errorCode);
      }
    }
    return {
      markers: [...byProducer].map(([producerId, topics]) => ({
        producerId,
        topics: [...topics].map(([name, partitions]) => ({
          name,
          partitions: [...partitions].map(([partitionIndex, errorCode]) => ({ partitionIndex, errorCode })),
        })),
      })),
    };
  },
});
