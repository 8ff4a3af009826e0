// The client quota workload, the same against samsa and Kafka: producer_byte_rate set for one client
// id with Kafka's kafka-configs, ProducerPerformance at full speed under that client id (1 KiB
// records, acks=1), and the rate the broker takes in read from its log end offset (polled here, not
// from the producer's bursty acknowledgements) over `seconds` after a warm-up: a new client may send
// ~10 s of quota at once (Kafka's rate is over 11 windows of 1 s, never less than 10 s). The client
// reports its throttling itself: produce-throttle-time-avg/max from --print-metrics.
import { execFile } from 'node:child_process';
import { ListOffsetsRequest } from '../../src/protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../../src/protocol/generated/list-offsets-response.js';
import type { Connection } from '../connection.js';

export const QUOTA_RECORD_SIZE = 1024;
const LIST_OFFSETS_VERSION = 7;
const POLL_MS = 250;

export interface QuotaFigures {
  quotaBytesPerSec: number;
  /** Record value bytes appended per second over the measured span. */
  bytesPerSec: number;
  /** bytesPerSec / quota, in percent (record values only: batch and request overhead, ~1-2%, are not counted). */
  percentOfQuota: number;
  measuredSeconds: number;
  warmupSeconds: number;
  /** Per-second rates over the measured span, as % of the quota: how bursty the broker's intake is. */
  perSecondP10: number;
  perSecondP90: number;
  throttleAvgMs: number;
  throttleMaxMs: number;
}

export interface QuotaRun {
  brokerSh: string;
  conn: Connection;
  bootstrap: string;
  topic: string;
  clientId: string;
  quotaBytesPerSec: number;
  warmupSeconds: number;
  seconds: number;
}

function java(brokerSh: string, cls: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('bash', [brokerSh, 'java', cls, ...args], { maxBuffer: 64 << 20, timeout: 600_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cls.split('.').pop()}: ${err.message.split('\n')[0]}\n${`${stdout}\n${stderr}`.slice(-2000)}`)) : resolve(stdout),
    ),
  );
}

async function endOffset(conn: Connection, topic: string): Promise<number> {
  const res = await conn.request(ListOffsetsRequest, ListOffsetsResponse, LIST_OFFSETS_VERSION, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }],
  });
  const p = res.topics[0]?.partitions[0];
  if (!p || p.errorCode !== 0) throw new Error(`ListOffsets ${topic}-0 failed (${p?.errorCode})`);
  return Number(p.offset);
}

/** The sample nearest to `t` (ms). */
function at(samples: { t: number; offset: number }[], t: number): { t: number; offset: number } {
  let best = samples[0];
  for (const s of samples) if (Math.abs(s.t - t) < Math.abs(best.t - t)) best = s;
  return best;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round((p / 100) * (s.length - 1))))];
}

/** Sets the quota, runs the producer, and measures the broker's intake; `topic` has one partition. */
export async function quotaProduce(o: QuotaRun): Promise<QuotaFigures> {
  await java(o.brokerSh, 'org.apache.kafka.tools.ConfigCommand', [
    '--bootstrap-server', o.bootstrap, '--entity-type', 'clients', '--entity-name', o.clientId,
    '--alter', '--add-config', `producer_byte_rate=${o.quotaBytesPerSec}`,
  ]);
  const start = await endOffset(o.conn, o.topic);
  // Enough records to outlast warm-up + measurement at the quota after the first ~10 s burst.
  const records = Math.round((o.quotaBytesPerSec * (o.warmupSeconds + o.seconds + 25)) / QUOTA_RECORD_SIZE);
  let done = false;
  const producer = java(o.brokerSh, 'org.apache.kafka.tools.ProducerPerformance', [
    '--topic', o.topic, '--num-records', String(records), '--record-size', String(QUOTA_RECORD_SIZE), '--throughput', '-1', '--print-metrics',
    // Last: it takes every argument after it.
    '--command-property', `bootstrap.servers=${o.bootstrap}`, 'acks=1', `client.id=${o.clientId}`,
  ]).finally(() => {
    done = true;
  });
  const samples: { t: number; offset: number }[] = [];
  let first = -1;
  // The clock starts at the first appended record (the JVM's start-up is not the broker's doing).
  while (!done) {
    const offset = await endOffset(o.conn, o.topic);
    const t = Date.now();
    if (first < 0 && offset > start) first = t;
    if (first >= 0) samples.push({ t, offset });
    if (first >= 0 && t - first >= (o.warmupSeconds + o.seconds) * 1000 + POLL_MS) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const out = await producer;
  if (first < 0 || samples[samples.length - 1].t - first < (o.warmupSeconds + o.seconds) * 1000) {
    throw new Error(`the producer finished before ${o.warmupSeconds + o.seconds} s of appends`);
  }
  const from = at(samples, first + o.warmupSeconds * 1000);
  const to = at(samples, first + (o.warmupSeconds + o.seconds) * 1000);
  const spanS = (to.t - from.t) / 1000;
  const bytesPerSec = ((to.offset - from.offset) * QUOTA_RECORD_SIZE) / spanS;
  const perSecond: number[] = [];
  for (let t = from.t; t + 1000 <= to.t + POLL_MS / 2; t += 1000) {
    const a = at(samples, t);
    const b = at(samples, t + 1000);
    if (b.t > a.t) perSecond.push((((b.offset - a.offset) * QUOTA_RECORD_SIZE) / ((b.t - a.t) / 1000) / o.quotaBytesPerSec) * 100);
  }
  const metric = (name: string) => {
    const m = new RegExp(`producer-metrics:${name}:\\{client-id=${o.clientId}\\}\\s*:\\s*([\\d.E-]+)`).exec(out);
    if (!m) throw new Error(`ProducerPerformance printed no ${name}`);
    return Number(m[1]);
  };
  return {
    quotaBytesPerSec: o.quotaBytesPerSec,
    bytesPerSec: Math.round(bytesPerSec),
    percentOfQuota: (bytesPerSec / o.quotaBytesPerSec) * 100,
    measuredSeconds: spanS,
    warmupSeconds: o.warmupSeconds,
    perSecondP10: percentile(perSecond, 10),
    perSecondP90: percentile(perSecond, 90),
    throttleAvgMs: metric('produce-throttle-time-avg'),
    throttleMaxMs: metric('produce-throttle-time-max'),
  };
}
