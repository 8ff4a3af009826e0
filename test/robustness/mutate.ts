// Mutations of a seed frame, chosen by a seeded Rng: bit flips, byte smashes, truncation, trailing
// garbage, length fields and array counts set to hostile values, scalars set to edge values,
// splices from other frames, header version/key confusion, record batches rewritten with a valid
// CRC (so the damage reaches the record and decompression code), a corrupted size prefix, and
// plain random bytes.
import { crc32c } from '@node-rs/crc32';
import { Rng } from './rng.js';
import type { Field, Seed } from './corpus.js';
import { HANDLERS } from '../../src/handlers/registry.js';

export interface FuzzCase {
  index: number;
  /** What was done, for the report. */
  description: string;
  /** Bytes to write on a fresh connection: whole frames with their size prefixes. */
  bytes: Buffer;
  /** The api key, version and correlation id of the first frame as sent (after mutation). */
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** The size prefix was corrupted on purpose: the stream after it is not framed as the body says. */
  framingBroken: boolean;
  seedLabel: string;
  /** Write the bytes in pieces of these sizes, one per event-loop turn (else in one write). */
  chunks?: number[];
}

const INT32_EDGES = [-0x80000000, -2, -1, 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x10000, 0x100000, 0x1000000, 0x10000000, 0x3fffffff, 0x7ffffffe, 0x7fffffff];
const INT16_EDGES = [-0x8000, -2, -1, 0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7ffe, 0x7fff];
const INT64_EDGES = [-(2n ** 63n), -2n, -1n, 0n, 1n, 2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n - 1n];
const UVARINT_EDGES = [0, 1, 2, 0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0xfffffff, 0x10000000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

export function uvarint(v: number): Buffer {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function replace(buf: Buffer, at: number, width: number, insert: Buffer): Buffer {
  return Buffer.concat([buf.subarray(0, at), insert, buf.subarray(at + width)]);
}

function writeField(buf: Buffer, f: Field, rng: Rng, near?: number): { buf: Buffer; what: string } {
  // Earlier rounds may have cut or shifted the body: a field past its end is left alone.
  if (f.at + Math.max(1, f.width) > buf.length) return { buf, what: 'nothing (the field is gone)' };
  const b = Buffer.from(buf);
  switch (f.kind) {
    case 'int8': {
      const v = rng.pick([-128, -1, 0, 1, 2, 127]);
      b.writeInt8(v, f.at);
      return { buf: b, what: `int8 ${v}` };
    }
    case 'int16': {
      const v = near !== undefined && rng.chance(0.3) ? Math.max(-0x8000, Math.min(0x7fff, near + rng.range(-2, 2))) : rng.pick(INT16_EDGES);
      b.writeInt16BE(v, f.at);
      return { buf: b, what: `int16 ${v}` };
    }
    case 'int32': {
      const v = near !== undefined && rng.chance(0.3) ? (near + rng.range(-2, 2)) | 0 : rng.pick(INT32_EDGES);
      b.writeInt32BE(v, f.at);
      return { buf: b, what: `int32 ${v}` };
    }
    case 'int64': {
      const v = rng.pick(INT64_EDGES);
      b.writeBigInt64BE(v, f.at);
      return { buf: b, what: `int64 ${v}` };
    }
    case 'uvarint': {
      const r = rng.int(10);
      let enc: Buffer;
      let what: string;
      if (r === 0) {
        enc = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        what = 'varint never ending (6 bytes with the high bit)';
      } else if (r === 1) {
        enc = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x00]);
        what = 'overlong varint 0 (5 bytes)';
      } else {
        const v = near !== undefined && rng.chance(0.3) ? Math.max(0, near + rng.range(-2, 2)) : rng.pick(UVARINT_EDGES);
        enc = uvarint(v);
        what = `uvarint ${v}`;
      }
      return { buf: replace(buf, f.at, f.width, enc), what };
    }
  }
}

