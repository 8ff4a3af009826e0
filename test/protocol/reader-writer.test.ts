// Wire primitives against bytes fixed by the protocol (protobuf zigzag varints, Java's Uuid.toString())
// and against kafkajs's own Encoder/Decoder as an independent implementation.
import t from 'tap';
import { createRequire } from 'node:module';
import { Reader, ProtocolDecodeError } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

const require = createRequire(import.meta.url);
const KjsEncoder = require('kafkajs/src/protocol/encoder');
const KjsDecoder = require('kafkajs/src/protocol/decoder');

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const bytesOf = (f: (w: Writer) => void): string => {
  const w = new Writer(4);
  f(w);
  return w.toBuffer().toString('hex');
};

t.test('uvarint: known encodings', async (t) => {
  const cases: [number, string][] = [
    [0, '00'], [1, '01'], [127, '7f'], [128, '8001'], [300, 'ac02'], [16383, 'ff7f'], [16384, '808001'],
    [2147483647, 'ffffffff07'], [4294967295, 'ffffffff0f'],
  ];
  for (const [v, h] of cases) {
    t.equal(bytesOf((w) => w.uvarint(v)), h, `write ${v}`);
    const r = new Reader(hex(h));
    t.equal(r.uvarint(), v, `read ${h}`);
    t.equal(r.remaining(), 0);
  }
});

t.test('varint: protobuf zigzag (sint32)', async (t) => {
  const cases: [number, string][] = [
    [0, '00'], [-1, '01'], [1, '02'], [-2, '03'], [2, '04'], [63, '7e'], [-64, '7f'], [64, '8001'],
    [300, 'd804'], [2147483647, 'feffffff0f'], [-2147483648, 'ffffffff0f'],
  ];
  for (const [v, h] of cases) {
    t.equal(bytesOf((w) => w.varint(v)), h, `write ${v}`);
    t.equal(new Reader(hex(h)).varint(), v, `read ${h}`);
    t.equal(new KjsEncoder().writeVarInt(v).buffer.toString('hex'), h, `kafkajs agrees on ${v}`);
  }
});

t.test('varlong: protobuf zigzag (sint64)', async (t) => {
  const cases: [number, string][] = [
    [0, '00'], [-1, '01'], [1, '02'], [2147483648, '8080808010'], [-2147483649, '8180808010'],
    [1700000000000, '80a0abfef962'], [2 ** 52, '8080808080808010'], [-(2 ** 52), 'ffffffffffffff0f'],
  ];
  for (const [v, h] of cases) {
    t.equal(bytesOf((w) => w.varlong(v)), h, `write ${v}`);
    t.equal(new Reader(hex(h)).varlong(), v, `read ${h}`);
  }
  // kafkajs (Long-based) as an independent oracle over a spread of magnitudes and signs.
  const Long = require('kafkajs/src/utils/long');
  for (let e = 0; e < 52; e += 3) {
    for (const v of [2 ** e, -(2 ** e), 2 ** e + 12345, -(2 ** e) - 7]) {
      const expected = new KjsEncoder().writeVarLong(Long.fromNumber(v)).buffer.toString('hex');
      t.equal(bytesOf((w) => w.varlong(v)), expected, `varlong ${v}`);
      t.equal(new Reader(hex(expected)).varlong(), v);
    }
  }
  // Long.MIN_VALUE and MAX_VALUE: 10 bytes, must be consumed whole.
  const r = new Reader(hex('ffffffffffffffffff01' + '00'));
  r.varlong();
  t.equal(r.offset, 10);
});

t.test('fixed-width integers are big-endian, int64 exact to 2^53', async (t) => {
  t.equal(bytesOf((w) => w.int8(-2).int16(-2).uint16(65535).int32(-2).uint32(4294967295)),
    'fe' + 'fffe' + 'ffff' + 'fffffffe' + 'ffffffff');
  const int64s: [number, string][] = [
    [0, '0000000000000000'], [-1, 'ffffffffffffffff'], [1, '0000000000000001'],
    [4294967296, '0000000100000000'], [Number.MAX_SAFE_INTEGER, '001fffffffffffff'],
    [Number.MIN_SAFE_INTEGER, 'ffe0000000000001'], [-4294967297, 'fffffffeffffffff'],
  ];
  for (const [v, h] of int64s) {
    t.equal(bytesOf((w) => w.int64(v)), h, `int64 ${v}`);
    t.equal(new Reader(hex(h)).int64(), v);
  }
  t.equal(bytesOf((w) => w.float64(1.5)), '3ff8000000000000');
  t.equal(new Reader(hex('3ff8000000000000')).float64(), 1.5);
  t.equal(bytesOf((w) => w.bool(true).bool(false)), '0100');
  const r = new Reader(hex('02'));
  t.equal(r.bool(), true, 'any non-zero byte is true');
});

