// Crash torture: Kafka 4.4.0's VerifiableProducer (acks=all, idempotent) against a samsa broker
// (file engine) SIGKILLed and restarted on the same port every few seconds; afterwards every
// acknowledged record must be at its acknowledged offset exactly once. See crash-harness.ts.
//   SAMSA_TORTURE_KILLS  kills (default 15)
//   SAMSA_TORTURE_SEED   the seed of the kill timing (default: a fresh one, printed)
// Needs java and the jars of compat/kafka (fetched by broker.sh install when missing).
import t from 'tap';
import { describeCrashReport, javaToolsMissing, runCrashTorture } from './crash-harness.js';
import { resolveSeed } from './rng.js';

t.setTimeout(600_000);

t.test('acknowledged records survive SIGKILLs of the broker', async (t) => {
  const missing = javaToolsMissing();
  if (missing) return void t.fail(missing);
  const kills = Number(process.env.SAMSA_TORTURE_KILLS ?? 15);
  const seed = resolveSeed(process.env.SAMSA_TORTURE_SEED);
  t.comment(`crash torture seed ${seed} (replay the kill timing: SAMSA_TORTURE_SEED=${seed})`);
  const r = await runCrashTorture({ seed, kills, maxMs: 240_000, log: (l) => t.comment(l) });
  const summary = describeCrashReport(r);
  t.comment(summary);
  t.ok(r.kills >= Math.min(kills, 5), `the broker was killed ${r.kills} times`);
  t.ok(r.acked > 1000, `${r.acked} records acknowledged`);
  t.same(r.lost, [], 'every acknowledged record is at its acknowledged offset');
  t.same(r.duplicatedAcked, [], 'no acknowledged value is in the log twice');
  t.same(r.brokerErrors.map((e) => e.split('\n')[0]), [], 'the broker logged no errors');
});
