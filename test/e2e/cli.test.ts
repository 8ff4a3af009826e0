// The `samsa` command: the ready line with the real port and start-up time, clean exits on
// SIGTERM and SIGINT, advertised address in Metadata, and one-line errors (no stack trace,
// non-zero exit) for bad flags, a bad config value, an unusable data dir and a taken port.
import t, { type Test } from 'tap';
import net from 'node:net';
import { writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { spawnBroker, runCli, distIsFresh, type CliVia } from '../helpers/cli-broker.js';
import { WireConnection, parseApiVersionsResponse, metadataV1Body, parseMetadataV1Response } from '../helpers/wire.js';

async function answersApiVersions(t: Test, host: string, port: number) {
  const c = await WireConnection.connect(host, port);
  try {
    const av = parseApiVersionsResponse(await c.request(18, 0, Buffer.alloc(0)), 0);
    t.equal(av.errorCode, 0, `a Kafka client is answered on ${host}:${port}`);
  } finally {
    c.destroy();
  }
}

async function readyAndStop(t: Test, args: string[], signal: NodeJS.Signals, via: CliVia = 'source') {
  const b = await spawnBroker(t, args, { via });
  t.match(b.readyLine, /listening on 127\.0\.0\.1:\d+/, 'prints the listening line');
  t.ok(b.port > 0 && b.port < 65536, `with the real port (${b.port}), not 0`);
  t.match(b.readyLine, /listening on \S+ .*\d+(\.\d+)? ?ms/, 'and the start-up time');
  await answersApiVersions(t, b.host, b.port);
  const exit = await b.stop(signal);
  t.same(exit, { code: 0, signal: null }, `${signal} exits 0`);
  t.notMatch(b.stderr(), /\n\s+at /, 'no stack trace on stderr');
}

/** The broker's own log lines (`[ISO time] LEVEL message`), which may precede a start-up failure. */
const LOG_LINE = /^\[\d{4}-\d\d-\d\dT[^\]]*\] (DEBUG|INFO|WARN) /;

/** One line on stderr naming the problem (besides routine log lines), no stack trace, non-zero exit. */
async function failsCleanly(t: Test, args: string[], mentions: RegExp) {
  // Generous: seven of these start at once under tsx, on a machine other test files load too.
  const r = await runCli(args, { timeoutMs: 90_000 });
  t.notOk(r.timedOut, `${args.join(' ')}: exits by itself`);
  t.ok(r.code !== 0 && r.code !== null, `${args.join(' ')}: non-zero exit (${r.code})`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !LOG_LINE.test(l));
  t.equal(lines.length, 1, `${args.join(' ')}: one line on stderr, got ${JSON.stringify(r.stderr)}`);
  t.match(lines[0] ?? '', mentions, `${args.join(' ')}: the line names the problem`);
  t.notMatch(r.stderr, /^\s+at /m, `${args.join(' ')}: no stack trace`);
  t.notMatch(r.stdout, /listening on/, `${args.join(' ')}: never claims to listen`);
}

t.test('--port 0 prints the real port; SIGTERM exits 0', (t) => readyAndStop(t, ['--port', '0', '--memory'], 'SIGTERM'));

t.test('SIGINT exits 0 (with a data dir)', (t) => readyAndStop(t, ['--port', '0', '--data-dir', tempDir(t)], 'SIGINT'));

t.test('--flag=value form and --advertised-host/--advertised-port reach Metadata', async (t) => {
  const b = await spawnBroker(t, ['--port=0', '--memory', '--advertised-host', 'kafka.example.test', '--advertised-port=19092']);
  const c = await WireConnection.connect(b.host, b.port);
  try {
    const md = parseMetadataV1Response(await c.request(3, 1, metadataV1Body(null)));
    t.same(md.brokers.map((x) => [x.host, x.port]), [['kafka.example.test', 19092]], 'Metadata advertises the given address');
  } finally {
    c.destroy();
  }
  t.same(await b.stop('SIGTERM'), { code: 0, signal: null });
});

t.test('--config sets broker configs', async (t) => {
  const b = await spawnBroker(t, ['--port', '0', '--memory', '--config', 'num.partitions=4']);
  const c = await WireConnection.connect(b.host, b.port);
  try {
    // Metadata v1 cannot opt out of auto-creation: the topic appears with num.partitions partitions.
    const md = parseMetadataV1Response(await c.request(3, 1, metadataV1Body(['auto-created'])));
    t.same(md.topics.map((x) => [x.name, x.errorCode, x.partitions.length]), [['auto-created', 0, 4]]);
  } finally {
    c.destroy();
  }
  await b.stop('SIGTERM');
});

t.test('bad flags: one line on stderr, non-zero exit', async (t) => {
  const file = path.join(tempDir(t), 'a-regular-file');
  writeFileSync(file, 'not a directory');
  await Promise.all([
    failsCleanly(t, ['--port', 'abc', '--memory'], /port/),
    failsCleanly(t, ['--port', '70000', '--memory'], /port|70000/),
    failsCleanly(t, ['--port', '--memory'], /port/),
    failsCleanly(t, ['--bogus'], /bogus/),
    failsCleanly(t, ['--memory', 'stray'], /stray/),
    failsCleanly(t, ['--config', 'nonsense', '--memory'], /nonsense|key=value/),
    failsCleanly(t, ['--memory', '--data-dir', file], /memory|data-dir/),
  ]);
});

t.test('a bad config value stops start-up, as Kafka refuses to start', (t) =>
  failsCleanly(t, ['--port', '0', '--memory', '--config', 'num.partitions=many'], /num\.partitions/));

t.test('an unusable data dir: one line, non-zero exit', async (t) => {
  const file = path.join(tempDir(t), 'a-regular-file');
  writeFileSync(file, 'not a directory');
  await failsCleanly(t, ['--port', '0', '--data-dir', path.join(file, 'data')], /a-regular-file|ENOTDIR|not a directory/i);
  t.notOk(existsSync(path.join(file, 'data')), 'nothing created');
});

t.test('a port in use: one line, non-zero exit', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as net.AddressInfo).port;
  await failsCleanly(t, ['--port', String(port), '--memory'], new RegExp(`EADDRINUSE|${port}|in use`, 'i'));
});

t.test('--help prints usage and exits 0', async (t) => {
  const r = await runCli(['--help']);
  t.equal(r.code, 0);
  t.match(r.stdout, /usage: samsa/);
  t.equal(r.stderr, '');
});

// CI builds dist/ in `npm ci` (the prepare script); a working tree mid-edit may not have it.
t.test(
  'bin/samsa.js (the installed command) starts and stops',
  { skip: distIsFresh() ? false : 'dist/ is missing or older than src/: run `npm run build` to test bin/samsa.js' },
  (t) => readyAndStop(t, ['--port', '0', '--memory'], 'SIGTERM', 'bin'),
);
