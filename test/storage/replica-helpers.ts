// Shared pieces of the replication storage tests: batches as a leader sends them (built by kafkajs's
// own encoder, with the offsets and leader epoch a leader stamped), a reader to the log end, and a
// file system that dies at its n-th mutating call, as a killed process stops.
import { createRequire } from 'node:module';
export { CrashingFs } from '../helpers/crashing-fs.js';
import type { Test } from 'tap';
import type { PartitionLog } from '../../src/storage/types.js';
import { decodeAll } from './helpers.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const { RecordBatch }: { RecordBatch: (o: any) => Promise<{ buffer: Buffer }> } = require('kafkajs/src/protocol/recordBatch/v0');
const Record: (o: any) => any = require('kafkajs/src/protocol/recordBatch/record/v0');
const Long: any = require('kafkajs/src/utils/long');

export const NOW = 1_700_000_000_000;
/** The idempotent producer of the crash scenarios. */
export const PRODUCER = 42;

export interface LeaderBatchSpec {
  baseOffset: number;
  epoch: number;
  count: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Bytes of each record value (padding), to fill segments. */
  valueSize?: number;
}

/** A batch as the leader wrote it: values `o<offset>`, its offsets and leader epoch set. */
export async function leaderBatch(s: LeaderBatchSpec): Promise<Buffer> {
  const records = Array.from({ length: s.count }, (_, i) =>
    Record({
      offsetDelta: i,
      timestampDelta: i,
      key: Buffer.from(`k${(s.baseOffset + i) % 7}`),
      value: Buffer.from(`o${s.baseOffset + i}`.padEnd(s.valueSize ?? 0, '.')),
    }),
  );
  const enc = await RecordBatch({
    firstOffset: Long.fromNumber(s.baseOffset),
    partitionLeaderEpoch: s.epoch,
    lastOffsetDelta: s.count - 1,
    firstTimestamp: NOW + s.baseOffset,
    maxTimestamp: NOW + s.baseOffset + s.count - 1,
    producerId: Long.fromNumber(s.producerId ?? -1),
    producerEpoch: s.producerEpoch ?? -1,
    firstSequence: s.producerId === undefined ? -1 : (s.baseSequence ?? 0),
    records,
  });
  return enc.buffer;
}

export interface ReadBatch {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
  producerId: number;
  baseSequence: number;
  values: string[];
}

/** Every batch from the log start to the log end (a follower's read), decoded by kafkajs. */
export async function readToEnd(log: PartitionLog): Promise<ReadBatch[]> {
  const out: ReadBatch[] = [];
  for (let o = log.logStartOffset; o < log.logEndOffset; ) {
    const r = await log.read(o, 1 << 30, true, false, 'logEnd');
    if (r.records.length === 0) break;
    for (const buf of r.records) {
      const decoded = await decodeAll(buf);
      let pos = 0;
      for (const d of decoded) {
        const size = 12 + buf.readInt32BE(pos + 8);
        const lastOffset = d.baseOffset + buf.readInt32BE(pos + 23);
        if (lastOffset >= o) {
          out.push({
            baseOffset: d.baseOffset,
            lastOffset,
            epoch: d.partitionLeaderEpoch,
            producerId: Number(buf.readBigInt64BE(pos + 43)),
            baseSequence: buf.readInt32BE(pos + 53),
            values: d.records.map((x) => x.value),
          });
        }
        pos += size;
      }
    }
    o = out.length > 0 ? out[out.length - 1].lastOffset + 1 : o + 1;
  }
  return out;
}

/** The (epoch, start offset) history a log's batches imply. */
export function epochsOf(batches: ReadBatch[]): { epoch: number; startOffset: number }[] {
  const out: { epoch: number; startOffset: number }[] = [];
  for (const b of batches) if (out.length === 0 || out[out.length - 1].epoch !== b.epoch) out.push({ epoch: b.epoch, startOffset: b.baseOffset });
  return out;
}


/** The epoch cache answers OffsetForLeaderEpoch as the batches imply; the producer state is the batches'. */
export function checkConsistent(t: Test, log: PartitionLog, batches: ReadBatch[], what: string) {
  const epochs = epochsOf(batches);
  const answers = epochs.map((e) => log.endOffsetForEpoch(e.epoch));
  const expected = epochs.map((e, i) => ({ leaderEpoch: e.epoch, endOffset: i + 1 < epochs.length ? epochs[i + 1].startOffset : log.logEndOffset }));
  t.same(answers, expected, `${what}: the epoch cache matches the log`);
  if (epochs.length > 0) t.equal(log.leaderEpoch, epochs[epochs.length - 1].epoch, `${what}: latest epoch`);
  const last = batches.filter((b) => b.producerId === PRODUCER).at(-1);
  const producer = log.activeProducers().find((p) => p.producerId === PRODUCER);
  t.equal(producer?.lastSequence, last ? last.baseSequence + last.values.length - 1 : undefined, `${what}: producer state as of the log end`);
}
