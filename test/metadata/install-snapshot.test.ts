// MetadataLoader.installSnapshot, what a cluster follower does with a snapshot fetched from the
// leader: the image becomes exactly the snapshot's (compared field by field with the image the
// snapshot was written from), and the one delta publishers see removes what the snapshot no
// longer has (a deleted topic and its configs), so the storage publisher deletes its logs.
import t from 'tap';
import { startBroker } from '../../src/index.js';
import type { MetadataDelta } from '../../src/metadata/delta.js';
import type { MetadataImage } from '../../src/metadata/image.js';
import { imageToRecords } from '../../src/metadata/image-records.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { plainImage } from './helpers.js';

function snapshotOf(image: MetadataImage) {
  return { id: { offset: image.offset + 1, epoch: 0 }, lastContainedLogTimestamp: 0, records: imageToRecords(image) };
}

t.test('a fetched snapshot replaces the image, deletions included', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const c = b.broker.metadata.controller;
  const gone = await c.createTopic('gone', 2, { 'retention.ms': '1000' });
  await c.createTopic('kept', 1, {});
  const before = b.broker.metadata.image;
  await c.deleteTopics([{ name: 'gone', topicId: gone.topicId }]);
  await c.createTopic('added', 3, { 'cleanup.policy': 'compact' });
  const after = b.broker.metadata.image;

  const loader = new MetadataLoader(before.clusterId);
  const seen: { delta: MetadataDelta; image: MetadataImage }[] = [];
  loader.installPublisher({ name: 'watch', onMetadataUpdate: (delta, image) => void seen.push({ delta, image }) });
  await loader.installSnapshot(snapshotOf(before));
  t.same(plainImage(loader.image), plainImage(before), 'from empty: the snapshot image');
  t.ok(loader.image.topics.get('gone'), 'with the topic deleted later');

  await loader.installSnapshot(snapshotOf(after));
  t.same(plainImage(loader.image), plainImage(after), 'over an older image: exactly the newer snapshot');
  t.equal(loader.image.offset, after.offset, 'at the snapshot offset');
  const last = seen[seen.length - 1].delta;
  t.same([...(last.topicsDelta?.deletedTopicIds ?? [])], [gone.topicId], 'the delta deletes the topic the snapshot lacks');
  t.same(loader.image.configs.get(2, 'gone').size, 0, 'and its config overrides');
  t.ok(last.topicsDelta?.changedTopics.get(loader.image.topics.get('added')!.topicId), 'and creates the new one');
});
