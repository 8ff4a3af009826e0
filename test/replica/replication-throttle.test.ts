// ReplicationQuota against Kafka's ReplicationQuotaManager: the windowed SimpleRate (bytes in the
// kept samples over the time since the oldest began, at least one window), the upper bound
// (exceeded only above it), samples expiring, and which partitions a throttled-replicas config
// names for a broker ("p:b,..." filtered to this broker, "*" for all, empty for none). The numbers
// are those of Kafka's ReplicationQuotaManagerTest.
import t from 'tap';
import { ReplicationQuota, throttledPartitions } from '../../src/replica/replication-quota.js';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { MetadataImage } from '../../src/metadata/image.js';
import { RecordType, ResourceType } from '../../src/metadata/records.js';

t.test('the quota is exceeded above the bound and comes back below it as time passes (Kafka\'s numbers)', async (t) => {
  // ReplicationQuotaManagerConfig(10 samples, 1 s windows), bound 100 B/s.
  const q = new ReplicationQuota('leader', 1000, 10);
  q.updateQuota(100);
  let now = 0;
  t.notOk(q.isQuotaExceeded(now), 'not exceeded at the start');
  now += 1500;
  q.record(1, now);
  t.notOk(q.isQuotaExceeded(now));
  q.record(149, now);
  t.notOk(q.isQuotaExceeded(now), '150 B in 1.5 s is 100 B/s: at the bound, not over it');
  q.record(1, now);
  t.equal(q.rate(now), 151 / 1.5);
  t.ok(q.isQuotaExceeded(now), '151 B in 1.5 s is over');
  now += 500;
  t.notOk(q.isQuotaExceeded(now), 'half a window later the rate is back under');
  t.ok(Math.abs(q.rate(now) - 151 / 2) < 0.1);
  now += 500;
  q.record(99, now);
  t.equal(q.rate(now), 250 / 2.5);
  t.notOk(q.isQuotaExceeded(now));
  q.record(1, now);
  t.ok(q.isQuotaExceeded(now));
  t.equal(q.rate(now), 251 / 2.5);
  now += 2000;
  t.notOk(q.isQuotaExceeded(now));
  t.equal(q.rate(now), 251 / 4.5);
});

t.test('samples older than the kept windows no longer count; the first window is a whole one', async (t) => {
  const q = new ReplicationQuota('follower', 1000, 11);
  q.updateQuota(1000);
  q.record(5000, 0);
  t.equal(q.rate(0), 5000, 'a burst at the start is measured over one whole window');
  t.ok(q.isQuotaExceeded(0));
  t.equal(q.rate(5000), 1000, 'over the elapsed time since');
  t.equal(q.rate(11_000), 0, 'gone once 11 windows passed without an event');
  t.notOk(q.isQuotaExceeded(11_000));
});

t.test('no bound (the Long.MAX_VALUE default) is never exceeded', async (t) => {
  const q = new ReplicationQuota('leader');
  q.record(1e12, 0);
  t.notOk(q.isQuotaExceeded(0));
  q.updateQuota(9223372036854775807);
  t.notOk(q.isQuotaExceeded(0));
  q.updateQuota(10);
  t.ok(q.isQuotaExceeded(0));
});

t.test('throttled partitions: listed ones, "*" for all, per topic', async (t) => {
  const q = new ReplicationQuota('leader');
  q.markThrottled('topic1', [1, 2, 3]);
  t.ok(q.isThrottled('topic1', 1) && q.isThrottled('topic1', 3));
  t.notOk(q.isThrottled('topic1', 4));
  q.markThrottled('MyTopic', '*');
  t.ok(q.isThrottled('MyTopic', 0));
  t.notOk(q.isThrottled('MyOtherTopic', 0));
  q.removeThrottle('MyTopic');
  t.notOk(q.isThrottled('MyTopic', 0));
});

t.test('a throttled-replicas value names the partitions of this broker (Kafka\'s parseThrottledPartitions)', async (t) => {
  t.same(throttledPartitions('0:101,0:102,1:101,1:102', 101), [0, 1]);
  t.same(throttledPartitions('0:101,1:102', 102), [1]);
  t.same(throttledPartitions('0:101', 103), [], 'another broker\'s entries only: nothing here');
  t.equal(throttledPartitions(' * ', 1), '*');
  t.equal(throttledPartitions('', 1), null, 'empty: no throttle');
});

t.test('the throttled partitions come from the topic configs in the image', async (t) => {
  const delta = new MetadataDelta(MetadataImage.empty('c'));
  const config = (resourceName: string, name: string, value: string) => delta.replay({ type: RecordType.CONFIG, version: 0, data: { resourceType: ResourceType.TOPIC, resourceName, name, value } });
  config('a', 'leader.replication.throttled.replicas', '0:1,1:2,2:1');
  config('b', 'leader.replication.throttled.replicas', '*');
  config('c', 'follower.replication.throttled.replicas', '0:1');
  const image = delta.apply(MetadataImage.empty('c').provenance);
  const q = new ReplicationQuota('leader');
  q.updateThrottledFromImage(image, 'leader.replication.throttled.replicas', 1);
  t.ok(q.isThrottled('a', 0) && q.isThrottled('a', 2));
  t.notOk(q.isThrottled('a', 1), "partition 1's entry names broker 2");
  t.ok(q.isThrottled('b', 7));
  t.notOk(q.isThrottled('c', 0), 'a follower list does not throttle the leader side');
  t.ok(q.throttlesAny);
  q.updateThrottledFromImage(MetadataImage.empty('c'), 'leader.replication.throttled.replicas', 1);
  t.notOk(q.throttlesAny, 'configs removed: nothing throttled');
});
