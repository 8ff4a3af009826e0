#!/usr/bin/env node
// Runs the compiled broker; `npm ci` builds it (the package's prepare script).
import { existsSync } from 'node:fs';
const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('samsa: not built yet; run `npm ci` or `npm run build` first\n');
  process.exit(1);
}
const { main } = await import(cli.href);
await main();
