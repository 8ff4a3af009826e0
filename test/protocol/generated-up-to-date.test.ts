// The committed codecs must be exactly what the generator makes from the committed schemas,
// so a schema change without `npm run generate` fails here.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = new URL('../../', import.meta.url).pathname;

t.test('src/protocol/generated and errors.ts match the generator output', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'samsa-gen-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  execFileSync(process.execPath, ['--import', 'tsx', 'protocol/generate.ts', '--out', out], { cwd: repo, stdio: 'pipe' });

  const dir = 'src/protocol/generated';
  const fresh = readdirSync(join(out, dir)).sort();
  const committed = readdirSync(join(repo, dir)).sort();
  t.same(committed, fresh, 'same set of generated files');
  t.ok(fresh.length > 200, `${fresh.length} generated files`);
  for (const f of [...fresh.map((f) => `${dir}/${f}`), 'src/protocol/errors.ts']) {
    let current: string;
    try {
      current = readFileSync(join(repo, f), 'utf8');
    } catch {
      t.fail(`${f} is missing; run npm run generate`);
      continue;
    }
    if (current !== readFileSync(join(out, f), 'utf8')) t.fail(`${f} is stale; run npm run generate`);
  }
});
