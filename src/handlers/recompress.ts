// compression.type on produce, as Kafka's LogValidator applies it: "producer" keeps batches as
// sent; any other value rewrites each batch whose codec differs into the topic's codec, keeping
// its records, timestamps, producer id, epoch, sequence and transactional flag. Batches already
// in the right codec are appended untouched (only their headers are read).
import {
  ATTRIBUTES,
  BATCH_HEADER_SIZE,
  CONTROL_FLAG_MASK,
  batchSize,
  compressionOf,
  isTransactional,
  readBatchHeader,
  timestampTypeOf,
  type Codec,
} from '../protocol/records/batch.js';
import { buildBatch, decodeRecords } from '../protocol/records/records.js';

/** The codec a topic's compression.type asks for, or null for "producer". */
export function targetCodec(compressionType: string): Codec | null {
  switch (compressionType) {
    case 'producer':
      return null;
    case 'uncompressed':
      return 'none';
    case 'gzip':
    case 'snappy':
    case 'lz4':
    case 'zstd':
      return compressionType;
    default:
      return null;
  }
}

/** `records` with every batch in `codec`; the same buffer when no batch needs rewriting. */
export function recompress(records: Buffer, codec: Codec): Buffer {
  let differs = false;
  for (let pos = 0; pos + BATCH_HEADER_SIZE <= records.length; pos += batchSize(records, pos)) {
    const attributes = records.readInt16BE(pos + ATTRIBUTES);
    if (compressionOf(attributes) !== codec && (attributes & CONTROL_FLAG_MASK) === 0) differs = true;
  }
  if (!differs) return records;
  const out: Buffer[] = [];
  for (let pos = 0; pos + BATCH_HEADER_SIZE <= records.length; pos += batchSize(records, pos)) {
    const size = batchSize(records, pos);
    const h = readBatchHeader(records, pos);
    if (compressionOf(h.attributes) === codec || (h.attributes & CONTROL_FLAG_MASK) !== 0) {
      out.push(records.subarray(pos, pos + size));
      continue;
    }
    const recs = decodeRecords(records, pos);
    out.push(
      buildBatch({
        baseOffset: h.baseOffset,
        records: recs.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
        compression: codec,
        producerId: h.producerId,
        producerEpoch: h.producerEpoch,
        baseSequence: h.baseSequence,
        transactional: isTransactional(h.attributes),
        partitionLeaderEpoch: h.partitionLeaderEpoch,
        timestampType: timestampTypeOf(h.attributes),
        logAppendTime: h.maxTimestamp,
      }),
    );
  }
  return Buffer.concat(out);
}
