// InitProducerId (key 22), v0-5. Without a transactional id (idempotent producers) each call gets
// a producer id never handed out before (ids come from blocks reserved by ProducerIdsRecords in
// the metadata log), epoch 0; Kafka hands a fresh id to every such request, also when v3+ names a
// previous id and epoch. With one, the transaction coordinator answers (bumped epoch, a fenced
// previous session's transaction aborted first: CONCURRENT_TRANSACTIONS until done). v3+ may name
// the id/epoch the producer had (both -1 or neither, else INVALID_REQUEST); before v4 PRODUCER_FENCED
// is sent as INVALID_PRODUCER_EPOCH, as Kafka does for clients that do not know it.
import { InitProducerIdRequest } from '../protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../protocol/generated/init-producer-id-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';
import { authorized, authorizedByResourceType, clusterAuthorized, Op, Resource } from './authorize.js';

export default defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
  async handle(ctx, req) {
    const error = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
    // WRITE on the transactional id; an idempotent producer needs IDEMPOTENT_WRITE or WRITE on some topic.
    if (req.transactionalId !== null && !authorized(ctx, Op.WRITE, Resource.TRANSACTIONAL_ID, req.transactionalId)) return error(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    if (req.transactionalId === null && !clusterAuthorized(ctx, Op.IDEMPOTENT_WRITE) && !authorizedByResourceType(ctx, Op.WRITE, Resource.TOPIC)) return error(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    if (req.transactionalId === null) {
      const producerId = await ctx.broker.controller.allocateProducerId();
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
    }
    const pid = req.producerId ?? -1;
    const epoch = req.producerEpoch ?? -1;
    if ((pid === -1) !== (epoch === -1)) return error(ErrorCode.INVALID_REQUEST);
    const expected = pid === -1 ? null : { producerId: pid, producerEpoch: epoch };
    const r = await ctx.broker.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs, expected);
    const errorCode = ctx.apiVersion < 4 && r.errorCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : r.errorCode;
    return { throttleTimeMs: 0, errorCode, producerId: r.producerId, producerEpoch: r.producerEpoch };
  },
});
