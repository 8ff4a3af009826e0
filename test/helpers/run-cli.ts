// Source-level entry for the `samsa` command, so tests run the CLI without a build:
// `node --import tsx test/helpers/run-cli.ts [flags]` behaves like `node bin/samsa.js [flags]`.
import { main } from '../../src/cli.js';

// tap's default file set includes everything under test/: when tap itself loads this file
// (rather than cli-broker.ts spawning it), report a skip instead of starting a broker.
if (process.env.TAP === '1' && process.env.SAMSA_TEST_CLI !== '1') {
  process.stdout.write('1..0 # the CLI entry used by the e2e tests, not a test\n');
} else {
  await main();
}
