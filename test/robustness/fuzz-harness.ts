// The fuzz loop: mutated real client frames (and random bytes) against a samsa broker child
// process, each on its own connection, for a bounded time. Checked throughout:
//  - the broker process stays up;
//  - each mutated connection gets well-formed responses (the right correlation ids, bodies that
//    decode exactly) or is closed, within a bound: a probe request follows every case, so an
//    unanswered acks=0 produce is not taken for a hang;
//  - a bystander client keeps producing and reading back correct records;
//  - the broker's RSS stays under a limit.
// Case i is a pure function of (seed, i): a failure prints the seed and case numbers that replay it
// (SAMSA_FUZZ_SEED=... SAMSA_FUZZ_CASES=...).
import net from 'node:net';
import { rmSync } from 'node:fs';
import { CompressionTypes, Kafka, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';
import { API_KEYS } from '../../src/protocol/generated/index.js';
import { responseHeaderVersion } from '../../src/protocol/headers.js';
import { Reader } from '../../src/protocol/reader.js';
import { ResponseHeader } from '../../src/protocol/generated/response-header.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { startBrokerProcess, tempDirRemovedOnExit, type BrokerProcess } from './broker-process.js';
import { FUZZ_GROUP, FUZZ_TOPIC, JAVA_GROUP, JAVA_TOPIC, loadCorpus, type Seed } from './corpus.js';
import { makeCase, type FuzzCase } from './mutate.js';

export const BYSTANDER_TOPIC = 'bystander-7f3a';
const PROBE_CORRELATION = 0x5a5a5a5a;
/** ApiVersions v0 with the probe's correlation id. */
const PROBE = Buffer.from('0000000e00120000' + '5a5a5a5a' + '0004' + '66757a7a', 'hex');
/** APIs whose answer may legitimately wait on a client-chosen timeout (long poll, rebalance). */
const WAITING_APIS = new Set([1, 11, 14]);
/**
 * APIs that go through the controller, which runs one operation at a time and answers CreateTopics,
 * CreatePartitions and DeleteTopics only once their logs exist or are gone: up to 10,000 partitions
 * a request (Kafka's limit), tens of seconds to minutes on a file engine, and every controller
 * request behind it waits as long (Metadata too, when it may create topics). Past the usual bound
 * they count as slow, and as a hang only past SLOW_HANG_MS.
 */
const CONTROLLER_APIS = new Set([3, 19, 20, 33, 37, 43, 44, 45, 57]);
const SLOW_HANG_MS = 180_000;

export interface FuzzOptions {
  seed: number;
  /** Wall time for the loop (the broker's start-up and the final checks come on top). */
  seconds: number;
  /** Runs the cases i with i % shards === shard. */
  shard?: number;
  shards?: number;
  /** Only these cases (a replay). */
  cases?: number[];
  concurrency?: number;
  /** A connection neither answered nor closed after this long is a hang. */
  hangMs?: number;
  rssLimitMiB?: number;
  log?: (line: string) => void;
  corpus?: Seed[];
  /** Extra broker configs (key=value), e.g. a short log.retention.check.interval.ms. */
  brokerConfig?: string[];
}

export interface CaseFailure {
  index: number;
  kind: 'hang' | 'bad response';
  detail: string;
  description: string;
}

export interface FuzzReport {
  seed: number;
  shard: number;
  shards: number;
  seconds: number;
  corpusSize: number;
  casesRun: number;
  lastCase: number;
  outcomes: Record<string, number>;
  failures: CaseFailure[];
  /** Set when the broker process died: how, its stderr, and the cases in flight. */
  crash: { exit: string; stderrTail: string; inFlight: string[] } | null;
  maxRssMiB: number;
  /** The longest a controller request (see CONTROLLER_APIS) took past the usual bound. */
  slowestControllerMs: number;
  bystander: { ops: number; failures: string[]; maxLatencyMs: number };
  /** ERROR entries the broker logged (handler exceptions and the like). */
  brokerErrors: string[];
  /** Case descriptions running when each broker error was logged. */
  errorCases: string[][];
}

type Outcome = 'answered' | 'closed' | 'waiting for the rest of a frame' | 'parked (long poll or rebalance)' | 'slow answer (controller queue)' | 'slow close (controller queue)';

/** Splits what we sent into frames (when the framing is intact) to check the answers against. */
function sentFrames(c: FuzzCase): { apiKey: number; apiVersion: number; correlationId: number }[] {
  const out = [];
  let at = 0;
  while (at + 4 <= c.bytes.length) {
    const size = c.bytes.readInt32BE(at);
    if (size < 8 || at + 4 + size > c.bytes.length) break;
    out.push({ apiKey: c.bytes.readInt16BE(at + 4), apiVersion: c.bytes.readInt16BE(at + 6), correlationId: c.bytes.readInt32BE(at + 8) });
    at += 4 + size;
  }
  return out;
}

/** Checks one response frame against the request it answers; returns a problem or null. */
function checkResponse(frame: Buffer, req: { apiKey: number; apiVersion: number }): string | null {
  const codec = API_KEYS[req.apiKey]?.response;
  if (!codec) return `a response to api key ${req.apiKey}, which the broker does not serve`;
  const attempt = (version: number): string | null => {
    try {
      const r = new Reader(frame);
      ResponseHeader.decode(r, responseHeaderVersion(req.apiKey, version));
      codec.decode(r, version);
      if (r.remaining() !== 0) return `${r.remaining()} bytes left after decoding ${codec.name} v${version}`;
      return null;
    } catch (e) {
      return `${codec.name} v${version} does not decode: ${(e as Error).message}`;
    }
  };
  const problem = attempt(req.apiVersion);
  // ApiVersions with a version the broker does not serve is answered in v0 (KIP-511).
  if (problem !== null && req.apiKey === 18 && attempt(0) === null) return null;
  return problem;
}

/** Runs one case on a fresh connection and classifies what the broker did. */
function runCase(host: string, port: number, c: FuzzCase, hangMs: number, onSlow: (ms: number) => void): Promise<{ outcome: Outcome } | { failure: Omit<CaseFailure, 'index' | 'description'> }> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const frames = c.framingBroken ? [] : sentFrames(c);
    const responses: Buffer[] = [];
    let pending: Buffer = Buffer.alloc(0);
    let done = false;
    let probeAnswered = false;
    let badFrame: string | null = null;
    const finish = (r: { outcome: Outcome } | { failure: Omit<CaseFailure, 'index' | 'description'> }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const verdict = (how: 'answered' | 'closed') => {
      if (badFrame !== null) return finish({ failure: { kind: 'bad response', detail: badFrame } });
      if (!c.framingBroken) {
        // Responses come in request order; a request may have none (acks=0 produce).
        let next = 0;
        for (const res of responses) {
          const cid = res.readInt32BE(0);
          while (next < frames.length && frames[next].correlationId !== cid) next++;
          if (next === frames.length) {
            return finish({ failure: { kind: 'bad response', detail: `a response with correlation id ${cid}, which no request in flight had (sent ${frames.map((f) => f.correlationId).join(', ')})` } });
          }
          const problem = checkResponse(res, frames[next]);
          if (problem) return finish({ failure: { kind: 'bad response', detail: problem } });
          next++;
        }
      }
      if (slow) onSlow(Date.now() - started);
      finish({ outcome: slow ? (how === 'answered' ? 'slow answer (controller queue)' : 'slow close (controller queue)') : how });
    };
    const started = Date.now();
    let slow = false;
    const hang = () => finish({ failure: { kind: 'hang', detail: `neither answered nor closed within ${Date.now() - started} ms (${responses.length} response(s) so far)` } });
    let timer = setTimeout(() => {
      if (c.framingBroken) return finish({ outcome: 'waiting for the rest of a frame' });
      if (frames.some((f) => WAITING_APIS.has(f.apiKey))) return finish({ outcome: 'parked (long poll or rebalance)' });
      if (!frames.some((f) => CONTROLLER_APIS.has(f.apiKey))) return hang();
      slow = true;
      timer = setTimeout(hang, SLOW_HANG_MS - hangMs);
    }, hangMs);
    sock.on('connect', async () => {
      if (c.chunks) {
        let at = 0;
        for (const n of c.chunks) {
          if (done) return;
          sock.write(c.bytes.subarray(at, at + n));
          at += n;
          await new Promise((r) => setTimeout(r, 1));
        }
      } else {
        sock.write(c.bytes);
      }
      if (!done) sock.write(PROBE);
    });
    sock.on('data', (d: Buffer) => {
      pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (size < 4 || size > 256 << 20) {
          badFrame = `a response size prefix of ${size}`;
          return verdict('closed');
        }
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        if (frame.readInt32BE(0) === PROBE_CORRELATION && !frames.some((f) => f.correlationId === PROBE_CORRELATION)) {
          probeAnswered = true;
          return verdict('answered');
        }
        responses.push(frame);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      if (!probeAnswered) verdict('closed');
    });
  });
}

