// Replays a real broker's metadata log record by record, one delta per record, and checks every
// intermediate image against a plain model of what the record says (written here, independent
// of MetadataDelta). Then writes the final image back as records and replays those from empty.
import t from 'tap';
import { isDeepStrictEqual } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { MetadataImage } from '../../src/metadata/image.js';
import { imageToRecords } from '../../src/metadata/image-records.js';
import type { MetadataRecord } from '../../src/metadata/records.js';
import { plainImage } from './helpers.js';

interface ModelPartition {
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
}
interface Model {
  features: Record<string, number>;
  brokers: Record<number, { host: string; port: number; epoch: number }>;
  topics: Record<string, { name: string; partitions: Record<number, ModelPartition> }>;
  configs: Record<string, Record<string, string>>;
  nextProducerId: number;
}

/** What each record type means, from Kafka's metadata record documentation. */
function applyToModel(m: Model, r: MetadataRecord): Model {
  const next: Model = structuredClone(m);
  const d = r.data;
  switch (r.type) {
    case 0:
      next.brokers[d.brokerId] = { host: d.endPoints[0].host, port: d.endPoints[0].port, epoch: Number(d.brokerEpoch) };
      break;
    case 2:
      next.topics[d.topicId] = { name: d.name, partitions: {} };
      break;
    case 3:
      next.topics[d.topicId].partitions[d.partitionId] = {
        replicas: d.replicas,
        isr: d.isr,
        leader: d.leader,
        leaderEpoch: d.leaderEpoch,
        partitionEpoch: d.partitionEpoch,
      };
      break;
    case 4: {
      const key = `${d.resourceType}:${d.resourceName}`;
      next.configs[key] ??= {};
      if (d.value === null) delete next.configs[key][d.name];
      else next.configs[key][d.name] = d.value;
      if (Object.keys(next.configs[key]).length === 0) delete next.configs[key];
      break;
    }
    case 9: {
      const name = next.topics[d.topicId].name;
      delete next.topics[d.topicId];
      delete next.configs[`2:${name}`];
      break;
    }
    case 12:
      if (d.featureLevel === 0) delete next.features[d.name];
      else next.features[d.name] = d.featureLevel;
      break;
    case 15:
      next.nextProducerId = Number(d.nextProducerId);
      break;
  }
  return next;
}

function imageAsModel(image: MetadataImage): Model {
  const p = plainImage(image);
  return {
    features: p.features,
    brokers: Object.fromEntries(p.brokers.map(([id, b]) => [id, { host: b.endpoints[0].host, port: b.endpoints[0].port, epoch: b.epoch }])),
    topics: Object.fromEntries(
      p.topics.map(([id, topic]) => [
        id,
        {
          name: topic.name,
          partitions: Object.fromEntries(
            topic.partitions.map(([pid, r]) => [pid, { replicas: [...r.replicas], isr: [...r.isr], leader: r.leader, leaderEpoch: r.leaderEpoch, partitionEpoch: r.partitionEpoch }]),
          ),
        },
      ]),
    ),
    configs: Object.fromEntries(p.configs),
    nextProducerId: p.nextProducerId,
  };
}

t.test('every intermediate image is what the records say', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '3' } });
  t.teardown(() => b.close());
  const admin = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'r1', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '1000' }] },
      { topic: 'r2', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1048576' }] },
    ],
  });
  await admin.createPartitions({ topicPartitions: [{ topic: 'r2', count: 3 }] });
  // Legacy AlterConfigs replaces: segment.bytes goes (a null ConfigRecord), retention.ms comes.
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      { type: 2, name: 'r2', configEntries: [{ name: 'retention.ms', value: '5000' }] },
      { type: 4, name: '1', configEntries: [{ name: 'log.retention.bytes', value: '1000000' }] },
    ],
  });
  await admin.deleteTopics({ topics: ['r1'] });
  await admin.createTopics({ topics: [{ topic: 'r1', numPartitions: 1 }] });
  await admin.disconnect();
  for (let i = 0; i < 2; i++) await b.broker.controller.allocateProducerId();

  const records: MetadataRecord[] = [];
  await b.broker.metadata.metadataLog.read(0, (batch) => records.push(...batch.records));
  const types = new Set(records.map((r) => r.type));
  for (const type of [0, 2, 3, 4, 9, 12, 15]) t.ok(types.has(type), `the log holds record type ${type}`);
  t.ok(records.some((r) => r.type === 4 && r.data.value === null), 'and a config removal');

  let image = MetadataImage.empty(b.broker.clusterId);
  let model: Model = { features: {}, brokers: {}, topics: {}, configs: {}, nextProducerId: 0 };
  let mismatches = 0;
  records.forEach((r, offset) => {
    const delta = new MetadataDelta(image);
    delta.replay(r);
    image = delta.apply({ lastContainedOffset: offset, lastContainedEpoch: 0, lastContainedLogTimeMs: 0 });
    model = applyToModel(model, r);
    const got = imageAsModel(image);
    if (!isDeepStrictEqual(got, model)) {
      mismatches++;
      if (mismatches < 3) t.same(got, model, `image after offset ${offset} (record type ${r.type})`);
    }
  });
  t.equal(mismatches, 0, `all ${records.length} intermediate images match the model`);
  t.same(plainImage(image), plainImage(b.broker.metadata.image), 'the last one is the broker\'s image');

  const rebuilt = new MetadataDelta(MetadataImage.empty(b.broker.clusterId));
  for (const r of imageToRecords(image)) rebuilt.replay(r);
  t.same(plainImage(rebuilt.apply(image.provenance)), plainImage(image), 'the image written as records replays to itself');
});

t.test('PartitionChangeRecord: a new leader bumps the leader epoch, every change the partition epoch', async (t) => {
  const id = 'AAAAAAAAAAAAAAAAAAAAAg';
  const replay = (image: MetadataImage, ...rs: MetadataRecord[]) => {
    const d = new MetadataDelta(image);
    for (const r of rs) d.replay(r);
    return d.apply(image.provenance);
  };
  let image = replay(
    MetadataImage.empty('c'),
    { type: 2, version: 0, data: { name: 'p', topicId: id } },
    { type: 3, version: 1, data: { partitionId: 0, topicId: id, replicas: [1, 2], isr: [1, 2], removingReplicas: [], addingReplicas: [], leader: 1, leaderEpoch: 4, partitionEpoch: 7, directories: [] } },
  );
  image = replay(image, { type: 5, version: 0, data: { partitionId: 0, topicId: id, isr: [1], leader: -2 } });
  t.match(image.topics.get('p')!.registrations.get(0), { isr: [1], leader: 1, leaderEpoch: 4, partitionEpoch: 8 }, 'ISR shrink: same leader epoch');
  image = replay(image, { type: 5, version: 0, data: { partitionId: 0, topicId: id, leader: 2 } });
  t.match(image.topics.get('p')!.registrations.get(0), { isr: [1], leader: 2, leaderEpoch: 5, partitionEpoch: 9 }, 'new leader: next leader epoch');
  t.throws(() => replay(image, { type: 5, version: 0, data: { partitionId: 3, topicId: id, leader: 2 } }), /unknown partition/);
});
