// The client quota row for samsa alone: samsa (from source, its own process) with
// producer_byte_rate=1048576 set by Kafka 4.4.0's kafka-configs for one client id, and Kafka's
// ProducerPerformance under that client id at full speed (1 KiB records, acks=1), measured as
// bench/compare/quota.ts measures both brokers: the broker's intake from its log end offset over
// --seconds after 15 s, and the producer's produce-throttle-time-avg/max. --runs N (3) repeats it
// with a fresh broker each time; the row is the median. `npm run bench:compare -- --only quota`
// runs the same against Kafka 4.4 side by side. Needs java and `compat/kafka/broker.sh install`.
// Run: npx tsx bench/quota.ts [--seconds 30] [--runs 3]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { negotiateVersions } from './admin.js';
import { Connection } from './connection.js';
import { freePort } from './compare/brokers.js';
import { quotaProduce, type QuotaFigures } from './compare/quota.js';
import { createReadyTopic } from './compare/topics.js';
import { median } from './report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const brokerSh = join(root, 'compat', 'kafka', 'broker.sh');
const QUOTA = 1_048_576;
const WARMUP_S = 15;
const flag = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) || dflt : dflt;
};
const seconds = flag('--seconds', 30);
const runs = flag('--runs', 3);

/** One run against a fresh samsa process. */
async function once(bundle: string, run: number): Promise<QuotaFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-quota-bench-'));
  const port = await freePort();
  const boot = `import(${JSON.stringify(bundle)}).then((m) => m.main())`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', boot, 'samsa', '--port', String(port), '--data-dir', join(dir, 'data')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SAMSA_LOG_LEVEL: 'warn' },
  });
  const bootstrap = `127.0.0.1:${port}`;
  let conn: Connection | null = null;
  try {
    for (let i = 0; i < 60 && conn === null; i++) {
      try {
        conn = await Connection.connect('127.0.0.1', port);
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (conn === null) throw new Error('samsa did not start');
    const v = await negotiateVersions(conn);
    await createReadyTopic(conn, v, 'quota', 1);
    return await quotaProduce({ brokerSh, conn, bootstrap, topic: 'quota', clientId: `quota-bench-${run}`, quotaBytesPerSec: QUOTA, warmupSeconds: WARMUP_S, seconds });
  } finally {
    conn?.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  // samsa from this work tree's source, bundled as `npm run build` bundles it (dist/ is build output).
  const bundle = join(root, 'dist', 'quota-bench', 'samsa.js');
  execFileSync('npx', ['esbuild', 'src/cli.ts', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--log-level=warning', `--outfile=${bundle}`], { cwd: root });
  execFileSync('bash', [brokerSh, 'install'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const all: QuotaFigures[] = [];
  for (let r = 0; r < runs; r++) {
    const f = await once(bundle, r);
    all.push(f);
    process.stderr.write(`quota run ${r + 1}: ${f.percentOfQuota.toFixed(1)}% of the quota over ${f.measuredSeconds.toFixed(1)} s (1-s p10 ${f.perSecondP10.toFixed(0)}%, p90 ${f.perSecondP90.toFixed(0)}%), throttle avg ${f.throttleAvgMs.toFixed(1)} ms, max ${f.throttleMaxMs.toFixed(0)} ms\n`);
  }
  const med = (k: keyof QuotaFigures) => median(all.map((f) => f[k]));
  const row = {
    quotaBytesPerSec: QUOTA,
    recordSize: 1024,
    warmupSeconds: WARMUP_S,
    measuredSeconds: seconds,
    runs,
    percentOfQuota: med('percentOfQuota'),
    withinTenPercent: Math.abs(med('percentOfQuota') - 100) <= 10,
    perSecondP10: med('perSecondP10'),
    perSecondP90: med('perSecondP90'),
    produceThrottleTimeAvgMs: med('throttleAvgMs'),
    produceThrottleTimeMaxMs: med('throttleMaxMs'),
    perRun: all,
    date: new Date().toISOString(),
  };
  console.log(`| quota | runs | intake over ${seconds} s after ${WARMUP_S} s (median) | per run | 1-s p10 / p90 | throttle avg / max ms |`);
  console.log('|---|---|---|---|---|---|');
  console.log(
    `| producer_byte_rate=${QUOTA} | ${runs} | ${row.percentOfQuota.toFixed(1)}% | ${all.map((f) => f.percentOfQuota.toFixed(1)).join(' / ')} | ` +
      `${row.perSecondP10.toFixed(0)}% / ${row.perSecondP90.toFixed(0)}% | ${row.produceThrottleTimeAvgMs.toFixed(1)} / ${row.produceThrottleTimeMaxMs.toFixed(0)} |`,
  );
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'quota.json'), JSON.stringify(row, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
