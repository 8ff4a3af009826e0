// `npm run bench`: samsa's produce and fetch throughput and produce latency, measured by a lean
// raw-protocol client against a samsa child process (or any broker given with --bootstrap).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createTopic, negotiateVersions, type Versions } from './admin.js';
import { USAGE, UsageError, parseArgs, type BenchOptions } from './args.js';
import { BrokerProcess } from './broker-process.js';
import { Connection } from './connection.js';
import { runFetch, type FetchResult, type FetchSpec } from './fetch.js';
import { runProduce, type ProduceResult } from './produce.js';
import { percentile, rates, summarise, table, type RunSample, type WorkloadSummary } from './report.js';

/** The package root, found upward from this file (it runs from dist/bench/ or, with tsx, bench/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'samsa') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the samsa package root');
    dir = up;
  }
}

const sizeName = (n: number) => (n % 1024 === 0 && n > 0 ? `${n / 1024}KiB` : `${n}B`);

interface Workload {
  recordSize: number;
  partitions: number;
  acks: number;
}

class Bench {
  private readonly produced = new Map<string, { w: Workload; perBatch: number; runs: RunSample[] }>();
  private readonly fetched = new Map<string, { w: Workload; perBatch: number; runs: RunSample[] }>();

  constructor(
    private readonly o: BenchOptions,
    private readonly conn: Connection,
    private readonly v: Versions,
    private readonly broker: BrokerProcess | null,
    private readonly runId: string,
  ) {}

  async warmup(): Promise<void> {
    if (this.o.warmupMs <= 0) return;
    const partitions = Math.max(...this.o.partitions);
    const w = { recordSize: Math.max(...this.o.recordSizes), partitions, acks: this.o.acks[0] };
    const topic = `samsa-bench-${this.runId}-warmup`;
    await createTopic(this.conn, this.v, topic, partitions);
    const p = await runProduce(this.conn, this.v, this.produceSpec(topic, w, this.o.warmupMs));
    if (this.o.fetch) await this.fetchPasses(this.fetchSpec(topic, w, p));
  }

  async run(r: number, w: Workload): Promise<void> {
    const base = `${sizeName(w.recordSize)} ${w.partitions}p`;
    const topic = `samsa-bench-${this.runId}-${w.recordSize}b-${w.partitions}p-acks${w.acks === -1 ? 'all' : w.acks}-r${r}`;
    await createTopic(this.conn, this.v, topic, w.partitions);
    const p = await this.measure(() => runProduce(this.conn, this.v, this.produceSpec(topic, w, this.o.durationMs)));
    const sample: RunSample = {
      ...this.sample(p.result, p.benchCpu, p.brokerCpu),
      p50Ms: percentile(p.result.latenciesMs, 0.5),
      p99Ms: percentile(p.result.latenciesMs, 0.99),
    };
    this.record(this.produced, `produce ${base} acks=${w.acks}`, w, p.result.recordsPerBatch, sample);
    if (!this.o.fetch || w.acks !== this.o.acks[0]) return;
    const f = await this.measure(() => this.fetchPasses(this.fetchSpec(topic, w, p.result)));
    this.record(this.fetched, `fetch ${base}`, w, p.result.recordsPerBatch, this.sample(f.result, f.benchCpu, f.brokerCpu));
  }

  summaries(): WorkloadSummary[] {
    const out: WorkloadSummary[] = [];
    for (const [kind, map] of [['produce', this.produced], ['fetch', this.fetched]] as const) {
      for (const [name, { w, perBatch, runs }] of map) {
        out.push(summarise({
          kind,
          name,
          recordSize: w.recordSize,
          partitions: w.partitions,
          acks: kind === 'produce' ? w.acks : null,
          recordsPerBatch: perBatch,
          runs,
        }));
      }
    }
    return out;
  }

  /** Reads the topic from offset 0 again and again until the fetch duration is used up. */
  private async fetchPasses(spec: FetchSpec): Promise<FetchResult> {
    const total: FetchResult = { records: 0, valueBytes: 0, batchBytes: 0, requests: 0, elapsedMs: 0 };
    do {
      const pass = await runFetch(this.conn, this.v, spec);
      total.records += pass.records;
      total.valueBytes += pass.valueBytes;
      total.batchBytes += pass.batchBytes;
      total.requests += pass.requests;
      total.elapsedMs += pass.elapsedMs;
    } while (total.elapsedMs < this.o.fetchDurationMs);
    return total;
  }

  private produceSpec(topic: string, w: Workload, durationMs: number) {
    return {
      topic,
      partitions: w.partitions,
      recordSize: w.recordSize,
      batchBytes: this.o.batchBytes,
      acks: w.acks,
      inFlight: this.o.inFlight,
      durationMs,
      maxBytes: this.o.maxRunBytes,
    };
  }

  private fetchSpec(topic: string, w: Workload, p: ProduceResult): FetchSpec {
    return {
      topic,
      perPartition: p.perPartition,
      recordsPerBatch: p.recordsPerBatch,
      batchSize: p.batchBytes / (p.requests * w.partitions),
      recordSize: w.recordSize,
      partitionMaxBytes: this.o.partitionFetchBytes,
      inFlight: this.o.fetchInFlight,
    };
  }

  /** Runs one workload, noting the CPU both processes used meanwhile as a share of one core. */
  private async measure<T>(f: () => Promise<T>): Promise<{ result: T; benchCpu: number; brokerCpu: number | null }> {
    const cpu0 = process.cpuUsage();
    const broker0 = this.broker?.cpuSeconds() ?? null;
    const t0 = performance.now();
    const result = await f();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const broker1 = this.broker?.cpuSeconds() ?? null;
    return {
      result,
      benchCpu: (cpu.user + cpu.system) / 1e6 / seconds,
      brokerCpu: broker0 === null || broker1 === null ? null : (broker1 - broker0) / seconds,
    };
  }

  private sample(r: ProduceResult | FetchResult, benchCpu: number, brokerCpu: number | null): RunSample {
    return {
      records: r.records,
      valueBytes: r.valueBytes,
      batchBytes: r.batchBytes,
      requests: r.requests,
      elapsedMs: r.elapsedMs,
      ...rates(r.records, r.valueBytes, r.elapsedMs),
      benchCpu,
      brokerCpu,
    };
  }

  private record(map: Bench['produced'], name: string, w: Workload, perBatch: number, s: RunSample): void {
    const entry = map.get(name) ?? { w, perBatch, runs: [] };
    entry.runs.push(s);
    map.set(name, entry);
    process.stderr.write(
      `  ${name.padEnd(28)} run ${entry.runs.length}: ${s.valueMiBPerSec.toFixed(1)} MiB/s, ` +
        `${Math.round(s.recordsPerSec).toLocaleString('en-US')} records/s` +
        (s.p99Ms === undefined ? '' : `, p50 ${s.p50Ms!.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms`) +
        '\n',
    );
  }
}

