// The import graph of src/ has no cycles (type-only imports count: they tie modules together as much).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { describeCycle, findCycles, importGraph } from './import-graph.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const src = path.join(repo, 'src');
const graph = importGraph(src);

t.test('src/ has no import cycles', async (t) => {
  t.ok(graph.size > 100, `the graph holds src/'s ${graph.size} files`);
  const cycles = findCycles(graph);
  t.same(cycles.map((c) => describeCycle(c, repo)), [], 'no cycles (npm run check:cycles lists each with its files)');
});

t.test('the checker finds cycles made of type-only imports, re-exports and import types', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-cycles-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  // a -> b (type only) -> c (re-export) -> a (import type expression): one cycle of three.
  write('a.ts', "import type { B } from './b.js';\nexport const a = 1;\nexport type A = B;\n");
  write('b.ts', "export * from './sub/c.js';\nexport interface B { x: number }\n");
  write('sub/c.ts', "export type C = import('../a.js').A;\n");
  // d -> e, no way back; f imports itself.
  write('d.ts', "import { e } from './e.js';\nexport const d = e;\n");
  write('e.ts', "import fs from 'node:fs';\nexport const e = fs.constants.F_OK;\n");
  write('f.ts', "import { f as g } from './f.js';\nexport const f = 1;\nexport const h = () => g;\n");
  const cycles = findCycles(importGraph(dir));
  t.same(
    cycles.map((c) => c.files.map((f) => path.relative(dir, f))),
    [['a.ts', 'b.ts', path.join('sub', 'c.ts')], ['f.ts']],
  );
  t.equal(describeCycle(cycles[0], dir), '3 files, e.g. a.ts -> b.ts -> sub/c.ts -> a.ts');
});
