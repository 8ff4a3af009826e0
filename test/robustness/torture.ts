// `npm run torture -- --minutes N [--seed S] [--only crash|fuzz|raft|cluster|jepsen]`: the crash and
// fuzz loops of the CI tests, the raft simulation, the 3-node metadata cluster torture and the
// Jepsen-style replication run (kills, pauses, network namespaces; needs root) side by side for
// longer (the last three in child processes of their own). Crash torture goes in rounds (a fresh data dir and producer each, verified at
// the end of each round); the fuzz loop is one long run against one broker. Prints a summary with
// the figures bench/FINDINGS.md keeps; exits non-zero when anything was lost, duplicated, hung or
// crashed.
import { describeCrashReport, javaToolsMissing, runCrashTorture, type CrashReport } from './crash-harness.js';
import { describeReport, runFuzz, type FuzzReport } from './fuzz-harness.js';
import { resolveSeed } from './rng.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.env.TAP === '1') {
  process.stdout.write('1..0 # the npm run torture entry, not a test\n');
  process.exit(0);
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const minutes = Number(flag('minutes') ?? 10);
const seed = resolveSeed(flag('seed'));
const only = flag('only'); // 'crash', 'fuzz', 'raft', 'cluster' or 'jepsen'
const runs = (part: string) => only === undefined || only === part;
const KILLS_PER_ROUND = 40;
const say = (l: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${l}\n`);

say(`torture: ${minutes} minute(s), seed ${seed}`);
const until = Date.now() + minutes * 60_000;

async function crashRounds(): Promise<CrashReport[]> {
  const missing = javaToolsMissing();
  if (missing) throw new Error(missing);
  const rounds: CrashReport[] = [];
  for (let round = 0; Date.now() < until - 30_000; round++) {
    const r = await runCrashTorture({ seed: (seed + round) >>> 0, kills: KILLS_PER_ROUND, maxMs: Math.max(10_000, until - Date.now() - 30_000), log: say });
    say(`crash round ${round}:\n${describeCrashReport(r)}`);
    rounds.push(r);
  }
  return rounds;
}

async function fuzz(): Promise<FuzzReport> {
  const r = await runFuzz({ seed, seconds: minutes * 60, log: say });
  say(`fuzz:\n${describeReport(r)}`);
  return r;
}

/** Runs a torture script of its own in a child process, its lines prefixed; resolves to its exit code. */
function child(name: string, script: string, args: string[]): Promise<number> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const p = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const relay = (chunk: Buffer) => {
    for (const l of chunk.toString().split('\n')) if (l.trim()) say(`[${name}] ${l}`);
  };
  p.stdout.on('data', relay);
  p.stderr.on('data', relay);
  return new Promise((resolve) => p.on('close', (code) => resolve(code ?? 1)));
}

// A Jepsen round (faults, then settling) takes about 20 s here.
const jepsenRounds = Math.max(1, Math.round((minutes * 60) / 20));
const [crash, fz, raftCode, clusterCode, jepsenCode] = await Promise.all([
  runs('crash') ? crashRounds() : Promise.resolve([] as CrashReport[]),
  runs('fuzz') ? fuzz() : Promise.resolve(null),
  runs('raft') ? child('raft-sim', '../raft/sim-torture.ts', ['--minutes', String(minutes), '--seed', String(seed)]) : Promise.resolve(0),
  runs('cluster') ? child('cluster', '../cluster/torture.ts', ['--seconds', String(Math.round(minutes * 60)), '--seed', String(seed % 1_000_000)]) : Promise.resolve(0),
  runs('jepsen') ? child('jepsen', '../cluster/jepsen-torture.ts', ['--netns', '--rounds', String(jepsenRounds), '--seed', String(seed % 1_000_000)]) : Promise.resolve(0),
]);

const sum = (f: (r: CrashReport) => number) => crash.reduce((a, r) => a + f(r), 0);
const lines = [`torture summary (${minutes} min, seed ${seed}):`];
if (runs('crash')) {
  lines.push(`  crash: ${crash.length} round(s), ${sum((r) => r.kills)} SIGKILLs, ${sum((r) => r.acked)} records acknowledged, lost ${sum((r) => r.lost.length)}, acknowledged duplicated ${sum((r) => r.duplicatedAcked.length)}, any duplicated ${sum((r) => r.duplicatedAny)}, send errors ${sum((r) => r.sendErrors)}, broker errors ${sum((r) => r.brokerErrors.length)}`);
}
if (fz) {
  lines.push(`  fuzz: ${fz.casesRun} cases, ${fz.failures.length} failures, crash ${fz.crash ? 'YES' : 'no'}, max RSS ${fz.maxRssMiB.toFixed(0)} MiB, bystander ${fz.bystander.ops} rounds / ${fz.bystander.failures.length} failed / slowest ${fz.bystander.maxLatencyMs} ms, broker errors ${fz.brokerErrors.length}`);
  lines.push(`  fuzz outcomes: ${Object.entries(fz.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
if (runs('raft')) lines.push(`  raft simulation: ${raftCode === 0 ? 'no safety violation' : 'FAILED (seeds above)'}`);
if (runs('cluster')) lines.push(`  cluster: ${clusterCode === 0 ? 'no violation' : 'FAILED (above)'}`);
if (runs('jepsen')) lines.push(`  jepsen (${jepsenRounds} rounds): ${jepsenCode === 0 ? 'no anomaly' : 'FAILED (above)'}`);
say(lines.join('\n'));
const bad = raftCode !== 0 || clusterCode !== 0 || jepsenCode !== 0 || sum((r) => r.lost.length + r.duplicatedAcked.length + r.brokerErrors.length) > 0
  || (fz !== null && (fz.failures.length > 0 || fz.crash !== null || fz.bystander.failures.length > 0 || fz.brokerErrors.length > 0));
process.exit(bad ? 1 : 0);
