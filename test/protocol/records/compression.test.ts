import t from 'tap';
import { gzipSync } from 'node:zlib';
import { compressSync as rawSnappy } from 'snappy';
import { compress, decompress, isXerial } from '../../../src/protocol/records/compression.js';
import type { Codec } from '../../../src/protocol/records/batch.js';

const TEXT = 'Kafka LZ4 frame fixture: the quick brown fox jumps over the lazy dog, the quick brown fox jumps over the lazy dog.';

t.test('round trips for every codec, empty to multi-block sizes', async (t) => {
  const random = Buffer.alloc(200_000);
  for (let i = 0; i < random.length; i++) random[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff;
  const inputs = [Buffer.alloc(0), Buffer.from('x'), Buffer.from(TEXT.repeat(50)), random];
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as Codec[]) {
    for (const input of inputs) {
      t.ok(decompress(codec, compress(codec, input)).equals(input), `${codec} ${input.length} bytes`);
    }
  }
});

t.test('snappy: compress writes the xerial framing snappy-java writes', async (t) => {
  // snappy-java SnappyOutputStream for "hello": magic, version 1, compatible version 1,
  // then [int32 length][raw snappy block]; the block is a 5-byte literal.
  const javaBytes = Buffer.from('82534e41505059000000000100000001000000070510' + Buffer.from('hello').toString('hex'), 'hex');
  t.equal(compress('snappy', Buffer.from('hello')).toString('hex'), javaBytes.toString('hex'));
  t.equal(decompress('snappy', javaBytes).toString(), 'hello');
  t.ok(isXerial(javaBytes));
});

t.test('snappy: xerial input with several blocks decodes', async (t) => {
  const input = Buffer.alloc(100_000);
  for (let i = 0; i < input.length; i++) input[i] = i % 97;
  const framed = compress('snappy', input);
  // 32 KiB blocks, as snappy-java: 100000 bytes make 4 blocks
  let pos = 16;
  let blocks = 0;
  while (pos < framed.length) {
    pos += 4 + framed.readInt32BE(pos);
    blocks++;
  }
  t.equal(blocks, 4);
  t.ok(decompress('snappy', framed).equals(input));
});

t.test('snappy: raw blocks (librdkafka, kafkajs-snappy) decode too', async (t) => {
  const input = Buffer.from(TEXT.repeat(20));
  const raw = rawSnappy(input);
  t.notOk(isXerial(raw));
  t.ok(decompress('snappy', raw).equals(input));
  // hand-written raw block: varint length 5, literal tag, "hello"
  t.equal(decompress('snappy', Buffer.from('05106865 6c6c6f'.replace(/ /g, ''), 'hex')).toString(), 'hello');
});

t.test('lz4: frames written by the reference lz4 CLI (v1.9.4) decode', async (t) => {
  const fixtures = {
    // `lz4 -c`: independent blocks, content checksum
    defaultFlags:
      '04224d186440a751000000f1284b61666b61204c5a34206672616d6520666978747572653a2074686520717569636b2062726f776e20666f78206a756d7073206f7665721f00916c617a7920646f672c0e000f2d00105020646f672e000000001b6d4eea',
    // `lz4 -c --content-size`: the frame header carries the content size
    contentSize:
      '04224d186c407200000000000000cc51000000f1284b61666b61204c5a34206672616d6520666978747572653a2074686520717569636b2062726f776e20666f78206a756d7073206f7665721f00916c617a7920646f672c0e000f2d00105020646f672e000000001b6d4eea',
    // `lz4 -c --no-frame-crc`: no content checksum, as Kafka's Java client writes
    noChecksum:
      '04224d1860408251000000f1284b61666b61204c5a34206672616d6520666978747572653a2074686520717569636b2062726f776e20666f78206a756d7073206f7665721f00916c617a7920646f672c0e000f2d00105020646f672e00000000',
  };
  for (const [name, hex] of Object.entries(fixtures)) {
    t.equal(decompress('lz4', Buffer.from(hex, 'hex')).toString(), TEXT, name);
  }
  const corrupt = Buffer.from(fixtures.defaultFlags, 'hex');
  corrupt[corrupt.length - 1]! ^= 1;
  t.throws(() => decompress('lz4', corrupt), 'a bad content checksum is refused');
});

t.test('lz4: compress writes a standard frame with independent blocks', async (t) => {
  const frame = compress('lz4', Buffer.from(TEXT));
  t.equal(frame.readUInt32LE(0), 0x184d2204, 'LZ4 frame magic');
  const flg = frame[4]!;
  t.equal(flg >> 6, 1, 'frame version 01');
  t.equal(flg & 0x20, 0x20, 'block independence, which Kafka requires');
  t.equal(flg & 0x03, 0, 'reserved bits and dictionary id clear');
});

t.test('zstd: a frame without content size (as streaming zstd-jni writes) decodes', async (t) => {
  // `zstd -c < file`: from stdin, so the frame header has no content size
  const hex =
    '28b52ffd045865020014044b61666b61204c5a34206672616d6520666978747572653a2074686520717569636b2062726f776e20666f78206a756d7073206f7665726c617a7920646f672c2e02004165ce09414101eb6f5c46';
  const frame = Buffer.from(hex, 'hex');
  t.equal(frame[4]! & 0xc0, 0, 'no frame content size field');
  t.equal(decompress('zstd', frame).toString(), TEXT);
});

t.test('gzip: output of GNU gzip decodes; compress output is a gzip member', async (t) => {
  const gnu =
    '1f8b0800000000000003f34e4ccb4e54f0893251482b4acc4d5548cbac28292d4ab55228c94855282ccd4cce56482aca2fcf5348cbaf50c82acd2d2856c82f4b2d024be72456552aa4e4a7eb90a2580f009b0f460472000000';
  t.equal(decompress('gzip', Buffer.from(gnu, 'hex')).toString(), TEXT);
  const ours = compress('gzip', Buffer.from(TEXT));
  t.equal(ours.readUInt16BE(0), 0x1f8b);
  // two concatenated members are one stream, as java.util.zip.GZIPInputStream reads them
  const twice = Buffer.concat([gzipSync('ab'), gzipSync('cd')]);
  t.equal(decompress('gzip', twice).toString(), 'abcd');
});
