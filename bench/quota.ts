// The client quota row: samsa (from source, its own process) with producer_byte_rate=1048576 set by
// Kafka 4.4.0's kafka-configs for one client id, and Kafka's ProducerPerformance under that client
// id at full speed (1 KiB records, acks=1) for 30 MiB: at 1 MiB/s that is 30 s. The row is the rate
// ProducerPerformance reports against the quota, and the producer's own throttle metrics
// (produce-throttle-time-avg/max: the client reporting throttling). Needs java and
// `compat/kafka/broker.sh install`.  Run: npx tsx bench/quota.ts [--seconds 30]
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './compare/brokers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const brokerSh = join(root, 'compat', 'kafka', 'broker.sh');
const QUOTA = 1_048_576;
const RECORD = 1024;
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1] || 30) || 30;
const CLIENT = 'quota-bench';
const WARMUP_S = 15;

function java(cls: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('bash', [brokerSh, 'java', cls, ...args], { maxBuffer: 64 << 20, timeout: 600_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cls}: ${err.message}\n${stdout}\n${stderr}`.slice(-3000))) : resolve(stdout),
    ),
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-quota-bench-'));
  const port = await freePort();
  // samsa from this work tree's source, bundled as `npm run build` bundles it (dist/ is build output).
  const bundle = join(root, 'dist', 'quota-bench', 'samsa.js');
  execFileSync('npx', ['esbuild', 'src/cli.ts', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--log-level=warning', `--outfile=${bundle}`], { cwd: root });
  const boot = `import(${JSON.stringify(bundle)}).then((m) => m.main())`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', boot, 'samsa', '--port', String(port), '--data-dir', join(dir, 'data')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SAMSA_LOG_LEVEL: 'warn' },
  });
  const bootstrap = `127.0.0.1:${port}`;
  try {
    let ready = false;
    for (let i = 0; i < 60 && !ready; i++) {
      try {
        await java('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', bootstrap, '--create', '--topic', 'quota', '--partitions', '1']);
        ready = true;
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    if (!ready) throw new Error('samsa did not start');
    await java('org.apache.kafka.tools.ConfigCommand', ['--bootstrap-server', bootstrap, '--entity-type', 'clients', '--entity-name', CLIENT, '--alter', '--add-config', `producer_byte_rate=${QUOTA}`]);
    // Kafka's rate window (11 x 1 s, at least 10 s) lets a new client send ~10 s of quota at once:
    // the run lasts warm-up + measured seconds, and the row is the rate of ProducerPerformance's
    // 5-second reports over the measured seconds after WARMUP_S.
    const records = Math.round((QUOTA * (WARMUP_S + seconds + 10)) / RECORD);
    const started = Date.now();
    const out = await java('org.apache.kafka.tools.ProducerPerformance', [
      '--topic', 'quota', '--num-records', String(records), '--record-size', String(RECORD), '--throughput', '-1', '--print-metrics',
      '--command-property', `bootstrap.servers=${bootstrap}`, 'acks=1', `client.id=${CLIENT}`,
    ]);
    const wallS = (Date.now() - started) / 1000;
    const m = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), .* ms 50th/.exec(out);
    if (!m) throw new Error(`cannot read ProducerPerformance's summary:\n${out.slice(-2000)}`);
    if (process.env.QUOTA_BENCH_DEBUG) console.log(out);
    const windows = [...out.matchAll(/^(\d+) records sent, ([\d.]+) records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency\.$/gm)].map((w) => ({ n: Number(w[1]), s: Number(w[1]) / Number(w[2]) }));
    let at = 0;
    let n = 0;
    let span = 0;
    for (const w of windows) {
      if (at >= WARMUP_S - 0.5 && span < seconds - 0.5) {
        n += w.n;
        span += w.s;
      }
      at += w.s;
    }
    const metric = (name: string) => Number(new RegExp(`producer-metrics:${name}:\\{client-id=${CLIENT}\\}\\s*:\\s*([\\d.E-]+)`).exec(out)?.[1] ?? NaN);
    if (span < seconds - 1) throw new Error(`only ${span.toFixed(1)} s of reports after the warm-up`);
    const bytesPerSec = (n * RECORD) / span;
    const wholeRunBytesPerSec = Number(m[2]) * RECORD;
    const row = {
      quotaBytesPerSec: QUOTA,
      records,
      recordSize: RECORD,
      producerSeconds: records / Number(m[2]),
      warmupSeconds: WARMUP_S,
      measuredSeconds: span,
      wholeRunBytesPerSec: Math.round(wholeRunBytesPerSec),
      wallSeconds: wallS,
      bytesPerSec: Math.round(bytesPerSec),
      ratioToQuota: bytesPerSec / QUOTA,
      withinTenPercent: Math.abs(bytesPerSec / QUOTA - 1) <= 0.1,
      produceThrottleTimeAvgMs: metric('produce-throttle-time-avg'),
      produceThrottleTimeMaxMs: metric('produce-throttle-time-max'),
      date: new Date().toISOString(),
    };
    console.log('| quota | measured (after warm-up) | bytes/s | vs quota | whole run bytes/s | throttle avg / max ms |');
    console.log('|---|---|---|---|---|---|');
    console.log(
      `| producer_byte_rate=${QUOTA} | ${span.toFixed(1)} s after ${WARMUP_S} s | ${row.bytesPerSec} | ${(row.ratioToQuota * 100).toFixed(1)}% | ${row.wholeRunBytesPerSec} in ${row.producerSeconds.toFixed(1)} s | ${row.produceThrottleTimeAvgMs.toFixed(1)} / ${row.produceThrottleTimeMaxMs.toFixed(0)} |`,
    );
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'quota.json'), JSON.stringify(row, null, 2) + '\n');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
