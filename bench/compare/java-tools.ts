// The Java client tools, run through `broker.sh java` against either broker, and their output parsed:
// Kafka's ProducerPerformance and ConsumerPerformance, and our fixed-rate EndToEndRate.java.
import { execFile } from 'node:child_process';

const TOOL_TIMEOUT_MS = 10 * 60_000;

export interface ProduceFigures {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

export interface FetchFigures {
  records: number;
  /** Excluding the group join, as ConsumerPerformance's fetch.* columns do. */
  recordsPerSec: number;
  mbPerSec: number;
  fetchMs: number;
  rebalanceMs: number;
}

export interface LatencyFigures {
  sent: number;
  measured: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

function java(brokerSh: string, cls: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [brokerSh, 'java', cls, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: TOOL_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) {
        const out = `${stdout}\n${stderr}`.trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${cls.split('/').pop()} failed (${err.message.split('\n')[0]}):\n${out}`));
      } else resolve(stdout);
    });
  });
}

/** ProducerPerformance's transactions: an id of its own and the age at which it commits. */
export interface Transactional {
  transactionalId: string;
  durationMs: number;
}

/** ProducerPerformance at full speed (in transactions if `txn` is given); its final line carries the figures. */
export async function producerPerformance(
  brokerSh: string,
  bootstrap: string,
  topic: string,
  records: number,
  recordSize: number,
  acks: string,
  txn?: Transactional,
): Promise<ProduceFigures> {
  const out = await java(brokerSh, 'org.apache.kafka.tools.ProducerPerformance', [
    '--topic', topic,
    '--num-records', String(records),
    '--record-size', String(recordSize),
    '--throughput', '-1',
    ...(txn ? ['--transactional-id', txn.transactionalId, '--transaction-duration-ms', String(txn.durationMs)] : []),
    // Last: it takes every argument after it.
    '--command-property', `bootstrap.servers=${bootstrap}`, `acks=${acks}`,
  ]);
  const m = /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/.exec(out);
  if (!m) throw new Error(`cannot read ProducerPerformance's summary:\n${out.slice(-2000)}`);
  const figures = {
    records: Number(m[1]),
    recordsPerSec: Number(m[2]),
    mbPerSec: Number(m[3]),
    avgLatencyMs: Number(m[4]),
    p50Ms: Number(m[5]),
    p99Ms: Number(m[6]),
    p999Ms: Number(m[7]),
  };
  if (figures.records !== records) throw new Error(`ProducerPerformance sent ${figures.records} of ${records} records`);
  return figures;
}

/** ConsumerPerformance reading exactly `records` records of `topic` in a new group. */
export async function consumerPerformance(
  brokerSh: string,
  bootstrap: string,
  topic: string,
  records: number,
  group: string,
): Promise<FetchFigures> {
  const out = await java(brokerSh, 'org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server', bootstrap,
    '--topic', topic,
    '--num-records', String(records),
    '--group', group,
    '--timeout', '30000',
  ]);
  const lines = out.trim().split('\n');
  const header = lines.findIndex((l) => l.startsWith('start.time'));
  if (header < 0 || header + 1 >= lines.length) throw new Error(`cannot read ConsumerPerformance's output:\n${out.slice(-2000)}`);
  const names = lines[header].split(',').map((s) => s.trim());
  const values = lines[header + 1].split(',').map((s) => s.trim());
  const col = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`ConsumerPerformance printed no ${name} column`);
    return Number(values[i]);
  };
  const figures = {
    records: col('data.consumed.in.nMsg'),
    recordsPerSec: col('fetch.nMsg.sec'),
    mbPerSec: col('fetch.MB.sec'),
    fetchMs: col('fetch.time.ms'),
    rebalanceMs: col('rebalance.time.ms'),
  };
  if (figures.records !== records) throw new Error(`ConsumerPerformance read ${figures.records} of ${records} records (${out.match(/WARNING.*/)?.[0] ?? ''})`);
  return figures;
}

/** Fixed-rate produce-to-consume latency on partition 0 of `topic` (bench/compare/EndToEndRate.java). */
export async function endToEndRate(
  brokerSh: string,
  source: string,
  bootstrap: string,
  topic: string,
  rate: number,
  recordSize: number,
  seconds: number,
  warmupSeconds: number,
  acks: string,
): Promise<LatencyFigures> {
  const out = await java(brokerSh, source, [bootstrap, topic, String(rate), String(recordSize), String(seconds), String(warmupSeconds), acks]);
  const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`EndToEndRate printed no result:\n${out.slice(-2000)}`);
  return JSON.parse(line) as LatencyFigures;
}
