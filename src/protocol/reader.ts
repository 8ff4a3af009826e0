// Bounds-checked reader for Kafka's wire primitives; bytes and records come back as zero-copy views.

/** Thrown for any malformed input: truncation, negative or oversized lengths, bad varints. */
export class ProtocolDecodeError extends Error {
  override name = 'ProtocolDecodeError';
}

/** A tagged field this codec does not know, kept verbatim so a round trip preserves it. */
export interface TaggedField {
  tag: number;
  data: Buffer;
}

const TWO_32 = 4294967296;

export class Reader {
  readonly buf: Buffer;
  offset: number;

  constructor(buf: Buffer, offset = 0) {
    this.buf = buf;
    this.offset = offset;
  }

  remaining(): number {
    return this.buf.length - this.offset;
  }

  /** Reserves n bytes and returns where they start; throws if they are not all there. */
  private take(n: number, what: string): number {
    const o = this.offset;
    if (o + n > this.buf.length) {
      throw new ProtocolDecodeError(
        `truncated ${what}: need ${n} bytes at offset ${o}, only ${this.buf.length - o} remain`,
      );
    }
    this.offset = o + n;
    return o;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1, 'int8'));
  }

  int16(): number {
    return this.buf.readInt16BE(this.take(2, 'int16'));
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.take(2, 'uint16'));
  }

  int32(): number {
    return this.buf.readInt32BE(this.take(4, 'int32'));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.take(4, 'uint32'));
  }

  /** Kafka's offsets and timestamps fit in 2^53, so a number is exact for them. */
  int64(): number {
    const o = this.take(8, 'int64');
    return this.buf.readInt32BE(o) * TWO_32 + this.buf.readUInt32BE(o + 4);
  }

  float64(): number {
    return this.buf.readDoubleBE(this.take(8, 'float64'));
  }

  bool(): boolean {
    return this.buf[this.take(1, 'bool')] !== 0;
  }

  /** Unsigned 32-bit varint (at most 5 bytes), as used for compact lengths and tags. */
  uvarint(): number {
    const buf = this.buf;
    let o = this.offset;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (o >= buf.length) throw new ProtocolDecodeError(`truncated varint at offset ${this.offset}`);
      const b = buf[o++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (value > 0xffffffff) break;
        this.offset = o;
        return value;
      }
      scale *= 128;
    }
    throw new ProtocolDecodeError(`varint too long at offset ${this.offset}`);
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zigzag-encoded signed 64-bit varint (at most 10 bytes), exact while |value| < 2^53. */
  varlong(): number {
    const buf = this.buf;
    let o = this.offset;
    let u = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (o >= buf.length) throw new ProtocolDecodeError(`truncated varlong at offset ${this.offset}`);
      const b = buf[o++];
      u += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.offset = o;
        return u % 2 === 1 ? -(u + 1) / 2 : u / 2;
      }
      scale *= 128;
    }
    throw new ProtocolDecodeError(`varlong too long at offset ${this.offset}`);
  }

  private utf8(len: number): string {
    const o = this.take(len, 'string');
    return this.buf.toString('utf8', o, o + len);
  }

  /** int16 length; -1 (null) is refused because the field is not nullable. */
  string(): string {
    const len = this.int16();
    if (len < 0) throw new ProtocolDecodeError(`non-nullable string is null at offset ${this.offset - 2}`);
    return this.utf8(len);
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) {
      if (len === -1) return null;
      throw new ProtocolDecodeError(`invalid string length ${len} at offset ${this.offset - 2}`);
    }
    return this.utf8(len);
  }

  compactString(): string {
    const n = this.uvarint();
    if (n === 0) throw new ProtocolDecodeError(`non-nullable compact string is null at offset ${this.offset - 1}`);
    return this.utf8(n - 1);
  }

  compactNullableString(): string | null {
    const n = this.uvarint();
    return n === 0 ? null : this.utf8(n - 1);
  }

  private view(len: number, what: string): Buffer {
    const o = this.take(len, what);
    return this.buf.subarray(o, o + len);
  }

  bytes(): Buffer {
    const len = this.int32();
    if (len < 0) throw new ProtocolDecodeError(`non-nullable bytes are null at offset ${this.offset - 4}`);
    return this.view(len, 'bytes');
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) {
      if (len === -1) return null;
      throw new ProtocolDecodeError(`invalid bytes length ${len} at offset ${this.offset - 4}`);
    }
    return this.view(len, 'bytes');
  }

  compactBytes(): Buffer {
    const n = this.uvarint();
    if (n === 0) throw new ProtocolDecodeError(`non-nullable compact bytes are null at offset ${this.offset - 1}`);
    return this.view(n - 1, 'bytes');
  }

  compactNullableBytes(): Buffer | null {
    const n = this.uvarint();
    return n === 0 ? null : this.view(n - 1, 'bytes');
  }

  /** A record set is nullable bytes; the batches are parsed elsewhere, lazily. */
  records(compact: boolean): Buffer | null {
    return compact ? this.compactNullableBytes() : this.nullableBytes();
  }

  /** Kafka prints a Uuid as its 16 bytes in unpadded base64url (Java's Uuid.toString()). */
  uuid(): string {
    const o = this.take(16, 'uuid');
    return this.buf.toString('base64url', o, o + 16);
  }

  /**
   * int32 element count; -1 means null. A count is refused up front unless `minElementBytes`
   * remain for each element, so a claimed 2^31-1 elements fails before anything is allocated.
   */
  arrayLength(minElementBytes = 1): number {
    const n = this.int32();
    return this.checkCount(n, this.offset - 4, minElementBytes);
  }

  /** uvarint count + 1; returns -1 for null. */
  compactArrayLength(minElementBytes = 1): number {
    const at = this.offset;
    return this.checkCount(this.uvarint() - 1, at, minElementBytes);
  }

  private checkCount(n: number, at: number, minElementBytes: number): number {
    if (n < -1) throw new ProtocolDecodeError(`invalid array length ${n} at offset ${at}`);
    const remaining = this.buf.length - this.offset;
    if (n * minElementBytes > remaining) {
      throw new ProtocolDecodeError(
        `array length ${n} at offset ${at} needs at least ${n * minElementBytes} bytes, only ${remaining} remain`,
      );
    }
    return n;
  }

  /** Error for a non-nullable field that arrived as null. */
  nullError(field: string): ProtocolDecodeError {
    return new ProtocolDecodeError(`non-nullable field ${field} is null (offset ${this.offset})`);
  }

  /** Reads a whole tagged-field section, keeping every field as unknown. */
  taggedFields(): TaggedField[] | undefined {
    const count = this.uvarint();
    let out: TaggedField[] | undefined;
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      out = this.unknownTaggedField(out, tag, this.uvarint());
    }
    return out;
  }

  /** Keeps one unknown tagged field's payload (a zero-copy view) and returns the list. */
  unknownTaggedField(list: TaggedField[] | undefined, tag: number, size: number): TaggedField[] {
    const data = this.view(size, `tagged field ${tag}`);
    if (list === undefined) return [{ tag, data }];
    list.push({ tag, data });
    return list;
  }

  /** Where a tagged field of `size` bytes ends; throws if it overruns the buffer. */
  taggedFieldEnd(size: number): number {
    const end = this.offset + size;
    if (end > this.buf.length) throw new ProtocolDecodeError(`tagged field of ${size} bytes overruns the buffer`);
    return end;
  }

  /** After decoding a known tagged field: it must not overrun its size; trailing bytes are skipped. */
  finishTaggedField(end: number, tag: number): void {
    if (this.offset > end) throw new ProtocolDecodeError(`tagged field ${tag} overran its declared size`);
    this.offset = end;
  }
}
