// The Kafka error codes the storage engine answers with, from the one generated table.
import { ErrorCode } from '../protocol/errors.js';

export const { OFFSET_OUT_OF_RANGE, CORRUPT_MESSAGE, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, KAFKA_STORAGE_ERROR } =
  ErrorCode;
