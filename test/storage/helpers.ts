// Shared pieces of the storage tests: configs, batches built like a producer builds them,
// and kafkajs's own v2 batch decoder to check what the engines stored.
import { createRequire } from 'node:module';
import { BrokerConfig, type LogConfig } from '../../src/config.js';
import { buildBatch, type RecordInput } from '../../src/protocol/records/records.js';
import type { PartitionLog, ReadResult } from '../../src/storage/types.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const Decoder: any = require('kafkajs/src/protocol/decoder');
const decodeRecordBatch: (decoder: any) => Promise<any> = require('kafkajs/src/protocol/recordBatch/v0/decoder');

export function logConfig(overrides: Record<string, string> = {}): LogConfig {
  return new BrokerConfig().logConfig(overrides);
}

/** A producer's batch of `n` records with values `${prefix}-${i}`. */
export function batch(n: number, prefix = 'v', opts: { producerId?: number; producerEpoch?: number; baseSequence?: number; timestamp?: number; valueSize?: number } = {}): Buffer {
  const records: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const value = opts.valueSize ? `${prefix}-${i}-`.padEnd(opts.valueSize, 'x') : `${prefix}-${i}`;
    records.push({ key: `k${i}`, value, timestamp: opts.timestamp });
  }
  return buildBatch({
    records,
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    baseSequence: opts.baseSequence,
  });
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: string;
  value: string;
}

export interface DecodedBatch {
  baseOffset: number;
  partitionLeaderEpoch: number;
  timestampType: number;
  maxTimestamp: number;
  records: DecodedRecord[];
}

/** Decodes every batch of a read with kafkajs's decoder (an independent implementation). */
export async function decodeAll(records: Buffer[] | Buffer): Promise<DecodedBatch[]> {
  const bufs = Buffer.isBuffer(records) ? [records] : records;
  const out: DecodedBatch[] = [];
  for (const buf of bufs) {
    const decoder = new Decoder(buf);
    while (decoder.canReadBytes(12)) {
      const b = await decodeRecordBatch(decoder);
      out.push({
        baseOffset: Number(b.firstOffset),
        partitionLeaderEpoch: b.partitionLeaderEpoch,
        timestampType: b.timestampType,
        maxTimestamp: Number(b.maxTimestamp),
        records: b.records.map((r: any) => ({
          offset: Number(r.offset),
          timestamp: Number(r.timestamp),
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
        })),
      });
    }
  }
  return out;
}

/** Every record of a read, decoded by kafkajs. */
export async function readValues(r: ReadResult): Promise<{ offset: number; value: string }[]> {
  return (await decodeAll(r.records)).flatMap((b) => b.records.map((x) => ({ offset: x.offset, value: x.value })));
}

/** Every record from `from` to the high watermark (a read stops at a segment end, as Kafka's does). */
export async function readAll(log: PartitionLog, from = 0): Promise<{ offset: number; value: string }[]> {
  const out: { offset: number; value: string }[] = [];
  for (let o = from; o < log.highWatermark; ) {
    const got = await readValues(await log.read(o, 1 << 30, true));
    if (got.length === 0) throw new Error(`empty read at ${o} below the high watermark ${log.highWatermark}`);
    out.push(...got.filter((r) => r.offset >= o));
    o = got[got.length - 1].offset + 1;
  }
  return out;
}
