// The tap side of the fuzz run, shared by fuzz.test.ts and fuzz-2.test.ts: each file runs one
// shard of the case numbers (tap runs the two files side by side), for SAMSA_FUZZ_SECONDS.
//   SAMSA_FUZZ_SECONDS  wall time of each shard's loop (default 90)
//   SAMSA_FUZZ_SEED     the seed (default: a fixed one, so CI runs the same cases each time and a
//                       failure there is a change's; "random" for a fresh one, printed)
//   SAMSA_FUZZ_CASES    comma-separated case numbers to replay instead of a timed run
//   SAMSA_FUZZ_RSS_MIB  the broker's RSS limit (default 512)
import type { Test } from 'tap';
import { describeReport, runFuzz } from './fuzz-harness.js';
import { loadCorpus, uncoveredApis } from './corpus.js';
import { resolveSeed } from './rng.js';

/**
 * ERROR entries that follow from a finding reported and not yet fixed: listed in the output, not
 * failed on. Anything else the broker logs at ERROR fails the run.
 */
const KNOWN_ERRORS: { pattern: RegExp; why: string }[] = [
  {
    pattern: /cleaning \S+ failed, it will not be cleaned again until restart: Failed to decompress/,
    why: 'produce validates batch headers only, so a compressed batch whose payload does not decompress (CRC made right) is appended; Kafka\'s LogValidator decompresses and answers CORRUPT_MESSAGE',
  },
];

/** The whole file's limit (tap's default of 120 s is less than a fuzz run with its set-up). */
export function fuzzFileTimeoutMs(): number {
  return (Number(process.env.SAMSA_FUZZ_SECONDS ?? 90) + 300) * 1000;
}

/** The seed of `npm test` runs: npm run torture and SAMSA_FUZZ_SEED=random explore others. */
const CI_SEED = 20261206;

export async function fuzzShard(t: Test, shard: number, shards: number): Promise<void> {
  const seconds = Number(process.env.SAMSA_FUZZ_SECONDS ?? 90);
  const rssLimit = Number(process.env.SAMSA_FUZZ_RSS_MIB ?? 512);
  const given = process.env.SAMSA_FUZZ_SEED;
  const seed = resolveSeed(given === 'random' ? undefined : given ?? String(CI_SEED));
  const cases = process.env.SAMSA_FUZZ_CASES ? process.env.SAMSA_FUZZ_CASES.split(',').map(Number) : undefined;
  t.setTimeout(fuzzFileTimeoutMs());
  t.comment(`fuzz seed ${seed} (replay: SAMSA_FUZZ_SEED=${seed}; one case: SAMSA_FUZZ_CASES=N)`);

  const corpus = await loadCorpus();
  t.same(uncoveredApis(corpus), [], 'every API the broker serves has seed frames');
  const clientOnly = uncoveredApis(corpus, ['kafkajs', 'java']);
  if (clientOnly.length > 0) {
    t.comment(`APIs with no kafkajs or Java frame (fuzzed from synthesized frames; recapture with capture-java-frames.ts): ${clientOnly.join(', ')}`);
  }

  const r = await runFuzz({ seed, seconds, shard: cases ? 0 : shard, shards: cases ? 1 : shards, cases, corpus, log: (l) => t.comment(l) });
  const summary = describeReport(r);
  t.comment(summary);
  t.ok(r.casesRun > 0, `${r.casesRun} cases run`);
  t.equal(r.crash, null, 'the broker process stayed up', { report: summary });
  t.same(r.failures.map((f) => `case ${f.index} ${f.kind}: ${f.detail}`), [], 'every mutated connection was answered well or closed, in time');
  t.same(r.bystander.failures, [], `the bystander client was answered correctly throughout (${r.bystander.ops} rounds)`);
  t.ok(r.maxRssMiB < rssLimit, `broker RSS stayed under ${rssLimit} MiB (max ${r.maxRssMiB.toFixed(0)} MiB)`);
  const known = r.brokerErrors.filter((e) => KNOWN_ERRORS.some((k) => k.pattern.test(e)));
  for (const e of known) t.comment(`known finding: ${e.split('\n')[0]} (${KNOWN_ERRORS.find((k) => k.pattern.test(e))!.why})`);
  t.same(r.brokerErrors.filter((e) => !known.includes(e)).map((e) => e.split('\n')[0]), [], 'the broker logged no errors (a handler that throws is a bug)');
}