function gitCommit(root: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  let o: BenchOptions;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    (e.message ? process.stderr : process.stdout).write((e.message ? `bench: ${e.message}\n` : '') + USAGE + '\n');
    process.exit(e.message ? 2 : 0);
  }
  const root = packageRoot();
  let broker: BrokerProcess | null = null;
  let conn: Connection | null = null;
  process.on('exit', () => broker?.killNow());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      broker?.killNow();
      process.exit(130);
    });
  }

  const loadBefore = os.loadavg();
  if (loadBefore[0] > os.cpus().length / 2) {
    process.stderr.write(
      `bench: warning: load average ${loadBefore[0].toFixed(1)} on ${os.cpus().length} cpus; other processes will skew the results\n`,
    );
  }
  try {
    broker = o.bootstrap ? null : await BrokerProcess.start(root, o.memory, o.samsaConfig);
    const target = o.bootstrap ?? { host: broker!.host, port: broker!.port };
    const mode = o.bootstrap ? `broker at ${target.host}:${target.port}` : `samsa (${o.memory ? '--memory' : 'temporary --data-dir'})`;
    process.stderr.write(`bench: ${mode}, ${o.runs} runs per workload\n`);
    conn = await Connection.connect(target.host, target.port);
    const v = await negotiateVersions(conn);
    const runId = Date.now().toString(36);
    const bench = new Bench(o, conn, v, broker, runId);
    await bench.warmup();
    for (let r = 0; r < o.runs; r++) {
      for (const recordSize of o.recordSizes) {
        for (const partitions of o.partitions) {
          for (const acks of o.acks) await bench.run(r, { recordSize, partitions, acks });
        }
      }
    }
    const summaries = bench.summaries();
    const perBatch = [...new Set(summaries.map((s) => `${sizeName(s.recordSize)}: ${s.recordsPerBatch}`))].join(', ');
    process.stdout.write(
      `\n${mode}; produce: batches of ~${o.batchBytes} B (records per batch ${perBatch}), one batch per partition ` +
        `per request, ${o.inFlight} requests in flight; fetch: ${o.partitionFetchBytes} B per partition, ` +
        `${o.fetchInFlight} in flight, passes from offset 0 for at least ${o.fetchDurationMs / 1000} s. Medians of ${o.runs} runs; MiB/s counts record values; ` +
        `latency is produce request to response; cpu is a share of one core.\n\n`,
    );
    process.stdout.write(table(summaries, o.runs) + '\n');
    if (o.json) {
      const path = isAbsolute(o.json) ? o.json : join(root, o.json);
      mkdirSync(dirname(path), { recursive: true });
      const doc = {
        date: new Date().toISOString(),
        target: o.bootstrap ? `${o.bootstrap.host}:${o.bootstrap.port}` : o.memory ? 'samsa --memory' : 'samsa --data-dir',
        commit: gitCommit(root),
        node: process.version,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? null,
        /** 1, 5 and 15 minute load averages before and after: other work on the machine skews results. */
        loadAverage: { before: loadBefore, after: os.loadavg() },
        options: { ...o, bootstrap: o.bootstrap ? `${o.bootstrap.host}:${o.bootstrap.port}` : null },
        apiVersions: v,
        workloads: summaries,
      };
      writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
      process.stderr.write(`bench: results written to ${path}\n`);
    }
  } catch (e) {
    // A dying broker closes its sockets a moment before its exit is reported.
    if (broker) await new Promise((r) => setTimeout(r, 300));
    const notice = broker?.deathNotice();
    throw notice ? new Error(`${(e as Error).message}\n${notice}`) : e;
  } finally {
    conn?.close();
    await broker?.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`bench: FAILED: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
