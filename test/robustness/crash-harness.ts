// Crash torture: Apache Kafka 4.4.0's VerifiableProducer (acks=all, idempotent, retrying for as
// long as it takes) writes to a samsa broker (file engine) that is SIGKILLed and restarted on the
// same port and data dir every few seconds. Afterwards every partition is read back from the
// start: each acknowledged record must be at its acknowledged offset, exactly once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { Rng } from './rng.js';
import { freePort, killOnExit, startBrokerProcess, tempDirRemovedOnExit, type BrokerProcess } from './broker-process.js';

const LIBS = path.join(REPO_ROOT, 'compat/kafka/.work/libs');
export const TORTURE_TOPIC = 'torture';

export interface CrashOptions {
  seed: number;
  kills: number;
  /** Broker lifetime between kills, drawn uniformly from this range (ms). */
  upMs?: [number, number];
  partitions?: number;
  /** The producer's target rate (records/s). */
  throughput?: number;
  /** Stop killing once this much time has gone (ms), whatever the count. */
  maxMs?: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  seed: number;
  kills: number;
  restartsMs: number[];
  acked: number;
  sendErrors: number;
  sendErrorSamples: string[];
  /** Acknowledged records not found at their offset (or with another value there). */
  lost: string[];
  /** Acknowledged values found more than once in the log. */
  duplicatedAcked: string[];
  /** Any value found more than once (acknowledged or not). */
  duplicatedAny: number;
  /** Records in the log that were never acknowledged (sends in flight at a kill, retried). */
  unackedPresent: number;
  logEnd: number[];
  elapsedMs: number;
  brokerErrors: string[];
  producerExit: string;
}

/** The reason Kafka's tools can't run here, or null. */
export function javaToolsMissing(): string | null {
  if (spawnSync('java', ['-version']).status !== 0) return 'java is not installed (apt-get install default-jdk-headless)';
  if (existsSync(path.join(LIBS, '.complete'))) return null;
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'install'], { stdio: 'inherit', timeout: 300_000 });
  return r.status === 0 ? null : 'compat/kafka/broker.sh install failed (needs maven and Maven Central)';
}

interface Ack {
  partition: number;
  offset: number;
  value: string;
}

function startProducer(bootstrap: string, configFile: string, throughput: number, onAck: (a: Ack) => void, onError: (line: string) => void): { proc: ChildProcess; exited: Promise<string> } {
  const jvm = ['-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const proc = spawn('java', [...jvm, '-cp', `${LIBS}/*`, 'org.apache.kafka.tools.VerifiableProducer',
    '--bootstrap-server', bootstrap, '--topic', TORTURE_TOPIC, '--acks', '-1', '--throughput', String(throughput),
    '--max-messages', '-1', '--command-config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  killOnExit(proc);
  let partial = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      let ev: any;
      try {
        ev = JSON.parse(line);
      } catch {
        continue;
      }
      if (ev.name === 'producer_send_success') onAck({ partition: ev.partition, offset: ev.offset, value: String(ev.value) });
      else if (ev.name === 'producer_send_error') onError(`${ev.exception}: ${ev.message}`);
    }
  });
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
  const exited = new Promise<string>((resolve) => proc.once('exit', (code, signal) => resolve(`${signal ?? `code ${code}`}${err ? `; stderr tail: ${err.slice(-800)}` : ''}`)));
  return { proc, exited };
}

