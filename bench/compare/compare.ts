// `npm run bench:compare`: samsa and Apache Kafka (compat/kafka's reference jars) on this machine, each
// workload run against one and then at once against the other, driven by the same clients (Kafka's Java tools, our fixed-rate Java latency
// probe, and bench/'s raw client for 200 connections), one table of medians with samsa/Kafka ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { negotiateVersions, type Versions } from '../admin.js';
import { Connection } from '../connection.js';
import { USAGE, UsageError, parseArgs, type CompareOptions, type Section, type System } from './args.js';
import { cpuSeconds, memory, removeDir, resetPeak, startKafka, startSamsa, type Broker } from './brokers.js';
import { chart } from './chart.js';
import { runCluster } from './cluster.js';
import { consumerPerformance, endToEndRate, producerPerformance } from './java-tools.js';
import { runManyConnections } from './many-connections.js';
import { markdown, summarise, table, type Row } from './report.js';
import { createReadyTopic } from './topics.js';
import { TXN_RECORD_SIZE, transactionalProduce } from './txn.js';
import { quotaProduce } from './quota.js';

const MIB = 1024 * 1024;
const sizeName = (n: number) => (n % 1024 === 0 ? `${n / 1024}KiB` : `${n}B`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => process.stderr.write(`compare: ${s}\n`);

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

/** One measurement as written to the JSON file, with what the broker and machine were doing. */
interface RunRecord {
  system: System;
  round: number;
  workload: string;
  figures: unknown;
  /** Broker CPU during the workload, as a share of one core. */
  brokerCpu: number | null;
  load1: number;
}

class Comparison {
  readonly rows = new Map<string, Row>();
  readonly records: RunRecord[] = [];
  readonly errors: { system: System | 'both'; round: number; workload: string; error: string }[] = [];
  /** Brokers running now (both, during a round), killed if the comparison exits early. */
  readonly live = new Set<Broker>();
  private readonly brokerSh: string;
  private readonly e2eSource: string;

  constructor(
    private readonly o: CompareOptions,
    private readonly root: string,
    private readonly work: string,
  ) {
    this.brokerSh = join(root, 'compat', 'kafka', 'broker.sh');
    this.e2eSource = join(root, 'bench', 'compare', 'EndToEndRate.java');
    this.defineRows();
  }

  private add(id: string, section: Section, label: string, unit: Row['unit'], better: Row['better'], goal: number | null, mb = false): void {
    this.rows.set(id, { id, section, label, unit, better, goal, samsa: [], kafka: [], ...(mb ? { samsaMBps: [], kafkaMBps: [] } : {}) });
  }

  /** Every row in table order, so the table reads the same whatever ran. */
  private defineRows(): void {
    const o = this.o;
    const has = (s: Section) => o.sections.includes(s);
    if (has('startup')) {
      this.add('startup', 'startup', 'start-up: spawn to first Metadata', 'ms', 'lower', 0.1);
      this.add('idle-rss', 'startup', 'memory: idle RSS after start', 'MiB', 'lower', 0.2);
    }
    if (has('produce')) {
      this.add('peak-rss', 'produce', 'memory: peak RSS under produce load', 'MiB', 'lower', null);
      for (const { size } of o.records) {
        for (const p of o.partitions) for (const acks of o.acks) this.add(`produce-${size}-${p}-${acks}`, 'produce', `produce ${sizeName(size)} ${p}p acks=${acks}`, 'records/s', 'higher', 1, true);
      }
    }
    if (has('fetch')) {
      for (const { size } of o.records) for (const p of o.partitions) this.add(`fetch-${size}-${p}`, 'fetch', `fetch ${sizeName(size)} ${p}p`, 'records/s', 'higher', 1, true);
    }
    if (has('latency')) {
      const at = `${sizeName(o.latencyRecordSize)} at ${o.latencyRate.toLocaleString('en-US')}/s`;
      this.add('e2e-p50', 'latency', `end-to-end p50, ${at}`, 'ms', 'lower', null);
      this.add('e2e-p99', 'latency', `end-to-end p99, ${at}`, 'ms', 'lower', 1);
      this.add('e2e-p999', 'latency', `end-to-end p99.9, ${at}`, 'ms', 'lower', null);
    }
    if (has('many')) {
      const p = o.manyPartitions;
      this.add('many-produce', 'many', `produce 1KiB ${p}p acks=1`, 'records/s', 'higher', 1, true);
      this.add('many-fetch', 'many', `fetch 1KiB ${p}p`, 'records/s', 'higher', 1, true);
      this.add('conns-produce', 'many', `${o.connections} connections x ${p}p produce`, 'records/s', 'higher', 1, true);
      this.add('conns-p99', 'many', `${o.connections} connections: request p99`, 'ms', 'lower', 1);
    }
    if (has('txn')) {
      const name = `produce ${sizeName(TXN_RECORD_SIZE)} 1p transactional (${o.txnDurationMs} ms transactions)`;
      this.add('txn-produce', 'txn', `${name} acks=all`, 'records/s', 'higher', 1, true);
      this.add('txn-p99', 'txn', `${name}: p99`, 'ms', 'lower', null);
    }
    if (has('quota')) {
      // The goal is each broker within 10% of the quota (issue #17), not a ratio to Kafka.
      const q = `producer_byte_rate=${o.quotaBytesPerSec}`;
      this.add('quota-held', 'quota', `${q}: intake over ${o.quotaSeconds} s`, '% of quota', 'lower', null);
      this.add('quota-p10', 'quota', `${q}: slowest 1-s intake (p10)`, '% of quota', 'higher', null);
      this.add('quota-p90', 'quota', `${q}: fastest 1-s intake (p90)`, '% of quota', 'lower', null);
      this.add('quota-throttle-avg', 'quota', `${q}: produce-throttle-time-avg`, 'ms', 'lower', null);
      this.add('quota-throttle-max', 'quota', `${q}: produce-throttle-time-max`, 'ms', 'lower', null);
    }
  }

  private push(id: string, system: System, value: number, mbps?: number): void {
    const row = this.rows.get(id)!;
    row[system].push(value);
    if (mbps !== undefined) row[system === 'samsa' ? 'samsaMBps' : 'kafkaMBps']!.push(mbps);
  }

  private async start(system: System, dir: string): Promise<Broker> {
    const b = system === 'samsa' ? await startSamsa(this.root, dir, this.o.samsaNodeArgs) : await startKafka(this.brokerSh, dir);
    this.live.add(b);
    return b;
  }

  private async stop(b: Broker, dir: string): Promise<void> {
    await b.stop();
    this.live.delete(b);
    removeDir(dir);
  }

  /** Start-up time and idle resident set of one start, with no other broker running. */
  async startOnly(system: System, trial: number): Promise<void> {
    const dir = join(this.work, `${system}-start${trial}`);
    const b = await this.start(system, dir);
    await sleep(this.o.settleMs);
    const idle = memory(b.pid).rss / MIB;
    this.push('startup', system, b.startupMs);
    this.push('idle-rss', system, idle);
    say(`${system}: started in ${b.startupMs.toFixed(0)} ms, idle RSS ${idle.toFixed(1)} MiB`);
    await this.stop(b, dir);
  }

  /** Runs one workload, noting the broker's CPU share meanwhile; a failure is recorded, not fatal. */
  private async measure<T>(b: Broker, round: number, workload: string, f: () => Promise<T>): Promise<T | null> {
    const cpu0 = cpuSeconds(b.pid);
    const t0 = performance.now();
    try {
      const figures = await f();
      const brokerCpu = (cpuSeconds(b.pid) - cpu0) / ((performance.now() - t0) / 1000);
      this.records.push({ system: b.system, round, workload, figures, brokerCpu, load1: os.loadavg()[0] });
      return figures;
    } catch (e) {
      const error = (e as Error).message;
      this.errors.push({ system: b.system, round, workload, error });
      say(`${b.system} ${workload} FAILED: ${error}`);
      let alive = true;
      try {
        cpuSeconds(b.pid);
      } catch {
        alive = false;
      }
      if (!alive) throw new Error(`${b.system} died during ${workload}:\n${b.logTail()}`);
      return null;
    }
  }

  /**
   * One round: both brokers are started (one after the other, each while the other is not yet
   * running) and every selected workload runs against one, then at once against the other, so
   * both meet the same load on this shared machine; which goes first alternates by round.
   */
  async round(systems: System[], r: number): Promise<void> {
    const o = this.o;
    const sides: Side[] = [];
    try {
      for (const system of r % 2 === 0 ? systems : [...systems].reverse()) sides.push(await this.open(system, r));
      const each = async (step: (s: Side) => Promise<void>) => {
        for (const side of sides) await step(side);
      };
      if (o.sections.includes('produce')) {
        await each((s) => this.warmup(s, r));
        for (const { size, count } of o.records) {
          for (const p of o.partitions) for (const acks of o.acks) await each((s) => this.produce(s, r, size, count, p, acks));
        }
        await each((s) => this.peak(s, r));
      }
      if (o.sections.includes('fetch')) {
        for (const { size, count } of o.records) for (const p of o.partitions) await each((s) => this.fetch(s, r, size, count, p));
      }
      if (o.sections.includes('latency')) await each((s) => this.latency(s, r));
      if (o.sections.includes('many')) {
        await each((s) => this.manyProduce(s, r));
        await each((s) => this.manyFetch(s, r));
        await each((s) => this.connections(s, r));
      }
      if (o.sections.includes('txn')) {
        await each((s) => this.txnProduce(s, r, 'txn-warmup', this.o.quick ? 10_000 : 40_000));
        await each((s) => this.txnProduce(s, r, 'txn', this.o.txnRecords));
      }
      if (o.sections.includes('quota')) await each((s) => this.quota(s, r));
    } finally {
      for (const side of sides) {
        side.conn.close();
        await this.stop(side.b, side.dir);
      }
    }
  }

  private async open(system: System, r: number): Promise<Side> {
    const dir = join(this.work, `${system}-r${r}`);
    const b = await this.start(system, dir);
    await sleep(this.o.settleMs);
    const conn = await Connection.connect(b.host, b.port);
    const v = await negotiateVersions(conn);
    return { b, dir, conn, v, bootstrap: `${b.host}:${b.port}`, topic: (name) => `cmp-r${r}-${name}`, extra: new Map() };
  }

  /** Unmeasured warm-up, so neither broker is measured while its JIT is cold; peak RSS counts from here. */
  private async warmup(s: Side, r: number): Promise<void> {
    resetPeak(s.b.pid);
    const warm = s.topic('warmup');
    await createReadyTopic(s.conn, s.v, warm, Math.max(...this.o.partitions));
    await this.measure(s.b, r, 'warmup', () => producerPerformance(this.brokerSh, s.bootstrap, warm, this.o.quick ? 50_000 : 200_000, 100, '1'));
  }

  private async produce(s: Side, r: number, size: number, count: number, p: number, acks: string): Promise<void> {
    const t = s.topic(`${size}b-${p}p-acks${acks}`);
    s.extra.set(t, await createReadyTopic(s.conn, s.v, t, p));
    const f = await this.measure(s.b, r, `produce ${t}`, () => producerPerformance(this.brokerSh, s.bootstrap, t, count, size, acks));
    if (f) {
      this.push(`produce-${size}-${p}-${acks}`, s.b.system, f.recordsPerSec, f.mbPerSec);
      say(`${s.b.system} r${r + 1} produce ${sizeName(size)} ${p}p acks=${acks}: ${Math.round(f.recordsPerSec).toLocaleString('en-US')} records/s (${f.mbPerSec.toFixed(1)} MB/s), p99 ${f.p99Ms} ms`);
    }
  }

  private async peak(s: Side, r: number): Promise<void> {
    const peak = memory(s.b.pid).hwm / MIB;
    this.push('peak-rss', s.b.system, peak);
    say(`${s.b.system} r${r + 1} peak RSS under produce load ${peak.toFixed(1)} MiB`);
  }

  private async fetch(s: Side, r: number, size: number, count: number, p: number): Promise<void> {
    const t = s.topic(`${size}b-${p}p-acks${this.o.acks[0]}`);
    const n = count + (s.extra.get(t) ?? 0);
    const f = await this.measure(s.b, r, `fetch ${t}`, () => consumerPerformance(this.brokerSh, s.bootstrap, t, n, `cmp-${s.b.system}-${t}`));
    if (f) {
      this.push(`fetch-${size}-${p}`, s.b.system, f.recordsPerSec, f.mbPerSec);
      say(`${s.b.system} r${r + 1} fetch ${sizeName(size)} ${p}p: ${Math.round(f.recordsPerSec).toLocaleString('en-US')} records/s (${f.mbPerSec.toFixed(1)} MB/s) over ${f.fetchMs} ms`);
    }
  }

  private async latency(s: Side, r: number): Promise<void> {
    const o = this.o;
    const t = s.topic('latency');
    await createReadyTopic(s.conn, s.v, t, 1);
    const l = await this.measure(s.b, r, 'latency', () =>
      endToEndRate(this.brokerSh, this.e2eSource, s.bootstrap, t, o.latencyRate, o.latencyRecordSize, o.latencySeconds, o.latencyWarmupSeconds, 'all'),
    );
    if (l) {
      this.push('e2e-p50', s.b.system, l.p50Ms);
      this.push('e2e-p99', s.b.system, l.p99Ms);
      this.push('e2e-p999', s.b.system, l.p999Ms);
      say(`${s.b.system} r${r + 1} end-to-end at ${o.latencyRate}/s: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, p99.9 ${l.p999Ms} ms`);
    }
  }

  private async manyProduce(s: Side, r: number): Promise<void> {
    const o = this.o;
    const t = s.topic('many');
    s.extra.set(t, await createReadyTopic(s.conn, s.v, t, o.manyPartitions));
    const p = await this.measure(s.b, r, `produce ${t}`, () => producerPerformance(this.brokerSh, s.bootstrap, t, o.manyRecords, 1024, '1'));
    if (p) {
      this.push('many-produce', s.b.system, p.recordsPerSec, p.mbPerSec);
      say(`${s.b.system} r${r + 1} produce 1KiB ${o.manyPartitions}p: ${Math.round(p.recordsPerSec).toLocaleString('en-US')} records/s`);
      s.manyProduced = true;
    }
  }

  /** Reads back what manyProduce wrote (skipped where that failed). */
  private async manyFetch(s: Side, r: number): Promise<void> {
    const o = this.o;
    const t = s.topic('many');
    if (!s.manyProduced) return;
    const f = await this.measure(s.b, r, `fetch ${t}`, () => consumerPerformance(this.brokerSh, s.bootstrap, t, o.manyRecords + (s.extra.get(t) ?? 0), `cmp-${s.b.system}-${t}`));
    if (f) {
      this.push('many-fetch', s.b.system, f.recordsPerSec, f.mbPerSec);
      say(`${s.b.system} r${r + 1} fetch 1KiB ${o.manyPartitions}p: ${Math.round(f.recordsPerSec).toLocaleString('en-US')} records/s`);
    }
  }

  private async connections(s: Side, r: number): Promise<void> {
    const o = this.o;
    const t = s.topic('many');
    if (!s.extra.has(t)) s.extra.set(t, await createReadyTopic(s.conn, s.v, t, o.manyPartitions));
    const c = await this.measure(s.b, r, `${o.connections} connections ${t}`, () =>
      runManyConnections({
        host: s.b.host,
        port: s.b.port,
        topic: t,
        partitions: o.manyPartitions,
        connections: o.connections,
        recordSize: 1024,
        batchBytes: 4096,
        acks: 1,
        warmupMs: 1000,
        durationMs: o.connectionsSeconds * 1000,
      }),
    );
    if (c) {
      this.push('conns-produce', s.b.system, c.recordsPerSec, c.mbPerSec);
      this.push('conns-p99', s.b.system, c.p99Ms);
      say(`${s.b.system} r${r + 1} ${o.connections} connections: ${Math.round(c.recordsPerSec).toLocaleString('en-US')} records/s, p50 ${c.p50Ms.toFixed(1)} ms, p99 ${c.p99Ms.toFixed(1)} ms`);
    }
  }

  /** Transactional ProducerPerformance into a fresh 1-partition topic; 'txn-warmup' is unmeasured (JIT, the coordinator's topic). */
  private async txnProduce(s: Side, r: number, name: 'txn' | 'txn-warmup', records: number): Promise<void> {
    const t = s.topic(name);
    const before = await createReadyTopic(s.conn, s.v, t, 1);
    const f = await this.measure(s.b, r, `produce ${t}`, () =>
      transactionalProduce({
        brokerSh: this.brokerSh,
        conn: s.conn,
        bootstrap: s.bootstrap,
        topic: t,
        before,
        records,
        transactionalId: `cmp-${s.b.system}-${t}`,
        durationMs: this.o.txnDurationMs,
      }),
    );
    if (f && name === 'txn') {
      this.push('txn-produce', s.b.system, f.recordsPerSec, f.mbPerSec);
      this.push('txn-p99', s.b.system, f.p99Ms);
    }
    if (f) {
      say(
        `${s.b.system} r${r + 1} ${name} 1KiB 1p: ${Math.round(f.recordsPerSec).toLocaleString('en-US')} records/s (${f.mbPerSec.toFixed(1)} MB/s), ` +
          `p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${f.transactions} transactions committed`,
      );
    }
  }

  /** ProducerPerformance at full speed under producer_byte_rate (bench/compare/quota.ts). */
  private async quota(s: Side, r: number): Promise<void> {
    const o = this.o;
    const t = s.topic('quota');
    await createReadyTopic(s.conn, s.v, t, 1);
    const q = await this.measure(s.b, r, `quota ${t}`, () =>
      quotaProduce({
        brokerSh: this.brokerSh,
        conn: s.conn,
        bootstrap: s.bootstrap,
        topic: t,
        clientId: `cmp-quota-${s.b.system}-r${r}`,
        quotaBytesPerSec: o.quotaBytesPerSec,
        warmupSeconds: o.quotaWarmupSeconds,
        seconds: o.quotaSeconds,
      }),
    );
    if (q) {
      this.push('quota-held', s.b.system, q.percentOfQuota);
      this.push('quota-p10', s.b.system, q.perSecondP10);
      this.push('quota-p90', s.b.system, q.perSecondP90);
      this.push('quota-throttle-avg', s.b.system, q.throttleAvgMs);
      this.push('quota-throttle-max', s.b.system, q.throttleMaxMs);
      say(
        `${s.b.system} r${r + 1} quota ${o.quotaBytesPerSec} B/s: ${q.percentOfQuota.toFixed(1)}% over ${q.measuredSeconds.toFixed(1)} s ` +
          `(1-s p10 ${q.perSecondP10.toFixed(0)}%, p90 ${q.perSecondP90.toFixed(0)}%), throttle avg ${q.throttleAvgMs.toFixed(1)} ms, max ${q.throttleMaxMs.toFixed(0)} ms`,
      );
    }
  }
}

/** One broker during a round, with what its workloads share. */
interface Side {
  b: Broker;
  dir: string;
  conn: Connection;
  v: Versions;
  bootstrap: string;
  topic: (name: string) => string;
  /** Records in each topic besides the measured ones (the first-touch records createReadyTopic adds). */
  extra: Map<string, number>;
  manyProduced?: boolean;
}

function versionInfo(root: string): { java: string | null; kafka: string | null; commit: string | null } {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  let kafka: string | null = null;
  try {
    const jar = readdirSync(join(root, 'compat', 'kafka', '.work', 'libs')).find((f) => /^kafka-clients-.*\.jar$/.test(f));
    kafka = jar?.replace(/^kafka-clients-(.*)\.jar$/, '$1') ?? null;
  } catch {
    // not installed
  }
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    // not a git checkout
  }
  return { java: java.stderr?.split('\n')[0] ?? null, kafka, commit };
}