function readField(buf: Buffer, f: Field): number | undefined {
  if (f.at + f.width > buf.length) return undefined;
  switch (f.kind) {
    case 'int8': return buf.readInt8(f.at);
    case 'int16': return buf.readInt16BE(f.at);
    case 'int32': return buf.readInt32BE(f.at);
    case 'int64': return undefined;
    case 'uvarint': {
      let v = 0;
      let scale = 1;
      for (let i = 0; i < f.width; i++) {
        v += (buf[f.at + i] & 0x7f) * scale;
        scale *= 128;
      }
      return v;
    }
  }
}

/** Rewrites the CRC of the batch at `at` (covering attributes to the batch's end). */
function fixCrc(buf: Buffer, at: number, length: number): void {
  const end = Math.min(buf.length, at + length);
  if (at + 21 > end) return;
  buf.writeUInt32BE(crc32c(buf.subarray(at + 21, end)) >>> 0, at + 17);
}

const BATCH_FIELDS: { name: string; off: number; kind: Field['kind']; width: number }[] = [
  { name: 'baseOffset', off: 0, kind: 'int64', width: 8 },
  { name: 'batchLength', off: 8, kind: 'int32', width: 4 },
  { name: 'partitionLeaderEpoch', off: 12, kind: 'int32', width: 4 },
  { name: 'magic', off: 16, kind: 'int8', width: 1 },
  { name: 'attributes', off: 21, kind: 'int16', width: 2 },
  { name: 'lastOffsetDelta', off: 23, kind: 'int32', width: 4 },
  { name: 'baseTimestamp', off: 27, kind: 'int64', width: 8 },
  { name: 'maxTimestamp', off: 35, kind: 'int64', width: 8 },
  { name: 'producerId', off: 43, kind: 'int64', width: 8 },
  { name: 'producerEpoch', off: 51, kind: 'int16', width: 2 },
  { name: 'baseSequence', off: 53, kind: 'int32', width: 4 },
  { name: 'recordsCount', off: 57, kind: 'int32', width: 4 },
];

type Op = (body: Buffer, seed: Seed, rng: Rng, corpus: readonly Seed[]) => { body: Buffer; what: string } | null;