t.test('strings: lengths are UTF-8 byte counts', async (t) => {
  const s = 'héllo→😀';
  const utf8 = Buffer.from(s, 'utf8');
  t.equal(utf8.length, 13, '1+2+1+1+1+3+4 bytes');
  t.equal(bytesOf((w) => w.string(s)), '000d' + utf8.toString('hex'));
  t.equal(bytesOf((w) => w.compactString(s)), '0e' + utf8.toString('hex'));
  t.equal(bytesOf((w) => w.string(null)), 'ffff');
  t.equal(bytesOf((w) => w.compactString(null)), '00');
  t.equal(bytesOf((w) => w.string('')), '0000');
  t.equal(bytesOf((w) => w.compactString('')), '01');
  t.equal(new KjsEncoder().writeString(s).buffer.toString('hex'), bytesOf((w) => w.string(s)), 'kafkajs agrees');

  const r = new Reader(hex('000d' + utf8.toString('hex') + '0e' + utf8.toString('hex') + 'ffff00'));
  t.equal(r.string(), s);
  t.equal(r.compactString(), s);
  t.equal(r.nullableString(), null);
  t.equal(r.compactNullableString(), null);
  t.throws(() => new Reader(hex('ffff')).string(), ProtocolDecodeError, 'non-nullable string cannot be null');
  t.throws(() => new Reader(hex('00')).compactString(), ProtocolDecodeError);
  t.throws(() => new Reader(hex('fffe')).nullableString(), ProtocolDecodeError, 'length -2 is invalid');
  t.throws(() => new Writer().string('x'.repeat(0x8000)), RangeError);
  const kd = new KjsDecoder(hex('0003616263'));
  t.equal(kd.readString(), new Reader(hex('0003616263')).string(), 'kafkajs decodes the same');
});

t.test('bytes are zero-copy views; records accept chunks', async (t) => {
  const buf = hex('00000003 aabbcc 04 ddeeff ffffffff 00');
  const r = new Reader(buf);
  const b = r.bytes();
  t.equal(b.toString('hex'), 'aabbcc');
  t.equal(b.buffer, buf.buffer, 'shares memory with the input');
  t.equal(b.byteOffset, buf.byteOffset + 4);
  t.equal(r.compactBytes().toString('hex'), 'ddeeff');
  t.equal(r.nullableBytes(), null);
  t.equal(r.compactNullableBytes(), null);
  t.equal(r.remaining(), 0);

  const big = Buffer.alloc(5000, 7);
  const w = new Writer();
  w.int8(1).records([hex('0102'), big], false).int8(2);
  const chunks = w.toChunks();
  t.ok(chunks.some((c) => c === big), 'a large records chunk is referenced, not copied');
  const out = w.toBuffer();
  t.equal(out.length, 1 + 4 + 2 + 5000 + 1);
  const rr = new Reader(out);
  rr.int8();
  const rec = rr.records(false)!;
  t.equal(rec.length, 5002);
  t.equal(rec.subarray(0, 2).toString('hex'), '0102');
  t.equal(rr.int8(), 2);
  t.equal(bytesOf((w) => w.records(null, false)), 'ffffffff');
  t.equal(bytesOf((w) => w.records(null, true)), '00');
  t.equal(bytesOf((w) => w.records(hex('aa'), true)), '02aa');
});

