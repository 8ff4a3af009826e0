// Kafka's LogValidator key check for compacted topics: every record needs a key, or the whole
// batch is refused with INVALID_RECORD naming each keyless record. Only compacted topics pay for
// decoding the records; other topics never reach this.
import { batchSize } from '../protocol/records/batch.js';
import { INVALID_RECORD, RecordValidationError, type RecordError } from '../protocol/records/errors.js';
import { decodeRecords } from '../protocol/records/records.js';

/** Throws RecordValidationError(INVALID_RECORD) when a record in `records` has no key. */
export function rejectKeylessRecords(records: Buffer, topicPartition: string): void {
  const errors: RecordError[] = [];
  for (let pos = 0; pos < records.length; pos += batchSize(records, pos)) {
    decodeRecords(records, pos).forEach((r, batchIndex) => {
      if (r.key === null) {
        errors.push({ batchIndex, message: `Compacted topic cannot accept message without key in topic partition ${topicPartition}` });
      }
    });
  }
  if (errors.length === 0) return;
  const shown = errors
    .slice(0, 3)
    .map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.message}')`)
    .join(', ');
  throw new RecordValidationError(
    INVALID_RECORD,
    `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown}]`,
    errors,
    true,
  );
}