const OPS: { name: string; weight: number; op: Op }[] = [
  {
    name: 'bit flips',
    weight: 3,
    op: (body, _s, rng) => {
      const b = Buffer.from(body);
      const n = rng.range(1, 8);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = rng.int(b.length);
        b[p] ^= 1 << rng.int(8);
        at.push(p);
      }
      return { body: b, what: `bit flips at ${at.join(',')}` };
    },
  },
  {
    name: 'byte smash',
    weight: 2,
    op: (body, _s, rng) => {
      const b = Buffer.from(body);
      const at = rng.int(b.length);
      const n = Math.min(b.length - at, rng.range(1, 4));
      const v = rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01]);
      b.fill(v, at, at + n);
      return { body: b, what: `${n} byte(s) at ${at} set to 0x${v.toString(16)}` };
    },
  },
  {
    name: 'truncate',
    weight: 2,
    op: (body, _s, rng) => {
      const at = rng.range(8, Math.max(8, body.length - 1));
      return { body: body.subarray(0, at), what: `truncated to ${at} of ${body.length} bytes` };
    },
  },
  {
    name: 'trailing garbage',
    weight: 1,
    op: (body, _s, rng) => {
      const n = rng.range(1, 64);
      return { body: Buffer.concat([body, rng.bytes(n)]), what: `${n} random bytes appended` };
    },
  },
  {
    name: 'length field',
    weight: 6,
    op: (body, seed, rng) => {
      if (seed.lengths.length === 0) return null;
      const f = rng.pick(seed.lengths);
      if (f.at + f.width > body.length) return null;
      const { buf, what } = writeField(body, f, rng, readField(body, f));
      return { body: buf, what: `length/count (${f.kind}) at ${f.at} set to ${what}` };
    },
  },
  {
    name: 'scalar field',
    weight: 4,
    op: (body, seed, rng) => {
      const fields = seed.scalars.filter((f) => f.at >= 8); // not the header's key, version, correlation id
      if (fields.length === 0) return null;
      const f = rng.pick(fields);
      if (f.at + f.width > body.length) return null;
      const { buf, what } = writeField(body, f, rng, readField(body, f));
      return { body: buf, what: `scalar (${f.kind}) at ${f.at} set to ${what}` };
    },
  },
  {
    name: 'record batch',
    weight: 5,
    op: (body, seed, rng) => {
      if (seed.batches.length === 0) return null;
      const batch = rng.pick(seed.batches);
      if (batch.at + batch.length > body.length) return null;
      const b = Buffer.from(body);
      let what: string;
      const r = rng.int(4);
      if (r === 0 && batch.recordFields.length > 0) {
        const f = rng.pick(batch.recordFields);
        const w = writeField(b, f, rng, readField(b, f));
        // A varint of another width shifts the batch: keep the declared length honest-ish.
        const out = w.buf;
        const delta = out.length - b.length;
        if (delta !== 0 && rng.chance(0.5)) out.writeInt32BE(out.readInt32BE(batch.at + 8) + delta, batch.at + 8);
        fixCrc(out, batch.at, batch.length + delta);
        return { body: out, what: `record varint at ${f.at} set to ${w.what}, CRC fixed` };
      } else if (r <= 1) {
        const field = rng.pick(BATCH_FIELDS);
        const w = writeField(b, { at: batch.at + field.off, width: field.width, kind: field.kind }, rng, readField(b, { at: batch.at + field.off, width: field.width, kind: field.kind }));
        what = `batch ${field.name} set to ${w.what}`;
        if (field.name === 'attributes' && rng.chance(0.6)) {
          // Flip on a compression codec (1-4), or 5-7 (none defined), or the control/transactional bits.
          const attr = rng.pick([1, 2, 3, 4, 5, 6, 7, 0x10, 0x20, 0x30, 0x08]);
          w.buf.writeInt16BE(attr, batch.at + 21);
          what = `batch attributes set to 0x${attr.toString(16)}`;
        }
        const fix = field.name !== 'magic' && rng.chance(0.85);
        if (fix) fixCrc(w.buf, batch.at, batch.length);
        return { body: w.buf, what: `${what}${fix ? ', CRC fixed' : ''}` };
      } else {
        // Damage inside the records (compressed bytes for a compressed batch), CRC fixed.
        const start = batch.at + 61;
        const end = batch.at + batch.length;
        if (end <= start) return null;
        const n = rng.range(1, 6);
        const at: number[] = [];
        for (let i = 0; i < n; i++) {
          const p = rng.range(start, end - 1);
          b[p] = rng.chance(0.5) ? b[p] ^ (1 << rng.int(8)) : rng.u32() & 0xff;
          at.push(p);
        }
        fixCrc(b, batch.at, batch.length);
        return { body: b, what: `record bytes at ${at.join(',')} changed (batch attributes 0x${b.readInt16BE(batch.at + 21).toString(16)}), CRC fixed` };
      }
    },
  },
  {
    name: 'splice',
    weight: 2,
    op: (body, seed, rng, corpus) => {
      const sameApi = corpus.filter((s) => s.apiKey === seed.apiKey && s !== seed);
      const donor = sameApi.length > 0 && rng.chance(0.7) ? rng.pick(sameApi) : rng.pick(corpus);
      const from = rng.int(donor.body.length);
      const len = rng.range(1, Math.min(64, donor.body.length - from));
      const at = rng.range(8, body.length);
      const cut = rng.chance(0.5) ? rng.range(0, Math.min(len, body.length - at)) : 0;
      const piece = donor.body.subarray(from, from + len);
      return { body: replace(body, at, cut, piece), what: `${len} bytes of ${donor.label} @${from} spliced in at ${at} over ${cut}` };
    },
  },
  {
    name: 'repeat a range',
    weight: 1,
    op: (body, _s, rng) => {
      const from = rng.range(8, body.length - 1);
      const len = rng.range(1, Math.min(48, body.length - from));
      const times = rng.pick([2, 3, 16, 200]);
      const piece = body.subarray(from, from + len);
      return { body: Buffer.concat([body.subarray(0, from + len), ...Array(times - 1).fill(piece), body.subarray(from + len)]), what: `${len} bytes @${from} repeated x${times}` };
    },
  },
  {
    name: 'header confusion',
    weight: 2,
    op: (body, seed, rng) => {
      const b = Buffer.from(body);
      const h = HANDLERS.get(seed.apiKey);
      if (rng.chance(0.7) && h) {
        // Another version of the same API: the body is read with a neighbour's layout.
        const v = rng.chance(0.8) ? rng.range(h.minVersion, h.maxVersion) : rng.pick([-1, h.maxVersion + 1, 0x7fff]);
        b.writeInt16BE(v, 2);
        return { body: b, what: `api version set to ${v}` };
      }
      const k = rng.chance(0.8) ? rng.pick([...HANDLERS.keys()]) : rng.pick([-1, 7, 17, 36, 1000, 0x7fff]);
      b.writeInt16BE(k, 0);
      const kh = HANDLERS.get(k);
      if (kh && rng.chance(0.7)) b.writeInt16BE(rng.range(kh.minVersion, kh.maxVersion), 2);
      return { body: b, what: `api key set to ${k} v${b.readInt16BE(2)}` };
    },
  },
];

