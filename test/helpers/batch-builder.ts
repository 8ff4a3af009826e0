// Builds magic-v2 record batches the way the Java producer frames them (independent of samsa's
// own record code), compressed with any of Kafka's codecs, and sends them with a raw Produce v3.
import { gzipSync } from 'node:zlib';
import { crc32c } from '@node-rs/crc32';
import { compressSync as snappyBlock } from 'snappy';
import { compressFrameSync as lz4Frame } from 'lz4-napi';
import { compress as zstdCompress } from 'zstd-napi';
import { Bytes, Cursor, type WireConnection } from './wire.js';

export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export const CODEC_ID: Record<Codec, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

export interface BuiltRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: [string, Buffer | null][];
  timestamp: number;
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function varint(b: Bytes, v: number): Bytes {
  return b.uvarint(zigzag(v));
}

function varBytes(b: Bytes, v: Buffer | null): Bytes {
  if (v === null) return varint(b, -1);
  return varint(b, v.length).raw(v);
}

function encodeRecord(r: BuiltRecord, offsetDelta: number, baseTimestamp: number): Buffer {
  const body = new Bytes().int8(0);
  varint(body, r.timestamp - baseTimestamp);
  varint(body, offsetDelta);
  varBytes(body, r.key);
  varBytes(body, r.value);
  varint(body, r.headers.length);
  for (const [k, v] of r.headers) {
    varBytes(body, Buffer.from(k, 'utf8'));
    varBytes(body, v);
  }
  const bytes = body.build();
  return varint(new Bytes(), bytes.length).raw(bytes).build();
}

/** snappy-java's stream framing, which the Java producer uses for snappy batches. */
function xerialSnappy(data: Buffer): Buffer {
  const parts = [Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]), new Bytes().int32(1).int32(1).build()];
  for (let at = 0; at < data.length; at += 32 * 1024) {
    const block = snappyBlock(data.subarray(at, at + 32 * 1024));
    parts.push(new Bytes().int32(block.length).build(), block);
  }
  return Buffer.concat(parts);
}

export function compress(codec: Codec, data: Buffer): Buffer {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data);
    case 'snappy':
      return xerialSnappy(data);
    case 'lz4':
      return lz4Frame(data);
    case 'zstd':
      return zstdCompress(data);
  }
}

/** One batch at base offset 0 (the broker assigns real offsets), CreateTime, no producer id. */
export function buildBatch(records: BuiltRecord[], codec: Codec): Buffer {
  const baseTimestamp = Math.min(...records.map((r) => r.timestamp));
  const maxTimestamp = Math.max(...records.map((r) => r.timestamp));
  const plain = Buffer.concat(records.map((r, i) => encodeRecord(r, i, baseTimestamp)));
  const payload = compress(codec, plain);
  const afterCrc = new Bytes()
    .int16(CODEC_ID[codec])
    .int32(records.length - 1)
    .int64(baseTimestamp)
    .int64(maxTimestamp)
    .int64(-1)
    .int16(-1)
    .int32(-1)
    .int32(records.length)
    .raw(payload)
    .build();
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32c(afterCrc) >>> 0);
  const afterLength = Buffer.concat([new Bytes().int32(-1).int8(2).build(), crc, afterCrc]);
  return Buffer.concat([new Bytes().int64(0).int32(afterLength.length).build(), afterLength]);
}

/**
 * Sends `batch` to one partition with Produce `version` (3-8 share this layout; zstd needs 7+),
 * acks=all; resolves with [error code, base offset].
 */
export async function produceRaw(conn: WireConnection, topic: string, partition: number, batch: Buffer, version = 7): Promise<[number, number]> {
  const body = new Bytes().string(null).int16(-1).int32(10_000).int32(1).string(topic).int32(1).int32(partition).int32(batch.length).raw(batch).build();
  const c = new Cursor(await conn.request(0, version, body));
  c.int32(); // correlation id
  c.int32(); // topics
  c.string();
  c.int32(); // partitions
  c.int32(); // index
  const errorCode = c.int16();
  const baseOffset = c.int64();
  return [errorCode, baseOffset];
}
