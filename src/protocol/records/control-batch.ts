// Transaction markers (KIP-98): a control batch holding one control record whose key is
// (version int16 0, type int16: 0 ABORT, 1 COMMIT) and whose value is the EndTxnMarker
// (version int16 0, coordinatorEpoch int32). Written by partition leaders for the coordinator.
import { buildBatch, decodeRecords } from './records.js';
import { ATTRIBUTES, CONTROL_FLAG_MASK, NO_SEQUENCE, RECORDS_COUNT } from './batch.js';

/** Kafka's ControlRecordType ids (2+ are KRaft's, never in a partition log as markers). */
export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const;

export interface EndTxnMarker {
  commit: boolean;
  coordinatorEpoch: number;
}

/** The control batch of one marker, offsets from 0 (the log assigns them). */
export function buildControlBatch(producerId: number, producerEpoch: number, marker: EndTxnMarker, timestamp: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(marker.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(marker.coordinatorEpoch, 2);
  return buildBatch({
    records: [{ key, value, timestamp }],
    producerId,
    producerEpoch,
    baseSequence: NO_SEQUENCE,
    transactional: true,
    control: true,
  });
}

/**
 * The marker of the control batch at `pos`, or null when it holds no record (compaction emptied
 * it) or a control record that is no transaction marker.
 */
export function readEndTxnMarker(buf: Buffer, pos: number): EndTxnMarker | null {
  if ((buf.readInt16BE(pos + ATTRIBUTES) & CONTROL_FLAG_MASK) === 0 || buf.readInt32BE(pos + RECORDS_COUNT) === 0) return null;
  const [record] = decodeRecords(buf, pos);
  if (!record?.key || record.key.length < 4) return null;
  const type = record.key.readInt16BE(2);
  if (type !== ControlRecordType.ABORT && type !== ControlRecordType.COMMIT) return null;
  const coordinatorEpoch = record.value && record.value.length >= 6 ? record.value.readInt32BE(2) : -1;
  return { commit: type === ControlRecordType.COMMIT, coordinatorEpoch };
}