const TOTAL_WEIGHT = OPS.reduce((a, o) => a + o.weight, 0);

function pickOp(rng: Rng) {
  let r = rng.int(TOTAL_WEIGHT);
  for (const o of OPS) {
    if ((r -= o.weight) < 0) return o;
  }
  return OPS[0];
}

function sizePrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
}

function framed(body: Buffer): Buffer {
  return Buffer.concat([sizePrefix(body.length), body]);
}

/** A random request: a served key and version with a random body, or raw random bytes. */
function randomCase(rng: Rng): { bytes: Buffer; what: string; framingBroken: boolean } {
  const r = rng.int(3);
  if (r === 0) {
    const n = rng.range(1, 512);
    return { bytes: rng.bytes(n), what: `${n} raw random bytes`, framingBroken: true };
  }
  const keys = [...HANDLERS.keys()];
  const k = rng.pick(keys);
  const h = HANDLERS.get(k)!;
  const v = rng.range(h.minVersion, h.maxVersion);
  const header = Buffer.alloc(8);
  header.writeInt16BE(k, 0);
  header.writeInt16BE(v, 2);
  header.writeInt32BE(rng.u32() | 0, 4);
  // Client id: null, empty or short, then (flexible headers) an empty tag section, then noise.
  const clientId = rng.pick([Buffer.from([0xff, 0xff]), Buffer.from([0, 0]), Buffer.from([0, 3, 0x66, 0x7a, 0x7a])]);
  const n = r === 1 ? rng.range(0, 64) : rng.range(64, 2048);
  const body = Buffer.concat([header, clientId, Buffer.from([0]), rng.bytes(n)]);
  return { bytes: framed(body), what: `${h.request.name} v${v} with a random ${n}-byte body`, framingBroken: false };
}

