// The command-line conventions: --version, --help listing the common configs from the config table,
// --log-level and --log-format (lines or JSON on stderr; stdout keeps only the ready line).
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brokerConfigDef } from '../../src/config.js';
import { COMMON_CONFIGS } from '../../src/cli-help.js';
import { REPO_ROOT, runCli, spawnBroker } from '../helpers/cli-broker.js';

t.setTimeout(240_000);
const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

t.test('--version prints the package version and the Kafka version it speaks', async (t) => {
  const r = await runCli(['--version'], { timeoutMs: 60_000 });
  t.equal(r.code, 0);
  t.equal(r.stdout, `samsa ${pkg.version} (Apache Kafka 4.4.0 protocol; Node ${process.version})\n`);
  t.equal(r.stderr, '');
});

t.test('--help lists the common configs with the config table\'s defaults and docs', async (t) => {
  const r = await runCli(['--help'], { timeoutMs: 60_000 });
  t.equal(r.code, 0);
  t.match(r.stdout, /^usage: samsa \[server\.properties\]/);
  t.match(r.stdout, /--log-format/);
  t.match(r.stdout, /KAFKA_<NAME>/, 'the Docker environment convention');
  for (const name of COMMON_CONFIGS) {
    const def = brokerConfigDef(name);
    t.ok(def, `${name} is in the config table`);
    const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith(name + ' '));
    t.ok(line, `--help lists ${name}`);
    if (def?.doc) t.ok(line?.includes(def.doc), `${name}: its doc from the table`);
    if (def?.default) t.ok(line?.endsWith(`(default ${def.default})`), `${name}: its default from the table`);
  }
});

t.test('bad --log-level and --log-format values are usage errors', async (t) => {
  const level = await runCli(['--log-level', 'loud'], { timeoutMs: 60_000 });
  t.equal(level.code, 2);
  t.match(level.stderr, /--log-level: 'loud' is not one of debug, info, warn, error/);
  const format = await runCli(['--log-format=xml'], { timeoutMs: 60_000 });
  t.equal(format.code, 2);
  t.match(format.stderr, /--log-format: 'xml' is not text or json/);
});

t.test('--log-format json: one JSON object a line on stderr', async (t) => {
  const b = await spawnBroker(t, ['--port', '0', '--memory', '--log-format', 'json', '--log-level', 'debug', '--config', 'num.partitions=2'], { timeoutMs: 120_000 });
  const exit = await b.stop('SIGTERM', 60_000);
  t.equal(exit.code, 0);
  t.match(b.stdout(), /^samsa listening on /, 'stdout keeps the plain ready line');
  const lines = b.stderr().split('\n').filter((l) => l !== '');
  t.ok(lines.length > 0, 'it logged');
  for (const l of lines) {
    let o: { time?: unknown; level?: unknown; message?: unknown } | undefined;
    try {
      o = JSON.parse(l);
    } catch {
      t.fail(`not JSON: ${l}`);
      continue;
    }
    t.ok(typeof o?.time === 'string' && !Number.isNaN(Date.parse(o.time as string)), 'time is an ISO date');
    t.ok(['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(o?.level as string), 'level');
    t.type(o?.message, 'string');
  }
  t.ok(lines.some((l) => JSON.parse(l).message === 'SIGTERM: shutting down'), 'the shutdown line');
});

t.test('--log-level warn drops info lines; text lines by default', async (t) => {
  const quiet = await spawnBroker(t, ['--port', '0', '--memory', '--log-level', 'warn'], { timeoutMs: 120_000 });
  t.equal((await quiet.stop('SIGTERM', 60_000)).code, 0);
  t.notMatch(quiet.stderr(), /INFO/, 'no INFO line at warn');
  const chatty = await spawnBroker(t, ['--port', '0', '--memory'], { timeoutMs: 120_000 });
  t.equal((await chatty.stop('SIGTERM', 60_000)).code, 0);
  t.match(chatty.stderr(), /^\[\d{4}-\d\d-\d\dT[^\]]+\] INFO SIGTERM: shutting down$/m, 'a text line');
});
