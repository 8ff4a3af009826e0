// Codecs for the records section of a batch, in the wire formats Kafka's Java client writes.
import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import type * as Lz4 from 'lz4-napi';
import type * as Snappy from 'snappy';
import type * as Zstd from 'zstd-napi';
import type { Codec } from './batch.js';

// Native codecs load on first use: the broker stores batches as produced and rarely needs them,
// and loading all three would add to every start-up.
const require = createRequire(import.meta.url);
let lz4: typeof Lz4 | undefined;
let snappy: typeof Snappy | undefined;
let zstd: typeof Zstd | undefined;
const lz4Lib = () => (lz4 ??= require('lz4-napi') as typeof Lz4);
const snappyLib = () => (snappy ??= require('snappy') as typeof Snappy);
const zstdLib = () => (zstd ??= require('zstd-napi') as typeof Zstd);

// snappy-java's SnappyOutputStream stream header: magic, then version and minimum compatible version.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;
// snappy-java's default block size, so chunks match what a Java producer sends.
const XERIAL_BLOCK_SIZE = 32 * 1024;

export function compress(codec: Codec, data: Buffer): Buffer {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gzipSync(data);
    case 'snappy':
      return xerialCompress(data);
    case 'lz4':
      // LZ4 frame format (KIP-57); lz4_flex writes independent 64 KiB blocks, which Kafka requires.
      return lz4Lib().compressFrameSync(data);
    case 'zstd':
      return zstdLib().compress(data);
    default:
      throw new RangeError(`Unknown compression codec ${String(codec)}`);
  }
}

export function decompress(codec: Codec, data: Buffer): Buffer {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gunzipSync(data);
    case 'snappy':
      return isXerial(data) ? xerialDecompress(data) : snappyLib().uncompressSync(data, { asBuffer: true }) as Buffer;
    case 'lz4':
      return lz4Lib().decompressFrameSync(data);
    case 'zstd':
      return zstdLib().decompress(data);
    default:
      throw new RangeError(`Unknown compression codec ${String(codec)}`);
  }
}

/** Java and kafkajs-snappy's xerial framing vs. librdkafka's raw blocks: the 8-byte magic tells them apart. */
export function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && XERIAL_MAGIC.equals(data.subarray(0, XERIAL_MAGIC.length));
}

function xerialCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  parts.push(header);
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    const block = snappyLib().compressSync(data.subarray(at, Math.min(at + XERIAL_BLOCK_SIZE, data.length)));
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

function xerialDecompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new RangeError('Truncated xerial snappy block length');
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || pos + length > data.length) throw new RangeError('Truncated xerial snappy block');
    parts.push(snappyLib().uncompressSync(data.subarray(pos, pos + length), { asBuffer: true }) as Buffer);
    pos += length;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