async function main(): Promise<void> {
  let o: CompareOptions;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    (e.message ? process.stderr : process.stdout).write((e.message ? `compare: ${e.message}\n` : '') + USAGE + '\n');
    process.exit(e.message ? 2 : 0);
  }
  const root = packageRoot();
  // The Java client tools run against both brokers, so the jars are needed even for samsa alone.
  execFileSync('bash', [join(root, 'compat', 'kafka', 'broker.sh'), 'install'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const work = mkdtempSync(join(os.tmpdir(), 'samsa-compare-'));
  if (o.sections.includes('cluster')) {
    process.on('exit', () => removeDir(work));
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
    return runCluster(o, root, work, () => versionInfo(root));
  }
  const cmp = new Comparison(o, root, work);
  const cleanup = () => {
    for (const b of cmp.live) b.killNow();
    removeDir(work);
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

  const started = new Date();
  const loadBefore = os.loadavg();
  const loadPerRound: { round: number; load1: number }[] = [];
  if (loadBefore[0] > os.cpus().length / 2) {
    say(`warning: load average ${loadBefore[0].toFixed(1)} on ${os.cpus().length} cpus; other processes will skew the results`);
  }
  say(`${o.sections.includes('startup') ? `${o.starts} starts of each, then ` : ''}${o.runs} rounds of every workload against ${o.systems.join(' and ')} in turn; sections ${o.sections.join(',')}${o.quick ? ' (quick)' : ''}`);
  // Start-up and idle memory from starts made alone on the machine.
  if (o.sections.includes('startup')) {
    for (let t = 0; t < o.starts; t++) for (const system of o.systems) await cmp.startOnly(system, t);
  }
  const workloads = o.sections.some((x) => x !== 'startup');
  for (let r = 0; r < o.runs && workloads; r++) {
    loadPerRound.push({ round: r, load1: os.loadavg()[0] });
    try {
      await cmp.round(o.systems, r);
    } catch (e) {
      cmp.errors.push({ system: 'both', round: r, workload: 'round', error: (e as Error).message });
      say(`round ${r + 1} aborted: ${(e as Error).message}`);
      for (const b of cmp.live) b.killNow();
      cmp.live.clear();
    }
  }
  const loadAfter = os.loadavg();
  const elapsedS = (Date.now() - started.getTime()) / 1000;

  const summaries = summarise([...cmp.rows.values()]);
  const versions = versionInfo(root);
  const load = `load average ${loadBefore[0].toFixed(1)} at the start, ${loadAfter[0].toFixed(1)} at the end, on ${os.cpus().length} cpus`;
  // Only what ran is described, so a run of some sections (e.g. --only txn) reads true.
  const has = (x: Section) => o.sections.includes(x);
  const classic = has('produce') || has('fetch') || has('many');
  const preamble =
    `samsa ${versions.commit ?? ''} (Node ${process.version}) vs Apache Kafka ${versions.kafka ?? '?'} (${versions.java ?? 'java'}), ` +
    `on this machine, each workload run against one broker and then at once against the other (which goes first alternates by round); ${load}. ` +
    `Medians of ${o.runs} run${o.runs > 1 ? 's' : ''}` +
    (has('startup') ? ` (start-up and idle memory: ${o.starts} starts of each alone; Kafka's store is formatted before its clock starts)` : '') +
    '.' +
    (classic
      ? ` Throughput: Kafka's ProducerPerformance / ConsumerPerformance (Java client, defaults; MB = 2^20 bytes of record values; fetch excludes the group join);`
      : has('txn')
        ? ` Throughput: Kafka's ProducerPerformance (Java client; MB = 2^20 bytes of record values);`
        : '') +
    (has('latency') ? ` end-to-end: bench/compare/EndToEndRate.java (Java client, acks=all, linger.ms=0);` : '') +
    (has('many') ? ` connections: bench/'s raw client, one request in flight per connection, 4 KiB batches for each owned partition, acks=1;` : '') +
    (has('txn')
      ? ` transactional: ProducerPerformance --transactional-id, --transaction-duration-ms ${o.txnDurationMs} (it commits once a transaction is that old), ` +
        `acks=all, ${o.txnRecords.toLocaleString('en-US')} records of 1 KiB into a fresh 1-partition topic after an unmeasured transactional warm-up; ` +
        `each run checked afterwards: last stable offset = high watermark, one commit marker per transaction (counts in the JSON);`
      : '') +
    (has('quota')
      ? ` quota: producer_byte_rate=${o.quotaBytesPerSec} for one client id (set with kafka-configs), ProducerPerformance at full speed under it (1 KiB records, acks=1), ` +
        `the broker's intake read from the log end offset every 250 ms over ${o.quotaSeconds} s after ${o.quotaWarmupSeconds} s from its first append (record values only: batch/request overhead of ~1-2% not counted), ` +
        `p10/p90 of its 1-second rates, and the producer's own produce-throttle-time-avg/max;`
      : '');
  const described = preamble.replace(/;$/, '.') + (cmp.errors.length > 0 ? ` ${cmp.errors.length} measurement(s) failed (see the JSON).` : '');
  process.stdout.write(`\n${described}\n\n${table(summaries)}\n`);
  if (cmp.errors.length > 0) process.stdout.write(`\nfailed: ${cmp.errors.map((e) => `${e.system} r${e.round + 1} ${e.workload}`).join('; ')}\n`);

  if (o.json) {
    const path = isAbsolute(o.json) ? o.json : join(root, o.json);
    mkdirSync(dirname(path), { recursive: true });
    const base = path.replace(/\.json$/, '');
    const doc = {
      date: started.toISOString(),
      elapsedSeconds: elapsedS,
      commit: versions.commit,
      node: process.version,
      java: versions.java,
      kafka: versions.kafka,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      memoryMiB: Math.round(os.totalmem() / MIB),
      /** 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
      loadAverage: { before: loadBefore, after: loadAfter, perRound: loadPerRound },
      options: o,
      rows: summaries,
      runs: cmp.records,
      errors: cmp.errors,
    };
    writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
    const subtitle = `${started.toISOString().slice(0, 10)}, ${load}; medians of ${o.runs} runs${has('startup') ? ` (${o.starts} starts)` : ''}`;
    writeFileSync(`${base}.svg`, chart(summaries, `samsa vs Apache Kafka ${versions.kafka ?? ''}: samsa/Kafka`, subtitle));
    writeFileSync(`${base}.md`, markdown(summaries, described));
    say(`results written to ${path}, ${base}.svg and ${base}.md (${Math.round(elapsedS)} s)`);
  }
}

main().catch((e) => {
  process.stderr.write(`compare: FAILED: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
