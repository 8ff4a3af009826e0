// The raft log's batches as bytes: the leader's own (its proposals and the epoch-start
// LeaderChangeMessage) built with the offsets and epoch the core gave them, and fetched bytes split
// into batches by their headers only (no per-record work).
import { LeaderChangeMessage } from '../protocol/generated/leader-change-message.js';
import { BATCH_HEADER_SIZE, batchSize, readBatchHeader } from '../protocol/records/batch.js';
import { buildBatch } from '../protocol/records/records.js';
import { Writer } from '../protocol/writer.js';
import type * as core from './messages.js';

/** ControlRecordType.LEADER_CHANGE. */
const LEADER_CHANGE_TYPE = 2;

/** A proposal's values, kept until the append step builds its batch with the core's offsets. */
export interface Proposal {
  values: Buffer[];
  timestamp: number;
}

/** Splits fetched bytes into whole batches (a trailing partial batch is dropped, as Kafka does). */
export function splitBatches(records: Buffer | Buffer[] | null | undefined): core.RaftBatch[] {
  if (!records) return [];
  const buf = Array.isArray(records) ? Buffer.concat(records) : records;
  const out: core.RaftBatch[] = [];
  for (let pos = 0; pos + BATCH_HEADER_SIZE <= buf.length; ) {
    const size = batchSize(buf, pos);
    if (pos + size > buf.length) break;
    const h = readBatchHeader(buf, pos);
    out.push({ baseOffset: h.baseOffset, lastOffset: h.baseOffset + h.lastOffsetDelta, epoch: h.partitionLeaderEpoch, data: buf.subarray(pos, pos + size) });
    pos += size;
  }
  return out;
}

/** A leader's proposal as one batch at the core's offsets and epoch. */
export function proposalBatch(b: core.RaftBatch, p: Proposal): Buffer {
  return buildBatch({
    baseOffset: b.baseOffset,
    partitionLeaderEpoch: b.epoch,
    records: p.values.map((value) => ({ key: null, value, timestamp: p.timestamp })),
  });
}

/** Kafka's epoch-start entry: a control batch of one LeaderChangeMessage (v0) record, key type 2. */
export function leaderChangeBatch(b: core.RaftBatch, data: core.LeaderChangeData, now: number): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(LEADER_CHANGE_TYPE, 2);
  const w = new Writer(64);
  LeaderChangeMessage.encode(w, 0, {
    version: 0,
    leaderId: data.leaderId,
    voters: data.voters.map((voterId) => ({ voterId })),
    grantingVoters: data.grantingVoters.map((voterId) => ({ voterId })),
  });
  return buildBatch({ baseOffset: b.baseOffset, partitionLeaderEpoch: b.epoch, control: true, records: [{ key, value: w.toBuffer(), timestamp: now }] });
}
