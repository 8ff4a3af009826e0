// `node --import tsx test/raft/sim-torture.ts [--minutes N] [--seed S]`: the raft simulation for as
// long as asked, from a seed (fresh unless given), with the CI test's settings; prints every failing
// seed with how to replay it and exits non-zero if any failed.
import { resolveSeed } from '../robustness/rng.js';
import { Simulation } from './sim/simulation.js';
import { simOptions } from './sim/options.js';

if (process.env.TAP === '1') {
  process.stdout.write('1..0 # the raft-sim torture entry, not a test\n');
  process.exit(0);
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const minutes = Number(flag('minutes') ?? 10);
const start = resolveSeed(flag('seed'));
const until = Date.now() + minutes * 60_000;
let runs = 0;
let failures = 0;
let events = 0;
for (let seed = start; Date.now() < until; seed = (seed + 1) >>> 0) {
  try {
    events += new Simulation(simOptions(seed)).run().events;
  } catch (e) {
    failures++;
    process.stdout.write(`seed ${seed}: ${(e as Error).message}\nreplay with SAMSA_SIM_SEED=${seed}\n`);
  }
  runs++;
}
process.stdout.write(`raft-sim: ${runs} seeds from ${start}, ${events} events, ${failures} failed\n`);
process.exit(failures > 0 ? 1 : 0);
