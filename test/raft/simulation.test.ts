// Thousands of seeded schedules of a KRaft quorum (3 and 5 voters plus an observer) under message
// loss, delay, duplication, reordering, partitions, crashes with torn writes, graceful resignations
// and snapshots; every step is checked for Raft's safety properties, and after healing a leader
// must commit on every node within bounded virtual time. SAMSA_SIM_SEEDS sets how many seeds;
// SAMSA_SIM_SEED replays one.
import t from 'tap';
import { SafetyViolation } from './sim/checker.js';
import { simOptions } from './sim/options.js';
import { Simulation, type SimOptions } from './sim/simulation.js';

const replay = process.env.SAMSA_SIM_SEED;
const seeds = Number(process.env.SAMSA_SIM_SEEDS ?? 4000);


function runSeed(opts: SimOptions): string | undefined {
  try {
    new Simulation(opts).run();
    return undefined;
  } catch (e) {
    return `seed ${opts.seed} (${opts.voters} voters): ${(e as Error).message}\nreplay with SAMSA_SIM_SEED=${opts.seed}`;
  }
}

t.test('safety and liveness over seeded schedules', async (t) => {
  const list = replay !== undefined ? [Number(replay)] : Array.from({ length: seeds }, (_, i) => i + 1);
  const failures: string[] = [];
  for (const seed of list) {
    const f = runSeed(simOptions(seed));
    if (f !== undefined) failures.push(f);
    if (failures.length >= 3) break;
  }
  t.same(failures, [], failures.join('\n'));
  t.ok(list.length > 0);
});

/** The first violation a broken rule causes over the first seeds. */
function firstViolation(unsafe: SimOptions['unsafe']): Error | undefined {
  for (let seed = 1; seed <= 300; seed++) {
    try {
      new Simulation({ ...simOptions(seed), unsafe }).run();
    } catch (e) {
      return e as Error;
    }
  }
  return undefined;
}

t.test('a node granting two votes in one epoch is caught', async (t) => {
  const caught = firstViolation({ grantTwoVotesPerEpoch: true });
  t.ok(caught instanceof SafetyViolation, `the checker reports a violation (${caught?.message})`);
});

t.test('votes granted without comparing logs are caught (a leader lacks a committed entry)', async (t) => {
  const caught = firstViolation({ skipLogCheckOnVote: true });
  t.ok(caught instanceof SafetyViolation, `the checker reports a violation (${caught?.message})`);
});

t.test('the same seed replays the same run', async (t) => {
  const a = new Simulation(simOptions(42)).run();
  const b = new Simulation(simOptions(42)).run();
  t.same(a, b);
});
