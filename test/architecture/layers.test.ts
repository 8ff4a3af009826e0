// The layering the cluster work relies on, checked on src/'s import graph: network/ serves any
// registry, so it imports neither handlers/ nor broker.ts; handlers reach the node only through
// their context; protocol/ is the bottom layer; the raft core is sans-IO (no I/O modules, no clock,
// randomness or timers of its own), so one seeded simulation can run it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ambientEffects, importGraph, sourceFiles, specifiers } from './import-graph.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const src = path.join(repo, 'src');
const rel = (f: string) => path.relative(repo, f).split(path.sep).join('/');
const graph = importGraph(src);
const edges = [...graph].flatMap(([from, to]) => [...to].map((g) => [rel(from), rel(g)] as const));

/** The imports from files under `from` that `allowed` rejects, as "a -> b" lines. */
function violations(from: string, allowed: (to: string) => boolean): string[] {
  return edges.filter(([f, g]) => f.startsWith(from) && !allowed(g)).map(([f, g]) => `${f} -> ${g}`);
}

t.test('network/ imports neither handlers/ nor broker.ts nor node/', async (t) => {
  t.same(violations('src/network/', (g) => !g.startsWith('src/handlers/') && !g.startsWith('src/node/') && g !== 'src/broker.ts'), []);
});

t.test('handlers/ import neither broker.ts nor node/', async (t) => {
  t.same(violations('src/handlers/', (g) => !g.startsWith('src/node/') && g !== 'src/broker.ts'), []);
});

t.test('protocol/ imports nothing outside protocol/', async (t) => {
  t.same(violations('src/protocol/', (g) => g.startsWith('src/protocol/')), []);
});

t.test('the raft core is sans-IO', async (t) => {
  const dir = path.join(src, 'raft', 'core');
  if (!fs.existsSync(dir)) return t.fail('src/raft/core exists');
  const sansIo = (g: string) => g.startsWith('src/raft/core/') || g === 'src/raft/messages.ts' || g === 'src/protocol/errors.ts';
  t.same(violations('src/raft/core/', sansIo), [], 'imports only the core, raft/messages.ts and protocol/errors.ts');
  const found: string[] = [];
  for (const file of sourceFiles(dir)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const spec of specifiers(file, text)) if (!spec.startsWith('.')) found.push(`${rel(file)} imports ${spec}`);
    for (const e of ambientEffects(file, text)) found.push(`${rel(file)}: ${e}`);
  }
  t.same(found, [], 'no packages or node: modules, no clock, randomness or timers');
});

t.test('the sans-IO check sees the clock, randomness and timers in code, not in comments', async (t) => {
  const text = [
    '// Date.now and Math.random are injected',
    'export const a = Date.now();',
    'export const b = () => Math.random();',
    'setTimeout(() => {}, 1);',
    'export const c = new Date();',
    'export const d = { setTimeout: 1 }.setTimeout;',
  ].join('\n');
  t.same(ambientEffects('x.ts', text), ['Date.now at line 2', 'Math.random at line 3', 'setTimeout at line 4', 'new Date() at line 5']);
});
