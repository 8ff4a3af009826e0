// WriteTxnMarkers (v1, v2) on one broker: each partition's marker is a control batch at the log's
// end (COMMIT/ABORT key, the coordinator epoch in its EndTxnMarker value, the producer's id and
// epoch, transactional and control bits), the partition's last stable offset moves past the
// transaction, and errors per partition are Kafka's: UNKNOWN_TOPIC_OR_PARTITION for a partition
// this broker hosts no replica of, INVALID_PRODUCER_EPOCH for an epoch older than the producer's,
// TRANSACTION_COORDINATOR_FENCED for a coordinator epoch older than the last marker's, and with
// transaction version 2 (v2) INVALID_PRODUCER_EPOCH for a marker not above the data's epoch. Results
// are merged per producer id, as Kafka's response map is.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { buildBatch } from '../../src/protocol/records/records.js';
import { readBatchHeader, isControl, isTransactional } from '../../src/protocol/records/batch.js';
import { decodeRecords } from '../../src/protocol/records/records.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { codecRequest } from '../metadata/helpers.js';

t.setTimeout(120_000);

const TOPIC = 'ledger';

async function setup(t: Tap.Test): Promise<RunningBroker> {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  await b.broker.createTopic(TOPIC, 3, {});
  return b;
}

/** A transaction's data batch, appended as its leader would take it from the producer. */
async function txnData(b: RunningBroker, partition: number, producerId: number, producerEpoch: number, baseSequence: number): Promise<void> {
  const l = b.broker.partitionLog(TOPIC, partition)!;
  await l.append(buildBatch({ records: [{ key: null, value: Buffer.from(`v${baseSequence}`) }], producerId, producerEpoch, baseSequence, transactional: true }), { now: Date.now() });
}

type Marker = { producerId: number; producerEpoch: number; commit: boolean; coordinatorEpoch?: number; transactionVersion?: number; topics: { name: string; partitionIndexes: number[] }[] };

async function writeMarkers(b: RunningBroker, markers: Marker[], version = 2): Promise<any[]> {
  const res = await codecRequest(b.host, b.port, 'WriteTxnMarkers', version, {
    markers: markers.map((m) => ({ producerId: m.producerId, producerEpoch: m.producerEpoch, transactionResult: m.commit, coordinatorEpoch: m.coordinatorEpoch ?? 0, transactionVersion: m.transactionVersion ?? 0, topics: m.topics })),
  });
  return res.markers;
}

/** The last batch of the partition: its header and (for a control batch) its marker. */
async function lastBatch(b: RunningBroker, partition: number) {
  const l = b.broker.partitionLog(TOPIC, partition)!;
  const res = await l.read(l.logEndOffset - 1, 1 << 20, true, false, 'logEnd');
  const chunk = res.records[res.records.length - 1];
  const h = readBatchHeader(chunk, 0);
  const [rec] = decodeRecords(chunk, 0);
  return {
    control: isControl(h.attributes),
    transactional: isTransactional(h.attributes),
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    key: [rec.key!.readInt16BE(0), rec.key!.readInt16BE(2)],
    value: [rec.value!.readInt16BE(0), rec.value!.readInt32BE(2)],
  };
}

t.test('markers land at the end of each partition and close the transaction', async (t) => {
  const b = await setup(t);
  await txnData(b, 0, 7000, 0, 0);
  await txnData(b, 1, 7000, 0, 0);
  const l0 = b.broker.partitionLog(TOPIC, 0)!;
  t.equal(l0.lastStableOffset, 0, 'the open transaction holds the LSO at its first offset');

  // Transaction version 2 (KIP-890): the coordinator bumped the epoch, the marker must carry a higher one.
  const same = await writeMarkers(b, [{ producerId: 7000, producerEpoch: 0, commit: true, coordinatorEpoch: 3, transactionVersion: 2, topics: [{ name: TOPIC, partitionIndexes: [0] }] }]);
  t.same(same[0].topics[0].partitions, [{ partitionIndex: 0, errorCode: ErrorCode.INVALID_PRODUCER_EPOCH }], 'TV2: a marker in the data\'s epoch is refused');
  const res = await writeMarkers(b, [{ producerId: 7000, producerEpoch: 1, commit: true, coordinatorEpoch: 3, transactionVersion: 2, topics: [{ name: TOPIC, partitionIndexes: [0, 1] }] }]);
  t.same(res, [{ producerId: 7000, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 0 }] }] }], 'NONE for both partitions');
  t.same(await lastBatch(b, 0), { control: true, transactional: true, producerId: 7000, producerEpoch: 1, baseSequence: -1, key: [0, 1], value: [0, 3] }, 'a COMMIT control batch with the bumped epoch and the coordinator epoch');
  t.equal(l0.logEndOffset, 2, 'data at 0, marker at 1');
  t.equal(l0.lastStableOffset, 2, 'the LSO passes the committed transaction');

  await txnData(b, 2, 7001, 4, 0);
  const v1 = await writeMarkers(b, [{ producerId: 7001, producerEpoch: 4, commit: false, coordinatorEpoch: 3, topics: [{ name: TOPIC, partitionIndexes: [2] }] }], 1);
  t.same(v1[0].topics[0].partitions, [{ partitionIndex: 2, errorCode: 0 }], 'v1');
  t.same((await lastBatch(b, 2)).key, [0, 0], 'an ABORT control record');
});

t.test('errors per partition, merged per producer id', async (t) => {
  const b = await setup(t);
  await txnData(b, 0, 8000, 2, 0);

  const res = await writeMarkers(b, [
    { producerId: 8000, producerEpoch: 1, commit: true, topics: [{ name: TOPIC, partitionIndexes: [0] }] },
    { producerId: 8000, producerEpoch: 2, commit: true, coordinatorEpoch: 5, topics: [{ name: 'missing', partitionIndexes: [0] }, { name: TOPIC, partitionIndexes: [9] }] },
    { producerId: 8001, producerEpoch: 0, commit: false, coordinatorEpoch: 5, topics: [{ name: TOPIC, partitionIndexes: [1] }] },
  ]);
  const flat = (m: any) => m.topics.flatMap((t: any) => t.partitions.map((p: any) => [t.name, p.partitionIndex, p.errorCode]));
  t.equal(res.length, 2, 'one result per producer id');
  t.same(
    flat(res.find((m) => m.producerId === 8000)).sort(),
    [
      ['ledger', 0, ErrorCode.INVALID_PRODUCER_EPOCH],
      ['ledger', 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['missing', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ].sort(),
    'an older producer epoch; partitions not hosted here',
  );
  t.same(flat(res.find((m) => m.producerId === 8001)), [['ledger', 1, 0]], 'a marker for a producer without data here is written');

  t.same(flat((await writeMarkers(b, [{ producerId: 8000, producerEpoch: 2, commit: true, coordinatorEpoch: 5, topics: [{ name: TOPIC, partitionIndexes: [0] }] }]))[0]), [['ledger', 0, 0]], 'the current epochs');
  await txnData(b, 0, 8000, 2, 1);
  t.same(
    flat((await writeMarkers(b, [{ producerId: 8000, producerEpoch: 2, commit: false, coordinatorEpoch: 4, topics: [{ name: TOPIC, partitionIndexes: [0] }] }]))[0]),
    [['ledger', 0, ErrorCode.TRANSACTION_COORDINATOR_FENCED]],
    'a coordinator epoch older than the last marker\'s',
  );
  t.same(await writeMarkers(b, []), [], 'no markers, empty answer');
});
