// The metadata log and snapshot formats against bytes Apache Kafka wrote: Kafka's own
// bootstrap.checkpoint (a snapshot written by `kafka-storage format`, 4.0.2) must parse, its
// records must replay to the feature levels it holds, and samsa must frame the same record into
// the same bytes. Then a snapshot samsa writes must carry Kafka's header and footer batches.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSnapshot, encodeSnapshot, parseSnapshotFileName, snapshotFileName } from '../../src/metadata/snapshot.js';
import { decodeMetadataRecord, encodeMetadataRecord } from '../../src/metadata/records.js';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { MetadataImage } from '../../src/metadata/image.js';
import { parseBatches } from '../helpers/wire.js';
import { plainImage } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const kafkaBootstrap = Buffer.from(readFileSync(path.join(here, 'fixtures/kafka-4.0.2-bootstrap.checkpoint.hex'), 'utf8').trim(), 'hex');

t.test('Kafka\'s bootstrap.checkpoint parses and replays', async (t) => {
  const snap = decodeSnapshot(kafkaBootstrap, { offset: 0, epoch: 0 });
  t.same(
    snap.records.map((r) => [r.type, r.version, r.data.name, r.data.featureLevel]),
    [
      [12, 0, 'metadata.version', 25],
      [12, 0, 'group.version', 1],
      [12, 0, 'transaction.version', 2],
    ],
  );
  const delta = new MetadataDelta(MetadataImage.empty('c'));
  for (const r of snap.records) delta.replay(r);
  t.same(plainImage(delta.apply({ lastContainedOffset: 4, lastContainedEpoch: 0, lastContainedLogTimeMs: 0 })).features, {
    'group.version': 1,
    'metadata.version': 25,
    'transaction.version': 2,
  });
});

t.test('a record framed as Kafka frames it (MetadataRecordSerde)', async (t) => {
  // The value of offset 1 in Kafka's file: frame version 1, type 12, version 0, then the record.
  const kafkaValue = Buffer.from('010c00116d657461646174612e76657273696f6e001900', 'hex');
  t.ok(kafkaBootstrap.includes(kafkaValue), 'the fixture holds these bytes');
  t.same(encodeMetadataRecord({ type: 12, version: 0, data: { name: 'metadata.version', featureLevel: 25 } }), kafkaValue);
  t.same(decodeMetadataRecord(kafkaValue), { type: 12, version: 0, data: { name: 'metadata.version', featureLevel: 25 } });
  t.throws(() => decodeMetadataRecord(Buffer.from('020c00', 'hex')), /frame version 2/);
});

t.test('samsa\'s snapshots: Kafka\'s name, control batches and record offsets', async (t) => {
  t.equal(snapshotFileName({ offset: 1234, epoch: 5 }), '00000000000000001234-0000000005.checkpoint');
  t.same(parseSnapshotFileName('00000000000000001234-0000000005.checkpoint'), { offset: 1234, epoch: 5 });
  t.equal(parseSnapshotFileName('00000000000000001234.snapshot'), null);

  const delta = new MetadataDelta(MetadataImage.empty('c'));
  for (const r of decodeSnapshot(kafkaBootstrap, { offset: 0, epoch: 0 }).records) delta.replay(r);
  delta.replay({ type: 2, version: 0, data: { name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAg' } });
  const image = delta.apply({ lastContainedOffset: 9, lastContainedEpoch: 3, lastContainedLogTimeMs: 1000 });
  const bytes = encodeSnapshot(image, { offset: 10, epoch: 3 });
  const { batches, partialTail } = parseBatches(bytes);
  t.equal(partialTail, 0);
  t.ok(batches.every((b) => b.crcValid), 'valid CRCs');
  t.same(
    batches.map((b) => [b.baseOffset, (b.attributes & 0x20) !== 0, b.recordCount, b.partitionLeaderEpoch]),
    [
      [0, true, 1, 3],
      [1, false, 4, 3],
      [5, true, 1, 3],
    ],
    'header control batch, the records from offset 1, footer control batch',
  );
  // Kafka's control record key: version int16 0, type int16 (3 header, 4 footer).
  t.ok(bytes.includes(Buffer.from('0800000003', 'hex')) && bytes.includes(Buffer.from('0800000004', 'hex')), 'control record keys');
  const back = decodeSnapshot(bytes, { offset: 10, epoch: 3 });
  t.equal(back.lastContainedLogTimestamp, 1000);
  t.equal(back.records.length, 4);
  t.throws(() => decodeSnapshot(bytes.subarray(0, bytes.length - 10), { offset: 10, epoch: 3 }), /ends inside a batch/);
});
