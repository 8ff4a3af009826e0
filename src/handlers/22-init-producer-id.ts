// InitProducerId (key 22), v0-5, for idempotent producers: each call gets a producer id never
// handed out before (ids come from blocks reserved by ProducerIdsRecords in the metadata log),
// epoch 0. Kafka hands a fresh id to every non-transactional request, also when v3+ names a
// previous id and epoch.
// Transactional ids need the transaction coordinator, which samsa does not have yet.
import { InitProducerIdRequest } from '../protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../protocol/generated/init-producer-id-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';

export default defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
  async handle(ctx, req) {
    if (req.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
    }
    const producerId = await ctx.broker.controller.allocateProducerId();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
});
