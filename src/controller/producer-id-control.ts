// Producer id blocks as Kafka's ProducerIdControlManager hands them out: each AllocateProducerIds
// reserves the next block of PRODUCER_ID_BLOCK_SIZE ids with a ProducerIdsRecord, so no id is
// handed out twice across brokers, controllers and restarts.
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import type { MetadataImage } from '../metadata/image.js';
import { RecordType } from '../metadata/records.js';
import type { ControllerResult } from '../metadata/replication-control.js';

/** Producer ids reserved per ProducerIdsRecord (Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE). */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

export interface ProducerIdsBlock {
  producerIdStart: number;
  producerIdLen: number;
}

export function generateNextProducerIdBlock(image: MetadataImage, brokerId: number, brokerEpoch: number): ControllerResult<ProducerIdsBlock> {
  const start = image.producerIds.nextProducerId;
  if (start > Number.MAX_SAFE_INTEGER - PRODUCER_ID_BLOCK_SIZE) {
    throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, "Exhausted all producerIds as the next block's end producerId has exceeded the int64 type limit");
  }
  return {
    records: [{ type: RecordType.PRODUCER_IDS, version: 0, data: { brokerId, brokerEpoch, nextProducerId: start + PRODUCER_ID_BLOCK_SIZE } }],
    response: { producerIdStart: start, producerIdLen: PRODUCER_ID_BLOCK_SIZE },
  };
}
