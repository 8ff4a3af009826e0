// Zigzag varints (protobuf style) used inside v2 records. Varlongs stay exact up to 2^53.

/** Reads a zigzag varint at buf[pos]; the caller reads the new position from `cursor.pos`. */
export interface Cursor {
  pos: number;
}

export function readVarint(buf: Buffer, cursor: Cursor): number {
  let pos = cursor.pos;
  let raw = 0;
  let shift = 0;
  let byte: number;
  do {
    if (pos >= buf.length) throw new RangeError('varint runs past the end of the buffer');
    if (shift > 28) throw new RangeError('varint is longer than 5 bytes');
    byte = buf[pos++]!;
    raw |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  cursor.pos = pos;
  return (raw >>> 1) ^ -(raw & 1);
}

export function readVarlong(buf: Buffer, cursor: Cursor): number {
  let pos = cursor.pos;
  let raw = 0;
  let mul = 1;
  let byte: number;
  do {
    if (pos >= buf.length) throw new RangeError('varlong runs past the end of the buffer');
    if (mul > 2 ** 63) throw new RangeError('varlong is longer than 10 bytes');
    byte = buf[pos++]!;
    raw += (byte & 0x7f) * mul;
    mul *= 128;
  } while (byte & 0x80);
  cursor.pos = pos;
  // zigzag decode without 32-bit bitwise ops: even -> n/2, odd -> -(n+1)/2
  return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsigned(((value << 1) ^ (value >> 31)) >>> 0);
}

export function sizeOfVarlong(value: number): number {
  return sizeOfUnsigned(value >= 0 ? value * 2 : -value * 2 - 1);
}

function sizeOfUnsigned(raw: number): number {
  let size = 1;
  while (raw >= 128) {
    raw = Math.floor(raw / 128);
    size++;
  }
  return size;
}

/** Writes a zigzag varint; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  while (raw >= 0x80) {
    buf[pos++] = (raw & 0x7f) | 0x80;
    raw >>>= 7;
  }
  buf[pos++] = raw;
  return pos;
}

export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  let raw = value >= 0 ? value * 2 : -value * 2 - 1;
  while (raw >= 0x80) {
    buf[pos++] = (raw % 128) | 0x80;
    raw = Math.floor(raw / 128);
  }
  buf[pos++] = raw;
  return pos;
}
