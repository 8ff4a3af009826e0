// KIP-599's token bucket and the controller mutation quota on a manual clock, against Kafka's
// TokenBucket (burst = samples x window x quota, refilled at the quota, may go below zero) and
// ControllerMutationQuotaManager (strict: refused only once below zero; permissive: never refused;
// throttle = -tokens / quota seconds, less the time since it was recorded).
import t from 'tap';
import { TokenBucket, tokenThrottleMs } from '../../src/quota/token-bucket.js';
import { ControllerMutationQuotaManager } from '../../src/quota/controller-mutation-quota.js';
import { ClientQuotasDelta, ClientQuotasImage } from '../../src/quota/client-quota-image.js';
import type { MetadataImage } from '../../src/metadata/image.js';

t.test('the bucket starts full, refills at the quota and goes below zero', async (t) => {
  // quota 2/s, 2 samples of 1 s: a burst of 4.
  const b = new TokenBucket(2, 0, 2);
  t.equal(b.measure(2, 0), 4);
  b.record(2, 3, 0);
  t.equal(b.measure(2, 0), 1);
  t.equal(b.measure(2, 1000), 3, 'two tokens a second later');
  t.equal(b.measure(2, 60_000), 4, 'never above the burst');
  b.record(2, 10, 60_000);
  t.equal(b.measure(2, 60_000), -6);
  t.equal(tokenThrottleMs(-6, 2), 3000, 'six tokens short at 2/s: 3 s');
});

function imageWith(clientId: string, rate: number): MetadataImage {
  const d = new ClientQuotasDelta(ClientQuotasImage.EMPTY);
  d.replay({ entity: [{ entityType: 'client-id', entityName: clientId }], key: 'controller_mutation_rate', value: rate, remove: false });
  return { clientQuotas: d.apply() } as unknown as MetadataImage;
}

t.test('strict and permissive quotas (ControllerMutationQuotaManager)', async (t) => {
  let now = 1_000_000;
  const m = new ControllerMutationQuotaManager({ samples: 11, windowMs: 1000 }, () => now);
  const image = imageWith('admin', 1);
  const strict = m.quotaFor(image, 'ANONYMOUS', 'admin', true);
  t.ok(strict.record(10), '10 of the 11 tokens');
  t.ok(strict.record(5), 'one token left: still allowed, the bucket goes to -4');
  t.equal(strict.throttleTimeMs(), 0, 'no throttle until a refusal');
  t.notOk(strict.record(1), 'below zero: refused');
  t.equal(strict.throttleTimeMs(), 4000);
  now += 1500;
  t.equal(strict.throttleTimeMs(), 2500, 'less the time since');

  const permissive = m.quotaFor(image, 'ANONYMOUS', 'admin', false);
  t.ok(permissive.record(3), 'a permissive quota never refuses');
  t.ok(permissive.throttleTimeMs() > 0, `but throttles: ${permissive.throttleTimeMs()} ms`);

  const other = m.quotaFor(image, 'ANONYMOUS', 'someone-else', true);
  t.ok(other.record(1000), 'a client without the quota is unbounded');
  t.equal(other.throttleTimeMs(), 0);
});
