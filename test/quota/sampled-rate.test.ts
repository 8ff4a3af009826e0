// The quota rate math on a manual clock: Kafka's Rate over 11 one-second samples (elapsed time at
// least 10 full windows), obsolete samples purged, QuotaUtils' throttle time, and the entity
// precedence of ClientQuotaManager (user+client-id > defaults > user > client-id).
import t from 'tap';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { MetadataImage } from '../../src/metadata/image.js';
import { clientQuotaRecord } from '../../src/quota/client-quota-image.js';
import { ClientQuotaManager } from '../../src/quota/client-quota-manager.js';
import { recordAndThrottleMs, SampledRate } from '../../src/quota/sampled-rate.js';
import { ManualClock } from '../helpers/manual-clock.js';

const config = { samples: 11, windowMs: 1000 };

t.test('a first burst is measured over 10 windows, not over the time elapsed', async (t) => {
  const clock = new ManualClock();
  const rate = new SampledRate(config);
  rate.record(10_000, clock.now());
  t.equal(rate.windowSize(clock.now()), 10_000);
  t.equal(rate.measure(clock.now()), 1000);
  clock.advance(500);
  t.equal(rate.windowSize(clock.now()), 10_500);
});

t.test('steady input under the quota is never throttled; double it and the throttle brings it back', async (t) => {
  const clock = new ManualClock();
  const rate = new SampledRate(config);
  let throttled = 0;
  for (let i = 0; i < 300; i++) {
    throttled += recordAndThrottleMs(rate, 1000, 90, clock.now());
    clock.advance(100); // 900 bytes/s
  }
  t.equal(throttled, 0, 'under the bound: no throttle');
  const fast = new SampledRate(config);
  let last = 0;
  for (let i = 0; i < 300; i++) {
    last = recordAndThrottleMs(fast, 1000, 200, clock.now());
    clock.advance(100); // 2000 bytes/s
  }
  // rate ~2000 over ~11 s: (2000-1000)/1000 * window ~ 11 s of throttle.
  t.ok(last > 9000 && last < 12000, `throttle ${last} ms`);
});

t.test('a client that obeys its throttle time holds the quota', async (t) => {
  const clock = new ManualClock();
  const rate = new SampledRate(config);
  const start = clock.now();
  let sent = 0;
  while (clock.now() - start < 30_000) {
    const ms = recordAndThrottleMs(rate, 1_048_576, 65_536, clock.now());
    sent += 65_536;
    clock.advance(Math.max(ms, 5));
  }
  const observed = sent / ((clock.now() - start) / 1000);
  t.ok(Math.abs(observed - 1_048_576) / 1_048_576 < 0.1, `observed ${Math.round(observed)} B/s`);
});

t.test('samples older than samples*window are purged', async (t) => {
  const clock = new ManualClock();
  const rate = new SampledRate(config);
  rate.record(50_000, clock.now());
  clock.advance(11_000);
  t.equal(rate.measure(clock.now()), 0);
});

t.test('the most specific entity wins, and each tag pair has its own rate', async (t) => {
  const delta = new MetadataDelta(MetadataImage.empty('c'));
  const e = (u?: string | null, c?: string | null) => {
    const m = new Map<string, string | null>();
    if (u !== undefined) m.set('user', u);
    if (c !== undefined) m.set('client-id', c);
    return m;
  };
  for (const [entity, v] of [
    [e('alice', 'app'), 100],
    [e('alice'), 200],
    [e(null), 300],
    [e(undefined, 'app'), 400],
    [e(undefined, null), 500],
    [e(null, 'app'), 600],
  ] as const) delta.replay(clientQuotaRecord(entity, 'producer_byte_rate', v));
  const image = delta.apply({ lastContainedOffset: 5, lastContainedEpoch: 1, lastContainedLogTimeMs: 0 });
  const m = new ClientQuotaManager('producer_byte_rate');
  t.same(m.resolve(image.clientQuotas, 'alice', 'app'), { tags: 'alice\0app', bound: 100 });
  t.same(m.resolve(image.clientQuotas, 'bob', 'app'), { tags: 'bob\0app', bound: 600 }, '<default user, client> before <user>');
  t.same(m.resolve(image.clientQuotas, 'alice', 'other'), { tags: 'alice\0', bound: 200 });
  t.same(m.resolve(image.clientQuotas, 'bob', 'other'), { tags: 'bob\0', bound: 300 });
  t.same(new ClientQuotaManager('consumer_byte_rate').resolve(image.clientQuotas, 'bob', 'other'), { tags: '\0', bound: undefined });
  // Two clients of alice without their own entity share alice's rate.
  const clock = new ManualClock();
  t.equal(m.recordAndGetThrottleTimeMs(image, 'alice', 'x', 2000, clock.now()), 0);
  t.ok(m.recordAndGetThrottleTimeMs(image, 'alice', 'y', 2000, clock.now()) > 0, 'the shared user rate is over 200 B/s');
});
