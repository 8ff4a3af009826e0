// AddOffsetsToTxn (key 25), v0-4: adds the group's __consumer_offsets partition to the
// transaction (as AddPartitionsToTxn does), so TxnOffsetCommit may follow and the markers reach
// the group coordinator. Before v2 PRODUCER_FENCED is sent as INVALID_PRODUCER_EPOCH.
import { AddOffsetsToTxnRequest } from '../protocol/generated/add-offsets-to-txn-request.js';
import { AddOffsetsToTxnResponse } from '../protocol/generated/add-offsets-to-txn-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { OFFSETS_TOPIC, partitionFor } from '../coordinator/group/records.js';
import { defineHandler } from './handler.js';
import { authorized, Op, Resource } from './authorize.js';

export default defineHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  apiKey: 25,
  minVersion: 0,
  maxVersion: 4,
  request: AddOffsetsToTxnRequest,
  response: AddOffsetsToTxnResponse,
  async handle(ctx, req) {
    const b = ctx.broker;
    // WRITE on the transactional id, then READ on the group (Kafka's AddOffsetsToTxn authorization).
    if (!authorized(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    if (!authorized(ctx, Op.READ, Resource.GROUP, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    // The group's partition of __consumer_offsets (Kafka's groupCoordinator.partitionFor).
    const partition = partitionFor(req.groupId, b.topics.get(OFFSETS_TOPIC)?.partitions ?? b.config.number('offsets.topic.num.partitions'));
    let errorCode = await b.transactions.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, [{ topic: OFFSETS_TOPIC, partition }], 0);
    if (ctx.apiVersion < 2 && errorCode === ErrorCode.PRODUCER_FENCED) errorCode = ErrorCode.INVALID_PRODUCER_EPOCH;
    return { throttleTimeMs: 0, errorCode };
  },
});
