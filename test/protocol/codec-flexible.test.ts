// Flexible-version encodings checked against bytes assembled by hand from Kafka's protocol guide:
// compact lengths (uvarint n+1), tagged-field sections, tagged structs, nullable structs (int8 marker),
// and RequestHeader v2 whose client id keeps its int16 length.
import t, { type Test } from 'tap';
import {
  ApiVersionsResponse,
  DescribeTopicPartitionsRequest,
  FetchResponse,
  RequestHeader,
  type Codec,
} from '../../src/protocol/generated/index.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

const hex = (parts: string[]): string => parts.join('').replace(/\s+/g, '');

function check<T>(t: Test, codec: Codec<T>, version: number, value: T, expected: string): T {
  const w = new Writer();
  codec.encode(w, version, value);
  t.equal(w.toBuffer().toString('hex'), expected, `${codec.name} v${version} encodes as Kafka does`);
  const r = new Reader(Buffer.from(expected, 'hex'));
  const decoded = codec.decode(r, version);
  t.equal(r.remaining(), 0, 'decoder consumes every byte');
  return decoded;
}

t.test('RequestHeader v2: int16 client id, then tagged fields', async (t) => {
  const expected = hex(['0012', '0003', '0000002a', '0003 6b6a73', '00']);
  const d = check(t, RequestHeader, 2, { requestApiKey: 18, requestApiVersion: 3, correlationId: 42, clientId: 'kjs' }, expected);
  t.equal(d.clientId, 'kjs');
  check(t, RequestHeader, 2, { requestApiKey: 18, requestApiVersion: 3, correlationId: 42, clientId: null },
    hex(['0012', '0003', '0000002a', 'ffff', '00']));
});

t.test('ApiVersionsResponse v3: a known tagged field (FinalizedFeaturesEpoch, tag 1)', async (t) => {
  const expected = hex([
    '0000', // error code
    '02', '0012 0000 0004 00', // one ApiVersion + its empty tag section
    '00000000', // throttle
    '01', '01 08 0000000000000005', // 1 tagged field: tag 1, 8 bytes, int64 5
  ]);
  const d = check(t, ApiVersionsResponse, 3, {
    errorCode: 0,
    apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
    throttleTimeMs: 0,
    finalizedFeaturesEpoch: 5,
  }, expected);
  t.equal(d.finalizedFeaturesEpoch, 5);
  t.same(d.supportedFeatures, [], 'absent tagged array decodes to its default');
  t.equal(d.zkMigrationReady, false);

  // Default-valued tagged fields are not written at all.
  check(t, ApiVersionsResponse, 3, { errorCode: 0, apiKeys: [], throttleTimeMs: 0, finalizedFeaturesEpoch: -1 },
    hex(['0000', '01', '00000000', '00']));
});

t.test('unknown tagged fields are kept and written back in tag order with the known ones', async (t) => {
  const expected = hex([
    '0000', '01', '00000000',
    '04',
    '01 08 0000000000000009', // known tag 1: FinalizedFeaturesEpoch 9
    '03 01 01', // known tag 3: ZkMigrationReady true
    '04 02 abcd', // unknown tag 4, kept verbatim
    '09 00', // unknown tag 9, empty
  ]);
  const d = check(t, ApiVersionsResponse, 3, {
    errorCode: 0, apiKeys: [], throttleTimeMs: 0, finalizedFeaturesEpoch: 9, zkMigrationReady: true,
    _tagged: [{ tag: 4, data: Buffer.from('abcd', 'hex') }, { tag: 9, data: Buffer.alloc(0) }],
  }, expected);
  t.same(d._tagged!.map((f) => [f.tag, f.data.toString('hex')]), [[4, 'abcd'], [9, '']]);
  t.equal(d.zkMigrationReady, true);
});

t.test('FetchResponse v12: tagged struct CurrentLeader inside a partition', async (t) => {
  const expected = hex([
    '00000000', '0000', '00000000', // throttle, error, session
    '02', '02 74', // one topic, name "t"
    '02', // one partition
    '00000000', '0000', '000000000000000a', '000000000000000a', '0000000000000000', // index, error, hw, lso, log start
    '00', // aborted transactions: null
    'ffffffff', // preferred read replica
    '04 aabbcc', // records: 3 bytes
    '01', '01 09 00000001 00000005 00', // tagged: CurrentLeader {1, 5} (struct has its own empty tag section)
    '00', // topic tags
    '00', // response tags
  ]);
  const d = check(t, FetchResponse, 12, {
    throttleTimeMs: 0, errorCode: 0, sessionId: 0,
    responses: [{
      topic: 't',
      partitions: [{
        partitionIndex: 0, errorCode: 0, highWatermark: 10, lastStableOffset: 10, logStartOffset: 0,
        abortedTransactions: null, preferredReadReplica: -1, records: [Buffer.from('aabbcc', 'hex')],
        currentLeader: { leaderId: 1, leaderEpoch: 5 },
      }],
    }],
  }, expected);
  const p = d.responses[0].partitions[0];
  t.same(p.currentLeader, { leaderId: 1, leaderEpoch: 5 });
  t.same(p.divergingEpoch, { epoch: -1, endOffset: -1 }, 'absent tagged struct decodes to its default');
  t.equal((p.records as Buffer).toString('hex'), 'aabbcc');
});

t.test('DescribeTopicPartitionsRequest: nullable struct Cursor uses an int8 marker', async (t) => {
  check(t, DescribeTopicPartitionsRequest, 0, { topics: [{ name: 'ab' }], responsePartitionLimit: 2000, cursor: null },
    hex(['02', '03 6162 00', '000007d0', 'ff', '00']));
  const d = check(t, DescribeTopicPartitionsRequest, 0, {
    topics: [], responsePartitionLimit: 10, cursor: { topicName: 'ab', partitionIndex: 3 },
  }, hex(['01', '0000000a', '01', '03 6162', '00000003', '00', '00']));
  t.same(d.cursor, { topicName: 'ab', partitionIndex: 3 });
  const r = new Reader(Buffer.from(hex(['01', '000007d0', 'ff', '00']), 'hex'));
  t.equal(DescribeTopicPartitionsRequest.decode(r, 0).cursor, null);
});

t.test('malformed input is refused', async (t) => {
  // Non-nullable topics array sent as null (compact 0).
  t.throws(() => DescribeTopicPartitionsRequest.decode(new Reader(Buffer.from('00000007d0ff00', 'hex')), 0),
    /non-nullable field .*topics/);
  // Truncated in the middle of a tagged field.
  t.throws(() => ApiVersionsResponse.decode(new Reader(Buffer.from(hex(['0000', '01', '00000000', '01', '01 08 0000']), 'hex')), 3),
    /overruns|truncated/);
});