export async function runCrashTorture(opts: CrashOptions): Promise<CrashReport> {
  const log = opts.log ?? (() => {});
  const rng = new Rng(opts.seed, 0xc4a54);
  const partitions = opts.partitions ?? 3;
  const [upMin, upMax] = opts.upMs ?? [2000, 4000];
  const workDir = tempDirRemovedOnExit('samsa-torture-');
  const dataDir = path.join(workDir, 'data');
  const started = Date.now();
  const port = await freePort();
  const args = ['--port', String(port), '--data-dir', dataDir, '--config', 'log.segment.bytes=1048576'];
  const brokerErrors: string[] = [];
  const restartsMs: number[] = [];
  const acks: Ack[] = [];
  const sendErrors: string[] = [];
  let sendErrorCount = 0;
  let broker: BrokerProcess | null = null;
  let producer: { proc: ChildProcess; exited: Promise<string> } | null = null;
  const start = async () => {
    const b = await startBrokerProcess(args, { env: { SAMSA_LOG_LEVEL: 'error' } });
    return b;
  };
  try {
    broker = await start();
    log(`crash torture: seed ${opts.seed}, broker pid ${broker.pid} on ${broker.bootstrap}, data dir ${dataDir}`);
    const kafka = new Kafka({ clientId: 'torture-admin', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TORTURE_TOPIC, numPartitions: partitions }], waitForLeaders: true });
    await admin.disconnect();

    const configFile = path.join(workDir, 'producer.properties');
    writeFileSync(configFile, [
      'acks=all',
      'enable.idempotence=true',
      'max.in.flight.requests.per.connection=5',
      'retries=2147483647',
      'delivery.timeout.ms=600000',
      'request.timeout.ms=10000',
      'max.block.ms=600000',
      'reconnect.backoff.ms=20',
      'reconnect.backoff.max.ms=200',
      'retry.backoff.ms=50',
      'retry.backoff.max.ms=200',
      'linger.ms=5',
      'batch.size=16384',
      'metadata.max.age.ms=5000',
    ].join('\n') + '\n');
    producer = startProducer(broker.bootstrap, configFile, opts.throughput ?? 1500, (a) => acks.push(a), (e) => {
      sendErrorCount++;
      if (sendErrors.length < 10) sendErrors.push(e);
    });
    // Let the producer get going before the first kill.
    const firstAck = Date.now();
    while (acks.length === 0 && Date.now() - firstAck < 60_000) await new Promise((r) => setTimeout(r, 100));
    if (acks.length === 0) throw new Error('VerifiableProducer acknowledged nothing within 60 s');

    let kills = 0;
    while (kills < opts.kills && (opts.maxMs === undefined || Date.now() - started < opts.maxMs)) {
      await new Promise((r) => setTimeout(r, rng.range(upMin, upMax)));
      brokerErrors.push(...broker.errors);
      if (!broker.isRunning()) throw new Error(`the broker died by itself before kill ${kills + 1}: ${broker.stderrTail().slice(-3000)}`);
      await broker.kill('SIGKILL');
      kills++;
      // Sometimes straight back, sometimes after the clients noticed.
      await new Promise((r) => setTimeout(r, rng.chance(0.5) ? 0 : rng.range(50, 800)));
      const t0 = Date.now();
      broker = await start();
      restartsMs.push(Date.now() - t0);
      if (kills % 5 === 0) log(`crash torture: ${kills} kills, ${acks.length} acknowledged`);
    }
    // Let the producer drain what it retried, then stop it (it closes and prints what it has).
    const ackedAtLastKill = acks.length;
    const drainUntil = Date.now() + 20_000;
    await new Promise((r) => setTimeout(r, 3000));
    while (acks.length === ackedAtLastKill && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 200));
    producer.proc.kill('SIGTERM');
    const stopTimer = setTimeout(() => producer?.proc.kill('SIGKILL'), 30_000);
    const producerExit = await producer.exited;
    clearTimeout(stopTimer);
    producer = null;
    brokerErrors.push(...broker.errors);
    if (acks.length === ackedAtLastKill) throw new Error(`no record was acknowledged after the last restart (${acks.length} in all); producer ${producerExit}`);

    // Read everything back.
    const reader = await KafkajsReader.connect(broker.bootstrap, 'torture-reader');
    const logs: Map<number, string>[] = [];
    const logEnd: number[] = [];
    try {
      for (let p = 0; p < partitions; p++) {
        const { messages, highWatermark } = await reader.readPartition(TORTURE_TOPIC, p, { partitionMaxBytes: 1 << 20 });
        logs.push(new Map(messages.map((m) => [m.offset, m.value?.toString() ?? '<null>'])));
        logEnd.push(highWatermark);
      }
    } finally {
      await reader.close();
    }
    const lost: string[] = [];
    for (const a of acks) {
      const got = logs[a.partition]?.get(a.offset);
      if (got !== a.value) lost.push(`value ${a.value} acknowledged at ${TORTURE_TOPIC}-${a.partition}@${a.offset}, found ${got === undefined ? 'no record' : `value ${got}`}`);
    }
    const seen = new Map<string, number>();
    for (const m of logs) for (const v of m.values()) seen.set(v, (seen.get(v) ?? 0) + 1);
    const ackedValues = new Set(acks.map((a) => a.value));
    const duplicatedAcked: string[] = [];
    let duplicatedAny = 0;
    let unackedPresent = 0;
    for (const [v, n] of seen) {
      if (n > 1) {
        duplicatedAny++;
        if (ackedValues.has(v)) duplicatedAcked.push(`value ${v} x${n}`);
      }
      if (!ackedValues.has(v)) unackedPresent++;
    }
    return {
      seed: opts.seed, kills, restartsMs, acked: acks.length, sendErrors: sendErrorCount, sendErrorSamples: sendErrors, lost, duplicatedAcked, duplicatedAny,
      unackedPresent, logEnd, elapsedMs: Date.now() - started, brokerErrors, producerExit,
    };
  } finally {
    producer?.proc.kill('SIGKILL');
    await broker?.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  }
}

export function describeCrashReport(r: CrashReport): string {
  const restarts = [...r.restartsMs].sort((a, b) => a - b);
  return [
    `seed ${r.seed}: ${r.kills} SIGKILLs in ${(r.elapsedMs / 1000).toFixed(0)} s (restart to listening: median ${restarts[restarts.length >> 1] ?? '-'} ms, max ${restarts[restarts.length - 1] ?? '-'} ms)`,
    `${r.acked} records acknowledged, ${r.sendErrors} send errors${r.sendErrorSamples.length ? ` (e.g. ${r.sendErrorSamples[0]})` : ''}; log ends ${r.logEnd.join(', ')}`,
    `lost ${r.lost.length}, acknowledged values duplicated ${r.duplicatedAcked.length}, any value duplicated ${r.duplicatedAny}, unacknowledged records present ${r.unackedPresent}`,
    ...r.lost.slice(0, 10).map((l) => `  lost: ${l}`),
    ...r.duplicatedAcked.slice(0, 10).map((l) => `  duplicated: ${l}`),
    ...r.brokerErrors.slice(0, 5).map((e) => `  broker ERROR: ${e.split('\n').slice(0, 8).join('\n    ')}`),
  ].join('\n');
}
