// producer_byte_rate as a saturating client meets it (issue #17: 1 MB/s within 10% over 30 s), on a
// manual clock: a producer that always has data sends 16 KiB requests, five at a time when it may,
// and waits out each throttle_time_ms as the Java client does. Kafka's Rate lets such a client burst
// a window's worth each time old samples expire and then trickle, so 30 s after a 15 s warm-up read
// 75% of the quota (the figure samsa's bench measured with it); the broker's meter holds it within 10%
// in every 30-s span, and still lets an idle client burst (quota x (samples - 1) windows).
import t from 'tap';
import { ClientQuotasDelta, ClientQuotasImage } from '../../src/quota/client-quota-image.js';
import { QuotaManagers } from '../../src/quota/quota-managers.js';
import type { MetadataImage } from '../../src/metadata/image.js';

const QUOTA = 1_048_576;
const REQUEST = 16 * 1024 + 120;

function imageWith(clientId: string): MetadataImage {
  const d = new ClientQuotasDelta(ClientQuotasImage.EMPTY);
  d.replay({ entity: [{ entityType: 'client-id', entityName: clientId }], key: 'producer_byte_rate', value: QUOTA, remove: false });
  return { clientQuotas: d.apply() } as unknown as MetadataImage;
}

/** Bytes taken in each second of `seconds` by a client that sends `burst` requests whenever not throttled. */
function saturate(throttleFor: (bytes: number, nowMs: number) => number, seconds: number, burst = 5): number[] {
  const perSecond = new Array<number>(seconds).fill(0);
  let now = 0;
  while (now < seconds * 1000) {
    let wait = 0;
    for (let i = 0; i < burst; i++) {
      wait = Math.max(wait, throttleFor(REQUEST, now));
      perSecond[Math.floor(now / 1000)] += REQUEST;
    }
    now += Math.max(wait, 2);
  }
  return perSecond;
}

const share = (perSecond: number[], from: number, to: number) => perSecond.slice(from, to).reduce((a, b) => a + b, 0) / (to - from) / QUOTA;

t.test('a saturating producer is held at producer_byte_rate in every 30-s span after its burst', async (t) => {
  const quotas = new QuotaManagers({ samples: 11, windowMs: 1000 });
  const image = imageWith('perf');
  const perSecond = saturate((bytes, now) => quotas.produce.recordAndGetThrottleTimeMs(image, 'ANONYMOUS', 'perf', bytes, now), 200);
  t.ok(share(perSecond, 0, 1) > 5, `an idle client may burst first (${(share(perSecond, 0, 1) * 100).toFixed(0)}% of the quota in its first second)`);
  const spans: number[] = [];
  for (let from = 15; from + 30 <= 200; from++) spans.push(share(perSecond, from, from + 30));
  const low = Math.min(...spans);
  const high = Math.max(...spans);
  t.ok(low >= 0.9 && high <= 1.1, `every 30-s span from 15 s on within 10% of the quota (${(low * 100).toFixed(1)}%-${(high * 100).toFixed(1)}%)`);
  const other = quotas.produce.recordAndGetThrottleTimeMs(image, 'ANONYMOUS', 'someone-else', 50 * QUOTA, 1000);
  t.equal(other, 0, 'a client without a quota is never throttled');
});
