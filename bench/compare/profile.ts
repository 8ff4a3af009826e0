// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, and
// the inclusive time of the functions that match a filter, so FINDINGS can say where a broker spends
// its CPU.   node dist/bench/compare/profile.js FILE.cpuprofile [--top N] [--match REGEX]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  selfMs: number;
  totalMs: number;
}

function frameName(n: ProfileNode, root: string): string {
  const f = n.callFrame;
  const fn = f.functionName || '(anonymous)';
  if (!f.url) return fn;
  const path = f.url.startsWith('file://') ? relative(root, decodeURIComponent(new URL(f.url).pathname)) : f.url;
  return `${fn} ${path}:${f.lineNumber + 1}`;
}

/** Self and inclusive milliseconds per function (recursion counted once), and the profile's total. */
export function summariseProfile(p: CpuProfile, root: string): { totalMs: number; functions: FunctionTime[] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; charge each sample the gap that follows it.
  for (let i = 0; i < p.samples.length; i++) {
    const dt = i + 1 < p.timeDeltas.length ? p.timeDeltas[i + 1] : 0;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + Math.max(0, dt));
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    totalUs += us;
    const n = byId.get(id)!;
    const name = frameName(n, root);
    self.set(name, (self.get(name) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const nm = frameName(byId.get(cur)!, root);
      if (seen.has(nm)) continue;
      seen.add(nm);
      total.set(nm, (total.get(nm) ?? 0) + us);
    }
  }
  const functions = [...total.keys()].map((name) => ({ name, selfMs: (self.get(name) ?? 0) / 1000, totalMs: total.get(name)! / 1000 }));
  return { totalMs: totalUs / 1000, functions };
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: node dist/bench/compare/profile.js FILE.cpuprofile [--top N] [--match REGEX]\n');
    process.exit(2);
  }
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const top = Number(flag('--top') ?? 25);
  const match = new RegExp(flag('--match') ?? '^(?!\\()');
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { totalMs, functions } = summariseProfile(p, process.cwd());
  const idle = functions.find((f) => f.name === '(idle)')?.selfMs ?? 0;
  const busy = totalMs - idle;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)} %`;
  process.stdout.write(`${file}: ${(totalMs / 1000).toFixed(1)} s profiled, ${(busy / 1000).toFixed(1)} s busy (not idle)\n\n`);
  process.stdout.write('self time (share of busy time)\n');
  for (const f of [...functions].filter((f) => f.name !== '(idle)').sort((a, b) => b.selfMs - a.selfMs).slice(0, top)) {
    process.stdout.write(`  ${f.selfMs.toFixed(0).padStart(7)} ms ${pct(f.selfMs)}  ${f.name}\n`);
  }
  process.stdout.write(`\ninclusive time of functions matching ${match}\n`);
  for (const f of functions.filter((f) => match.test(f.name) && f.name !== '(root)').sort((a, b) => b.totalMs - a.totalMs).slice(0, top)) {
    process.stdout.write(`  ${f.totalMs.toFixed(0).padStart(7)} ms ${pct(f.totalMs)}  ${f.name}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