/** One seed frame with 1-4 mutations, its size prefix corrupted 1 time in 20 (when allowed). */
function mutatedFrame(rng: Rng, corpus: readonly Seed[], allowBrokenFraming: boolean): { bytes: Buffer; what: string; framingBroken: boolean; seedLabel: string } {
  const seed = rng.pick(corpus);
  let body = seed.body;
  const whats: string[] = [];
  const rounds = rng.chance(0.75) ? 1 : rng.range(2, 4);
  for (let i = 0; i < rounds; i++) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const o = pickOp(rng);
      const out = o.op(body, seed, rng, corpus);
      if (out !== null && out.body.length >= 1) {
        body = out.body;
        whats.push(`${o.name}: ${out.what}`);
        break;
      }
    }
  }
  let bytes = framed(body);
  let framingBroken = false;
  if (allowBrokenFraming && rng.chance(1 / 20)) {
    framingBroken = true;
    const r = rng.int(5);
    if (r === 0) {
      const v = rng.pick([-1, -0x80000000, 0x7fffffff, 104857601]);
      bytes = Buffer.concat([sizePrefix(v), body]);
      whats.push(`size prefix set to ${v}`);
    } else if (r === 1) {
      const v = rng.range(0, body.length - 1);
      bytes = Buffer.concat([sizePrefix(v), body]);
      whats.push(`size prefix ${body.length} -> ${v} (the rest reads as another frame)`);
    } else if (r === 2) {
      // Larger than the body: the frame is completed with zeros, so it is whole.
      const extra = rng.range(1, 4096);
      bytes = Buffer.concat([sizePrefix(body.length + extra), body, Buffer.alloc(extra)]);
      whats.push(`size prefix ${body.length} -> ${body.length + extra}, zero-padded`);
    } else if (r === 3) {
      // Two frames glued, the first the second's first half.
      bytes = Buffer.concat([framed(body.subarray(0, Math.max(8, body.length >> 1))), framed(body)]);
      framingBroken = false;
      whats.push('preceded by its own first half as a frame');
    } else {
      bytes = Buffer.concat([sizePrefix(0), framed(body)]);
      whats.push('preceded by an empty frame');
    }
  }
  return { bytes, what: `${seed.label}; ${whats.join('; ') || 'unchanged'}`, framingBroken, seedLabel: seed.label };
}

/** Byte counts to write one after another (a request trickling in), summing to `total`. */
function trickle(rng: Rng, total: number): number[] {
  const out: number[] = [];
  for (let left = total; left > 0; ) {
    const n = Math.min(left, rng.chance(0.5) ? rng.range(1, 4) : rng.range(5, 64));
    out.push(n);
    left -= n;
  }
  return out;
}

/**
 * Case `index` of a run: a pure function of (seed, index) and the corpus, so any case replays alone.
 * About 1 case in 12 is random bytes; 1 in 12 pipelines 2-4 mutated frames on the connection; 1 in
 * 20 corrupts a size prefix; 1 in 10 is written in small pieces.
 */
export function makeCase(seedValue: number, index: number, corpus: readonly Seed[]): FuzzCase {
  const rng = new Rng(seedValue, index);
  let c: Omit<FuzzCase, 'apiKey' | 'apiVersion' | 'correlationId' | 'index'>;
  if (rng.chance(1 / 12)) {
    const r = randomCase(rng);
    c = { description: `random: ${r.what}`, bytes: r.bytes, framingBroken: r.framingBroken, seedLabel: 'random' };
  } else if (rng.chance(1 / 12)) {
    const frames = Array.from({ length: rng.range(2, 4) }, () => mutatedFrame(rng, corpus, false));
    c = {
      description: `pipelined: ${frames.map((f) => f.what).join(' | ')}`,
      bytes: Buffer.concat(frames.map((f) => f.bytes)),
      framingBroken: false,
      seedLabel: frames.map((f) => f.seedLabel).join(' | '),
    };
  } else {
    const f = mutatedFrame(rng, corpus, true);
    c = { description: f.what, bytes: f.bytes, framingBroken: f.framingBroken, seedLabel: f.seedLabel };
  }
  if (rng.chance(0.1)) {
    c.chunks = trickle(rng, c.bytes.length);
    c.description += ` (written in ${c.chunks.length} pieces)`;
  }
  return withHeader({ index, ...c });
}

function withHeader(c: Omit<FuzzCase, 'apiKey' | 'apiVersion' | 'correlationId'>): FuzzCase {
  const b = c.bytes;
  const ok = b.length >= 12;
  return {
    ...c,
    apiKey: ok ? b.readInt16BE(4) : -1,
    apiVersion: ok ? b.readInt16BE(6) : -1,
    correlationId: ok ? b.readInt32BE(8) : -1,
  };
}
