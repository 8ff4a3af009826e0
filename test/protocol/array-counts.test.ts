// Array counts are checked against the bytes left before anything is read or allocated for the
// elements: each element takes at least its fixed width (int32: 4, uuid: 16, a string its length
// prefix, a struct one byte), so a count that the request cannot hold fails at once with a
// ProtocolDecodeError, which closes the connection as Kafka does.
import t from 'tap';
import { Reader, ProtocolDecodeError } from '../../src/protocol/reader.js';
import { DescribeProducersRequest } from '../../src/protocol/generated/describe-producers-request.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';

function be32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeInt32BE(v, i * 4));
  return b;
}

t.test('Reader: a count needs its minimum element bytes to remain', async (t) => {
  const buf = Buffer.concat([be32(3), Buffer.alloc(8)]);
  t.equal(new Reader(buf).arrayLength(), 3, 'three one-byte elements fit in 8 bytes');
  t.throws(() => new Reader(buf).arrayLength(4), ProtocolDecodeError, 'three int32 elements do not');
  t.throws(() => new Reader(be32(0x7fffffff)).arrayLength(), ProtocolDecodeError, '2^31-1 elements in no bytes');
  t.throws(() => new Reader(be32(-2)).arrayLength(), ProtocolDecodeError, 'a count below -1');
  t.equal(new Reader(be32(-1)).arrayLength(16), -1, 'null needs no bytes');
  const compact = Buffer.from([4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // 3 elements, 11 bytes
  t.equal(new Reader(compact).compactArrayLength(2), 3);
  t.throws(() => new Reader(compact).compactArrayLength(4), /needs at least 12 bytes, only 11 remain/);
});

t.test('generated codecs pass the element width: an int32 array that cannot fit fails before reading', async (t) => {
  // DescribeProducers v0 (flexible): topics [name, partition_indexes []int32]; 3 indexes announced, 2 sent.
  const body = Buffer.concat([Buffer.from([2, 2, 116, 4]), be32(0, 1)]);
  t.throws(() => DescribeProducersRequest.decode(new Reader(body), 0), /array length 3 .* needs at least 12 bytes, only 8 remain/);
  const whole = Buffer.concat([Buffer.from([2, 2, 116, 4]), be32(0, 1, 2), Buffer.from([0, 0])]);
  t.same(DescribeProducersRequest.decode(new Reader(whole), 0).topics, [{ name: 't', partitionIndexes: [0, 1, 2] }]);
  // Metadata v1 whose topics array claims 2^31-1 entries.
  t.throws(() => MetadataRequest.decode(new Reader(Buffer.concat([be32(0x7fffffff), Buffer.from([0, 1, 120])])), 1), ProtocolDecodeError);
});
