// Growable writer for Kafka's wire primitives. Output is a list of chunks so record data from the log
// can be referenced (rawRef) instead of copied; growing never copies what was already written.
import type { TaggedField } from './reader.js';

const TWO_32 = 4294967296;
const TWO_63 = 2 ** 63;
const MAX_CHUNK = 1 << 20;
/** Below this, copying a record chunk is cheaper than splitting the output around it. */
const COPY_BELOW = 256;

export class Writer {
  private chunks: Buffer[] = [];
  /** Bytes in `chunks`. */
  private flushed = 0;
  private buf: Buffer;
  /** Start of the current (not yet closed) chunk inside `buf`. */
  private start = 0;
  private pos = 0;

  constructor(initialSize = 512) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.flushed + this.pos - this.start;
  }

  private closeChunk(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.flushed += this.pos - this.start;
      this.start = this.pos;
    }
  }

  /** Makes room for n contiguous bytes. */
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.closeChunk();
    const size = Math.max(n, Math.min(MAX_CHUNK, this.buf.length * 2));
    this.buf = Buffer.allocUnsafe(size);
    this.start = 0;
    this.pos = 0;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  /**
   * Exact for integers within ±2^53 (every Kafka offset and timestamp). An int64 read near the top
   * of the range comes back as 2^63 (a double has no 2^63 - 1), e.g. a client's producer id: it is
   * written as the largest int64 rather than throwing.
   */
  int64(v: number): this {
    this.ensure(8);
    if (v >= TWO_63) {
      this.buf.writeUInt32BE(0x7fffffff, this.pos);
      this.buf.writeUInt32BE(0xffffffff, this.pos + 4);
      this.pos += 8;
      return this;
    }
    const hi = Math.floor(v / TWO_32);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  /** Unsigned 32-bit varint. */
  uvarint(v: number): this {
    this.ensure(5);
    const buf = this.buf;
    let n = v >>> 0;
    while (n > 0x7f) {
      buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[this.pos++] = n;
    return this;
  }

  /** Zigzag signed 32-bit varint. */
  varint(v: number): this {
    return this.uvarint((v << 1) ^ (v >> 31));
  }

  /** Zigzag signed 64-bit varint, from a number (exact within ±2^52). */
  varlong(v: number): this {
    this.ensure(10);
    const buf = this.buf;
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    while (u >= 128) {
      buf[this.pos++] = (u % 128) | 0x80;
      u = Math.floor(u / 128);
    }
    buf[this.pos++] = u;
    return this;
  }

  private utf8(s: string, len: number): void {
    this.buf.write(s, this.pos, len, 'utf8');
    this.pos += len;
  }

  /** int16-length string; null writes -1. */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s, 'utf8');
    if (len > 0x7fff) throw new RangeError(`string of ${len} bytes is too long for an int16 length`);
    this.ensure(2 + len);
    this.buf.writeInt16BE(len, this.pos);
    this.pos += 2;
    this.utf8(s, len);
    return this;
  }

  /** uvarint(length + 1) string; null writes 0. */
  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const len = Buffer.byteLength(s, 'utf8');
    this.uvarint(len + 1);
    this.ensure(len);
    this.utf8(s, len);
    return this;
  }

  /** int32-length bytes; null writes -1. */
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }

  /** uvarint(length + 1) bytes; null writes 0. */
  compactBytes(b: Buffer | null): this {
    if (b === null) return this.uvarint(0);
    this.uvarint(b.length + 1);
    return this.raw(b);
  }

  /**
   * A record set: nullable bytes whose data may be several chunks (e.g. segments of a log file).
   * Chunks are referenced, not copied.
   */
  records(r: Buffer | Buffer[] | null, compact: boolean): this {
    if (r === null) return compact ? this.uvarint(0) : this.int32(-1);
    if (Buffer.isBuffer(r)) {
      if (compact) this.uvarint(r.length + 1);
      else this.int32(r.length);
      return r.length < COPY_BELOW ? this.raw(r) : this.rawRef(r);
    }
    let len = 0;
    for (let i = 0; i < r.length; i++) len += r[i].length;
    if (compact) this.uvarint(len + 1);
    else this.int32(len);
    for (let i = 0; i < r.length; i++) {
      const c = r[i];
      if (c.length < COPY_BELOW) this.raw(c);
      else this.rawRef(c);
    }
    return this;
  }

  /** A Uuid given as Kafka prints it: 22 characters of unpadded base64url. */
  uuid(s: string): this {
    this.ensure(16);
    if (s.length !== 22 || this.buf.write(s, this.pos, 16, 'base64url') !== 16) {
      throw new RangeError(`not a Kafka Uuid (22 base64url characters): ${JSON.stringify(s)}`);
    }
    this.pos += 16;
    return this;
  }

  /** int32 element count; -1 for null. */
  arrayLength(n: number): this {
    return this.int32(n);
  }

  /** uvarint(count + 1); -1 (null) writes 0. */
  compactArrayLength(n: number): this {
    return this.uvarint(n + 1);
  }

  /** A whole tagged-field section holding only fields this codec does not know. */
  taggedFields(fields: readonly TaggedField[] | undefined): this {
    if (fields === undefined) return this.uvarint(0);
    this.uvarint(fields.length);
    this.rawTaggedFields(fields, 0, Infinity);
    return this;
  }

  /**
   * Writes unknown tagged fields from index `from` while their tag is below `beforeTag`, so they
   * interleave in tag order with the known ones; returns the index of the first one not written.
   */
  rawTaggedFields(fields: readonly TaggedField[] | undefined, from: number, beforeTag: number): number {
    if (fields === undefined) return 0;
    let i = from;
    for (; i < fields.length && fields[i].tag < beforeTag; i++) {
      const f = fields[i];
      this.uvarint(f.tag);
      this.uvarint(f.data.length);
      this.raw(f.data);
    }
    return i;
  }

  /** Copies b into the output. */
  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Appends b by reference (no copy): b must not change until the output has been sent. */
  rawRef(b: Buffer): this {
    if (b.length === 0) return this;
    this.closeChunk();
    this.chunks.push(b);
    this.flushed += b.length;
    return this;
  }

  /** Reserves 4 bytes (e.g. a size prefix) and returns their position for patchInt32. */
  reserveInt32(): number {
    this.ensure(4);
    const at = this.length;
    this.pos += 4;
    return at;
  }

  /** Overwrites the int32 at absolute position `at` (from reserveInt32), wherever its chunk now is. */
  patchInt32(at: number, v: number): this {
    let base = 0;
    for (const c of this.chunks) {
      if (at < base + c.length) {
        c.writeInt32BE(v, at - base);
        return this;
      }
      base += c.length;
    }
    this.buf.writeInt32BE(v, this.start + (at - base));
    return this;
  }

  /** The output as chunks, without copying. The writer may be written to further. */
  toChunks(): Buffer[] {
    this.closeChunk();
    return this.chunks;
  }

  /** The output as one Buffer; copies only if there is more than one chunk. */
  toBuffer(): Buffer {
    const chunks = this.toChunks();
    if (chunks.length === 1) return chunks[0];
    if (chunks.length === 0) return Buffer.alloc(0);
    return Buffer.concat(chunks, this.flushed);
  }
}
