#!/usr/bin/env node
// Runs the compiled broker; `npm ci` builds it (the package's prepare script). The CLI is one
// bundled file: Node loads it several times faster than the ~330 modules tsc emits.
import { existsSync } from 'node:fs';
const cli = new URL('../dist/samsa.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('samsa: not built yet; run `npm ci` or `npm run build` first\n');
  process.exit(1);
}
const { main } = await import(cli.href);
await main();
