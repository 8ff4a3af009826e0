// The VotersRecord control batch (KIP-853): built by a leader changing the voter set, and found
// in fetched or recovered batches by the batch header's control bit (data batches are not opened).
import { VotersRecord } from '../protocol/generated/voters-record.js';
import { isControl, readBatchHeader } from '../protocol/records/batch.js';
import { buildBatch, decodeRecords } from '../protocol/records/records.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import type * as core from './messages.js';

/** ControlRecordType.KRAFT_VOTERS. */
const KRAFT_VOTERS_TYPE = 6;

/** What the core carries for the driver to write: a voter change's record. */
export interface VotersChange {
  type: 'Voters';
  record: VotersRecord;
}

export function isVotersChange(data: unknown): data is VotersChange {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'Voters';
}

/** A control batch of one VotersRecord (v0) at the core's offset and epoch. */
export function votersBatch(b: core.RaftBatch, record: VotersRecord, now: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(KRAFT_VOTERS_TYPE, 2);
  const w = new Writer(128);
  VotersRecord.encode(w, 0, record);
  return buildBatch({ baseOffset: b.baseOffset, partitionLeaderEpoch: b.epoch, control: true, records: [{ key, value: w.toBuffer(), timestamp: now }] });
}

/** The VotersRecord in one batch's bytes, if it is a control batch holding one. */
export function votersIn(batch: Buffer): VotersRecord | undefined {
  if (!isControl(readBatchHeader(batch, 0).attributes)) return undefined;
  let found: VotersRecord | undefined;
  for (const rec of decodeRecords(batch, 0)) {
    if (rec.key && rec.key.length >= 4 && rec.key.readInt16BE(2) === KRAFT_VOTERS_TYPE && rec.value) found = VotersRecord.decode(new Reader(rec.value), 0);
  }
  return found;
}
