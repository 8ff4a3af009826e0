// __share_group_state as Kafka reads it: the segment of a key's state partition, printed by Kafka
// 4.4.0's own DumpLogSegments --share-group-state-decoder: ShareSnapshot (type 0) from Initialize,
// a ShareUpdate (type 1) from a read at a new leader epoch and from a write (with the tagged
// deliveryCompleteCount), a ShareSnapshot of the merged state once the update limit is reached,
// and the tombstone of DeleteShareGroupState; every field as samsa wrote it.
import t from 'tap';
import path from 'node:path';
import { startBroker } from '../../../src/index.js';
import { shareStatePartitionFor } from '../../../src/coordinator/share/records.js';
import { kafkaToolIO } from '../../helpers/kafka-tool.js';
import { tempDir } from '../../helpers/tmp.js';

t.test('DumpLogSegments decodes every record the share coordinator wrote', async (t) => {
  const dir = tempDir(t);
  const b = await startBroker({ port: 0, dataDir: dir, config: { 'share.coordinator.snapshot.update.records.per.snapshot': '2' } });
  let closed = false;
  t.teardown(() => (closed ? undefined : b.close()));
  const topicId = (await b.broker.createTopic('dumped', 2, {})).topicId;
  const key = { groupId: 'dump-group', topicId, partition: 1 };
  const p = b.broker.sharePersister;
  t.equal((await p.initializeState(key, 3, 40)).errorCode, 0);
  t.equal((await p.readState(key, 6)).errorCode, 0);
  t.equal((await p.writeState(key, { stateEpoch: 3, leaderEpoch: 6, startOffset: 40, deliveryCompleteCount: 2, stateBatches: [{ firstOffset: 40, lastOffset: 41, deliveryState: 2, deliveryCount: 1 }, { firstOffset: 42, lastOffset: 45, deliveryState: 0, deliveryCount: 3 }] })).errorCode, 0);
  t.equal((await p.writeState(key, { stateEpoch: 3, leaderEpoch: 6, startOffset: 42, deliveryCompleteCount: 1, stateBatches: [{ firstOffset: 43, lastOffset: 43, deliveryState: 4, deliveryCount: 5 }] })).errorCode, 0);
  t.equal((await p.deleteState(key)).errorCode, 0);
  const partition = shareStatePartitionFor(key, 50);
  await b.close();
  closed = true;

  const file = path.join(dir, `__share_group_state-${partition}`, '00000000000000000000.log');
  const out = await kafkaToolIO('org.apache.kafka.tools.DumpLogSegments', ['--share-group-state-decoder', '--print-data-log', '--files', file]);
  t.equal(out.code, 0, out.err);
  const records = out.out
    .split('\n')
    .filter((l) => l.startsWith('| offset:'))
    .map((l) => {
      const key = JSON.parse(l.slice(l.indexOf('key: ') + 5, l.indexOf(' payload: ')));
      const payload = l.slice(l.indexOf(' payload: ') + 10);
      return { key, value: payload === 'null' || payload === '<DELETE>' || payload === '' ? null : JSON.parse(payload) };
    });
  t.equal(records.length, 5, out.out);
  const k = { groupId: 'dump-group', topicId, partition: 1 };
  t.same(records.map((r) => r.key), [
    { type: '0', data: k },
    { type: '1', data: k },
    { type: '1', data: k },
    { type: '0', data: k },
    { type: '0', data: k },
  ]);
  const v = records.map((r) => r.value);
  t.match(v[0], { version: '0', data: { snapshotEpoch: 0, stateEpoch: 3, leaderEpoch: 0, startOffset: 40, deliveryCompleteCount: 0, stateBatches: [] } });
  t.equal(v[0].data.createTimestamp, v[0].data.writeTimestamp);
  t.ok(v[0].data.createTimestamp > 1_600_000_000_000);
  t.match(v[1], { version: '0', data: { snapshotEpoch: 0, leaderEpoch: 6, startOffset: 40, stateBatches: [] } }, 'the read at leader epoch 6');
  t.match(v[2], { version: '0', data: { snapshotEpoch: 0, leaderEpoch: 6, startOffset: 40, deliveryCompleteCount: 2, stateBatches: [{ firstOffset: 40, lastOffset: 41, deliveryState: 2, deliveryCount: 1 }, { firstOffset: 42, lastOffset: 45, deliveryState: 0, deliveryCount: 3 }] } });
  t.match(v[3], {
    version: '0',
    data: {
      snapshotEpoch: 1,
      stateEpoch: 3,
      leaderEpoch: 6,
      startOffset: 42,
      deliveryCompleteCount: 1,
      stateBatches: [
        { firstOffset: 42, lastOffset: 42, deliveryState: 0, deliveryCount: 3 },
        { firstOffset: 43, lastOffset: 43, deliveryState: 4, deliveryCount: 5 },
        { firstOffset: 44, lastOffset: 45, deliveryState: 0, deliveryCount: 3 },
      ],
    },
  }, 'the third write since the snapshot: a snapshot of the merged state');
  t.equal(v[4], null, 'the tombstone');
});
