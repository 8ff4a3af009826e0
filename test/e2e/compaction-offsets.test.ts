// The internal offsets log goes through the same cleaner: hundreds of offset commits for one
// group and partition (raw OffsetCommit v2 frames) land in __consumer_offsets, a compacted topic
// with small segments here; the background cleaner compacts them down, and the group's latest
// committed offset is what kafkajs reads back, before and after a broker restart (which
// rebuilds the coordinator's state from the compacted log).
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { sleep, withTimeout } from '../helpers/timeout.js';
import { Bytes, Cursor, WireConnection } from '../helpers/wire.js';

/** OffsetCommit v2 from outside any generation (as admin tools commit): group, -1, '', retention -1. */
function offsetCommitV2(group: string, topic: string, offset: number): Buffer {
  return new Bytes().string(group).int32(-1).string('').int64(-1).int32(1).string(topic).int32(1).int32(0).int64(offset).string('').build();
}

const COMMITS = 300;

t.test('__consumer_offsets is compacted and keeps the latest commit', async (t) => {
  const dataDir = tempDir(t);
  const config = {
    'offsets.topic.num.partitions': '1',
    'offsets.topic.segment.bytes': '4096',
    'log.cleaner.backoff.ms': '100',
    'group.initial.rebalance.delay.ms': '0',
  };
  let running = await startBroker({ port: 0, dataDir, config });
  t.teardown(() => running.close());
  await running.broker.createTopic('events', 1, {});
  let kafka = new Kafka({ clientId: 'offsets-compaction', brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
  let admin = kafka.admin();
  await admin.connect();
  await admin.fetchOffsets({ groupId: 'g', topics: ['events'] }); // creates __consumer_offsets
  const conn = await WireConnection.connect(running.host, running.port);
  for (let i = 1; i <= COMMITS; i++) {
    const r = new Cursor(await conn.request(8, 2, offsetCommitV2('g', 'events', i)));
    r.int32(); // correlation id
    r.int32(); // topics
    r.string();
    r.int32(); // partitions
    r.int32();
    if (r.int16() !== 0) throw new Error(`commit ${i} failed`);
  }
  conn.destroy();
  const log = running.broker.partitionLog('__consumer_offsets', 0)!;
  t.ok(log, '__consumer_offsets-0 exists');
  t.equal(log.config.cleanupPolicy.join(','), 'compact');
  await withTimeout(
    (async () => {
      while (log.cleanerStats.recordsRemoved < COMMITS - 10) await sleep(100);
    })(),
    20_000,
    'the cleaner compacting the offsets log',
  );
  t.ok(log.cleanerStats.cleanings >= 1, `${log.cleanerStats.cleanings} cleaning(s), ${log.cleanerStats.recordsRemoved} records and ${log.cleanerStats.bytesReclaimed} bytes removed`);
  const [before] = await admin.fetchOffsets({ groupId: 'g', topics: ['events'] });
  t.equal(before.partitions[0].offset, String(COMMITS), 'the latest commit is what the group reads');
  await admin.disconnect();
  await running.close();

  running = await startBroker({ port: 0, dataDir, config });
  kafka = new Kafka({ clientId: 'offsets-compaction', brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const [after] = await admin.fetchOffsets({ groupId: 'g', topics: ['events'] });
  t.equal(after.partitions[0].offset, String(COMMITS), 'and still after a restart that reloads the compacted log');
});