t.test("uuid: Kafka's base64url text form", async (t) => {
  // Uuid(0x0123456789abcdef, 0xfedcba9876543210).toString() and Kafka's METADATA_TOPIC_ID, Uuid(0, 1).
  t.equal(new Reader(hex('0123456789abcdeffedcba9876543210')).uuid(), 'ASNFZ4mrze_-3LqYdlQyEA');
  t.equal(bytesOf((w) => w.uuid('ASNFZ4mrze_-3LqYdlQyEA')), '0123456789abcdeffedcba9876543210');
  t.equal(new Reader(hex('00000000000000000000000000000001')).uuid(), 'AAAAAAAAAAAAAAAAAAAAAQ');
  t.equal(bytesOf((w) => w.uuid('AAAAAAAAAAAAAAAAAAAAAA')), '00'.repeat(16));
  t.throws(() => new Writer().uuid('tooShort'), RangeError);
  t.throws(() => new Writer().uuid('0123456789abcdef0123456789abcdef'), RangeError, 'hex form is not accepted');
});

t.test('array lengths', async (t) => {
  t.equal(bytesOf((w) => w.arrayLength(3).arrayLength(-1).compactArrayLength(3).compactArrayLength(-1)),
    '00000003ffffffff0400');
  const r = new Reader(hex('00000001 ff ffffffff 02 aa 00'));
  t.equal(r.arrayLength(), 1);
  r.int8();
  t.equal(r.arrayLength(), -1);
  t.equal(r.compactArrayLength(), 1);
  r.int8();
  t.equal(r.compactArrayLength(), -1);
  t.throws(() => new Reader(hex('7fffffff')).arrayLength(), ProtocolDecodeError, 'count beyond the data');
  t.throws(() => new Reader(hex('fffffffe')).arrayLength(), ProtocolDecodeError, 'negative count');
});

t.test('bounds: truncated input throws ProtocolDecodeError, never garbage', async (t) => {
  const reads: [string, (r: Reader) => unknown][] = [
    ['int8', (r) => r.int8()], ['int16', (r) => r.int16()], ['int32', (r) => r.int32()],
    ['int64', (r) => r.int64()], ['uuid', (r) => r.uuid()], ['float64', (r) => r.float64()],
    ['string', (r) => r.string()], ['bytes', (r) => r.bytes()], ['uvarint', (r) => r.uvarint()],
  ];
  for (const [name, read] of reads) t.throws(() => read(new Reader(Buffer.alloc(0))), ProtocolDecodeError, name);
  t.throws(() => new Reader(hex('0005616263')).string(), ProtocolDecodeError, 'string longer than the data');
  t.throws(() => new Reader(hex('00000005aabb')).bytes(), ProtocolDecodeError, 'bytes longer than the data');
  t.throws(() => new Reader(hex('7fffffff')).nullableBytes(), ProtocolDecodeError);
  t.throws(() => new Reader(hex('ffffffffff')).uvarint(), ProtocolDecodeError, 'uvarint with a 6th byte');
  t.throws(() => new Reader(hex('ffffffffffffffffffff01')).varlong(), ProtocolDecodeError, '11-byte varlong');
  t.throws(() => new Reader(hex('8080')).uvarint(), ProtocolDecodeError, 'unterminated varint');
  t.throws(() => new Reader(hex('0a')).compactBytes(), ProtocolDecodeError);
  const r = new Reader(hex('0001'), 1);
  t.equal(r.remaining(), 1, 'offset is honoured');
  t.throws(() => r.int16(), /truncated int16/);
});

t.test('writer: growth, chunks and size patching', async (t) => {
  const w = new Writer(8);
  const at = w.reserveInt32();
  for (let i = 0; i < 1000; i++) w.int32(i);
  const ref = Buffer.alloc(4096, 0xab);
  w.rawRef(ref);
  w.string('tail');
  w.patchInt32(at, w.length - 4);
  const out = w.toBuffer();
  t.equal(out.length, 4 + 4000 + 4096 + 6);
  t.equal(out.readInt32BE(0), out.length - 4, 'size prefix patched after chunks were appended');
  t.equal(out.readInt32BE(4 + 999 * 4), 999);
  t.same(out.subarray(4004, 4004 + 4096), ref);

  const w2 = new Writer(64);
  w2.int16(1);
  const at2 = w2.reserveInt32();
  w2.raw(Buffer.alloc(10000));
  w2.patchInt32(at2, 0x01020304);
  t.equal(w2.toBuffer().readInt32BE(2), 0x01020304, 'patch into a closed chunk');

  const w3 = new Writer();
  const src = Buffer.from('copied');
  w3.raw(src);
  src[0] = 0x41;
  t.equal(w3.toBuffer().toString(), 'copied', 'raw copies');
  t.equal(new Writer().toBuffer().length, 0);
});
