// npm run check:cycles [dir]: lists every import cycle under src/ (type-only imports count), each with
// one path through it and all its files, and exits 1 if there is any.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importGraph, findCycles, describeCycle } from './import-graph.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const root = path.resolve(repo, process.argv[2] ?? 'src');
const graph = importGraph(root);
const cycles = findCycles(graph);
for (const c of cycles) {
  console.log(`cycle: ${describeCycle(c, repo)}`);
  for (const f of c.files) console.log(`  ${path.relative(repo, f)}`);
}
console.log(`${graph.size} files, ${cycles.length} import cycle${cycles.length === 1 ? '' : 's'}`);
process.exitCode = cycles.length > 0 ? 1 : 0;