/** Produces one record and reads it back at its offset, over and over, timing each round. */
class Bystander {
  ops = 0;
  failures: string[] = [];
  maxLatencyMs = 0;
  private stopped = false;
  private loop: Promise<void> | null = null;

  /** Called once, at the first failed round (the runner logs the cases answered just before). */
  onFirstFailure: () => void = () => {};

  private constructor(
    private readonly producer: Producer,
    private readonly reader: KafkajsReader,
    private readonly admin: Admin,
    private readonly log: (s: string) => void,
  ) {}

  static async start(bootstrap: string, log: (s: string) => void): Promise<Bystander> {
    // Metadata refreshed every 10 s (kafkajs's default is 5 min), so its answers are checked often.
    const kafka = new Kafka({ clientId: 'fuzz-bystander', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 }, requestTimeout: 60_000 });
    const metadataMaxAge = 10_000;
    const admin = kafka.admin();
    await admin.connect();
    // Topic-level configs win over any broker-level value a mutated AlterConfigs may set.
    await admin.createTopics({
      topics: [{
        topic: BYSTANDER_TOPIC,
        numPartitions: 2,
        configEntries: [
          { name: 'retention.ms', value: '-1' },
          { name: 'retention.bytes', value: '-1' },
          { name: 'max.message.bytes', value: '1048588' },
          { name: 'cleanup.policy', value: 'delete' },
          { name: 'segment.bytes', value: '1073741824' },
          { name: 'message.timestamp.type', value: 'CreateTime' },
          { name: 'message.timestamp.before.max.ms', value: '9223372036854775807' },
          { name: 'message.timestamp.after.max.ms', value: '9223372036854775807' },
          { name: 'min.insync.replicas', value: '1' },
          { name: 'compression.type', value: 'producer' },
          { name: 'segment.ms', value: '604800000' },
        ],
      }],
      waitForLeaders: true,
    });
    // The topics and groups the seed frames name exist and hold data, so mutated requests get
    // past "unknown topic" into the code that reads logs and group state.
    await admin.createTopics({ topics: [{ topic: FUZZ_TOPIC, numPartitions: 3 }, { topic: JAVA_TOPIC, numPartitions: 3 }], waitForLeaders: true });
    // A producer of its own seeds the fuzz topics: kafkajs refreshes the metadata of every topic a
    // producer has written to, and fails its sends while any of them is gone (the fuzz deletes and
    // recreates them); the bystander's producer knows only its own topic.
    const seeder = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await seeder.connect();
    for (const topic of [FUZZ_TOPIC, JAVA_TOPIC]) {
      for (const [i, compression] of [CompressionTypes.None, CompressionTypes.GZIP].entries()) {
        for (let partition = 0; partition < 3; partition++) {
          const messages = Array.from({ length: 20 }, (_, j) => ({ partition, key: `k${j % 5}`, value: `seed ${i} ${j}`, headers: { h: `${j}` } }));
          await seeder.send({ topic, compression, messages });
        }
      }
    }
    await seeder.disconnect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, metadataMaxAge });
    await producer.connect();
    for (const groupId of [FUZZ_GROUP, JAVA_GROUP]) {
      await admin.setOffsets({ groupId, topic: groupId === FUZZ_GROUP ? FUZZ_TOPIC : JAVA_TOPIC, partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '10' }] });
    }
    const reader = await KafkajsReader.connect(bootstrap, 'fuzz-bystander-reader');
    return new Bystander(producer, reader, admin, log);
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const i = this.ops++;
        const partition = i % 2;
        const value = `bystander ${i} ${Date.now()}`;
        const t0 = Date.now();
        try {
          const [md] = await this.producer.send({ topic: BYSTANDER_TOPIC, acks: -1, messages: [{ partition, value }] });
          if (md.errorCode !== 0) throw new Error(`produce error code ${md.errorCode}`);
          const offset = Number(md.baseOffset);
          const { messages } = await this.reader.readPartition(BYSTANDER_TOPIC, partition, { fromOffset: offset });
          if (i % 10 === 0) {
            // Metadata as a fresh client sees it: the topic, both partitions, led by this broker.
            const md = await this.admin.fetchTopicMetadata({ topics: [BYSTANDER_TOPIC] });
            const parts = md.topics[0]?.partitions ?? [];
            const bad = parts.filter((p) => p.partitionErrorCode !== 0 || p.leader < 0);
            if (parts.length !== 2 || bad.length > 0) throw new Error(`metadata for ${BYSTANDER_TOPIC}: ${JSON.stringify(md.topics)}`);
          }
          const got = messages[0];
          if (!got || got.offset !== offset || got.value?.toString() !== value) {
            throw new Error(`read back ${got ? `offset ${got.offset} value ${got.value?.toString()}` : 'nothing'} at offset ${offset}, wrote ${value}`);
          }
        } catch (e) {
          const msg = `bystander round ${i}: ${(e as Error).message}`;
          if (this.failures.length === 0) this.onFirstFailure();
          this.failures.push(msg);
          this.log(msg);
          if (this.failures.length > 20) return;
        }
        this.maxLatencyMs = Math.max(this.maxLatencyMs, Date.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.producer.disconnect().catch(() => {});
    await this.admin.disconnect().catch(() => {});
    await this.reader.close().catch(() => {});
  }
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const log = opts.log ?? (() => {});
  const shard = opts.shard ?? 0;
  const shards = opts.shards ?? 1;
  const concurrency = opts.concurrency ?? 8;
  const hangMs = opts.hangMs ?? 15_000;
  const corpus = opts.corpus ?? (await loadCorpus());
  const dataDir = tempDirRemovedOnExit('samsa-fuzz-');
  const report: FuzzReport = {
    seed: opts.seed, shard, shards, seconds: opts.seconds, corpusSize: corpus.length, casesRun: 0, lastCase: -1, outcomes: {}, failures: [],
    crash: null, maxRssMiB: 0, slowestControllerMs: 0, bystander: { ops: 0, failures: [], maxLatencyMs: 0 }, brokerErrors: [], errorCases: [],
  };
  let broker: BrokerProcess | null = null;
  let bystander: Bystander | null = null;
  const inFlight = new Map<number, FuzzCase>();
  // The cases answered last: one of them is what broke the bystander, when something does.
  const recentAnswered: string[] = [];
  try {
    const extra = (opts.brokerConfig ?? []).flatMap((kv) => ['--config', kv]);
    broker = await startBrokerProcess(['--port', '0', '--data-dir', dataDir, '--config', 'group.initial.rebalance.delay.ms=0', ...extra], { env: { SAMSA_LOG_LEVEL: 'error' } });
    log(`fuzz: seed ${opts.seed}, shard ${shard}/${shards}, ${corpus.length} seed frames, broker pid ${broker.pid} on ${broker.bootstrap}`);
    bystander = await Bystander.start(broker.bootstrap, log);
    bystander.onFirstFailure = () => log(`fuzz: the cases answered before the bystander's first failure, newest last:\n  ${recentAnswered.join('\n  ')}`);
    bystander.start();
    const b = broker;
    let errorsSeen = 0;
    // A jump of the broker's RSS by 200 MiB within 2 s: log what was running and just answered.
    const rssWindow: number[] = [];
    let lastJumpLog = 0;
    const rssTimer = setInterval(() => {
      const rss = b.rssMiB();
      if (rss !== null) {
        report.maxRssMiB = Math.max(report.maxRssMiB, rss);
        rssWindow.push(rss);
        if (rssWindow.length > 10) rssWindow.shift();
        const low = Math.min(...rssWindow);
        if (rss - low > 200 && Date.now() - lastJumpLog > 30_000) {
          lastJumpLog = Date.now();
          log(`fuzz: broker RSS ${low.toFixed(0)} -> ${rss.toFixed(0)} MiB within 2 s; in flight:\n  ${[...inFlight.values()].map((c) => `case ${c.index}: ${c.description.slice(0, 300)}`).join('\n  ')}\n answered just before:\n  ${recentAnswered.slice(-15).join('\n  ')}`);
        }
      }
      while (errorsSeen < b.errors.length) {
        report.errorCases.push([...inFlight.values()].map((c) => `case ${c.index}: ${c.description}`));
        errorsSeen++;
      }
    }, 200);
    const deadline = Date.now() + opts.seconds * 1000;
    const queue = opts.cases ? [...opts.cases] : null;
    let next = shard;
    const take = (): number | null => {
      if (!b.isRunning()) return null;
      if (queue) return queue.length > 0 ? queue.shift()! : null;
      if (Date.now() >= deadline) return null;
      const i = next;
      next += shards;
      return i;
    };
    const worker = async () => {
      for (let i = take(); i !== null; i = take()) {
        const c = makeCase(opts.seed, i, corpus);
        inFlight.set(i, c);
        const r = await runCase(b.host, b.port, c, hangMs, (ms) => (report.slowestControllerMs = Math.max(report.slowestControllerMs, ms)));
        // A close because the broker died is the crash's, not the case's.
        if (!b.isRunning()) break;
        inFlight.delete(i);
        report.casesRun++;
        report.lastCase = Math.max(report.lastCase, i);
        if ('outcome' in r) {
          report.outcomes[r.outcome] = (report.outcomes[r.outcome] ?? 0) + 1;
          if (r.outcome === 'answered') {
            recentAnswered.push(`case ${i}: ${c.description.slice(0, 300)}`);
            if (recentAnswered.length > 40) recentAnswered.shift();
          }
        } else {
          const f = { index: i, description: c.description, ...r.failure };
          report.failures.push(f);
          log(`fuzz: case ${i} ${f.kind}: ${f.detail} -- ${c.description}`);
          if (report.failures.length >= 50) return;
        }
      }
    };
    const progress = setInterval(() => log(`fuzz: ${report.casesRun} cases, max RSS ${report.maxRssMiB.toFixed(0)} MiB, bystander ${bystander!.ops} rounds`), 30_000);
    // Cases still waiting on a slow API when time is up are left unfinished, not waited for.
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<'grace'>((resolve) => {
      if (!queue) graceTimer = setTimeout(() => resolve('grace'), Math.max(0, deadline - Date.now()) + 20_000);
    });
    const ended = await Promise.race([Promise.all(Array.from({ length: concurrency }, worker)), b.exited, grace]);
    clearTimeout(graceTimer);
    clearInterval(progress);
    if (ended === 'grace' && b.isRunning()) {
      report.outcomes['still running at the end'] = inFlight.size;
      for (const c of inFlight.values()) log(`fuzz: case ${c.index} still running at the end: ${c.description}`);
      inFlight.clear();
    }
    // A replay gives the bystander a few rounds after the cases, to see what they left behind.
    if (queue) await new Promise((r) => setTimeout(r, 3000));
    // One more look at the broker once the load is gone: still up, still answering.
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(rssTimer);
    if (!b.isRunning()) {
      const e = await b.exited;
      report.crash = {
        exit: e.signal ?? `code ${e.code}`,
        stderrTail: b.stderrTail(),
        inFlight: [...inFlight.values()].map((c) => `case ${c.index}: ${c.description}\n    bytes ${c.bytes.subarray(0, 512).toString('hex')}`),
      };
    }
    await bystander.stop();
    report.bystander = { ops: bystander.ops, failures: bystander.failures, maxLatencyMs: bystander.maxLatencyMs };
    bystander = null;
    report.brokerErrors = [...b.errors];
    return report;
  } finally {
    await bystander?.stop().catch(() => {});
    await broker?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A multi-line summary, including what replays each problem. */
export function describeReport(r: FuzzReport): string {
  const lines = [
    `seed ${r.seed} (shard ${r.shard}/${r.shards}): ${r.casesRun} cases in ${r.seconds} s from ${r.corpusSize} seed frames; last case ${r.lastCase}`,
    `outcomes: ${Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `max broker RSS ${r.maxRssMiB.toFixed(0)} MiB; slowest controller request ${r.slowestControllerMs} ms; bystander ${r.bystander.ops} rounds, ${r.bystander.failures.length} failed, slowest ${r.bystander.maxLatencyMs} ms`,
  ];
  for (const f of r.failures.slice(0, 20)) lines.push(`case ${f.index} ${f.kind}: ${f.detail}\n    ${f.description}\n    replay: SAMSA_FUZZ_SEED=${r.seed} SAMSA_FUZZ_CASES=${f.index}`);
  if (r.crash) lines.push(`BROKER DIED (${r.crash.exit}); cases in flight:\n  ${r.crash.inFlight.join('\n  ')}\nstderr tail:\n${r.crash.stderrTail.split('\n').slice(-40).join('\n')}`);
  r.brokerErrors.slice(0, 10).forEach((e, i) => lines.push(`broker ERROR: ${e.split('\n').slice(0, 12).join('\n    ')}\n  cases in flight then: ${(r.errorCases[i] ?? []).map((c) => c.split(':')[0]).join(', ') || '(none recorded)'}`));
  return lines.join('\n');
}

