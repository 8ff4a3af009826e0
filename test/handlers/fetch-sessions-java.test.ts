// Apache Kafka 4.4.0's Java consumer (ConsumerPerformance from compat/kafka/.work/libs) reading a
// 1,000-partition topic through a TCP proxy that decodes every Fetch request and response on the
// way: after its first full fetch (epoch 0, all 1,000 partitions) the client must fetch
// incrementally in the session the broker gave it (same id, epochs 1, 2, 3...), naming only the
// partitions whose position moved, the broker's answers must carry only partitions with something
// new, and every record must be read. Data sits in 50 partitions, one small batch per fetch each
// (max.partition.fetch.bytes below two batches), so the consumer needs several fetches.
import t from 'tap';
import net from 'node:net';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startBroker } from '../../src/index.js';
import { Reader } from '../../src/protocol/reader.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { WireConnection, metadataV1Body, parseMetadataV1Response } from '../helpers/wire.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';

t.setTimeout(180_000);

const LIBS = path.join(REPO_ROOT, 'compat/kafka/.work/libs');
const PARTITIONS = 1000;
const FILLED = 50;
const BATCHES = 6;
const PER_BATCH = 2;

interface SeenFetch {
  version: number;
  sessionId: number;
  epoch: number;
  listed: number;
  forgotten: number;
  /** Filled in when the response passes. */
  response?: { errorCode: number; sessionId: number; partitions: number; withRecords: number };
}

/** Splits a byte stream into Kafka frames (size prefix included). */
class Frames {
  private buf = Buffer.alloc(0);
  push(d: Buffer, onFrame: (frame: Buffer) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 4) {
      const size = this.buf.readInt32BE(0);
      if (this.buf.length < 4 + size) break;
      onFrame(this.buf.subarray(4, 4 + size));
      this.buf = this.buf.subarray(4 + size);
    }
  }
}

/** Forwards every connection to `target`, decoding Fetch requests and their responses as they pass. */
function fetchSpy(target: () => number, seen: SeenFetch[], problems: string[]): net.Server {
  return net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: target() });
    const inFlight = new Map<number, SeenFetch>();
    const requests = new Frames();
    const responses = new Frames();
    client.on('data', (d: Buffer) => {
      upstream.write(d);
      requests.push(Buffer.from(d), (frame) => {
        const r = new Reader(frame);
        const apiKey = r.int16();
        const version = r.int16();
        const correlationId = r.int32();
        if (apiKey !== 1) return;
        try {
          r.nullableString();
          if (version >= 12) r.taggedFields();
          const req = FetchRequest.decode(r, version);
          const f: SeenFetch = {
            version,
            sessionId: req.sessionId ?? 0,
            epoch: req.sessionEpoch ?? -1,
            listed: req.topics.reduce((n, tp) => n + tp.partitions.length, 0),
            forgotten: (req.forgottenTopicsData ?? []).reduce((n, tp) => n + tp.partitions.length, 0),
          };
          seen.push(f);
          inFlight.set(correlationId, f);
        } catch (e) {
          problems.push(`undecodable Fetch v${version} request: ${(e as Error).message}`);
        }
      });
    });
    upstream.on('data', (d: Buffer) => {
      client.write(d);
      responses.push(Buffer.from(d), (frame) => {
        const r = new Reader(frame);
        const f = inFlight.get(r.int32());
        if (!f) return;
        try {
          if (f.version >= 12) r.taggedFields();
          const res = FetchResponse.decode(r, f.version);
          const parts = res.responses.flatMap((tr) => tr.partitions);
          f.response = {
            errorCode: res.errorCode ?? 0,
            sessionId: res.sessionId ?? 0,
            partitions: parts.length,
            withRecords: parts.filter((p) => ((p.records as Buffer | null)?.length ?? 0) > 0).length,
          };
        } catch (e) {
          problems.push(`undecodable Fetch v${f.version} response: ${(e as Error).message}`);
        }
      });
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
}

function run(cls: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const jvm = ['-Xms64m', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${path.join(REPO_ROOT, 'compat/kafka/log4j2.properties')}`];
  const proc = spawn('java', [...jvm, '-cp', `${LIBS}/*`, cls, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

t.test('the Java 4.4 consumer fetches incrementally from 1,000 partitions and reads every record', async (t) => {
  const seen: SeenFetch[] = [];
  const problems: string[] = [];
  let brokerPort = 0;
  const proxy = fetchSpy(() => brokerPort, seen, problems);
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.teardown(() => proxy.close());
  const proxyPort = (proxy.address() as net.AddressInfo).port;
  // Clients learn the proxy's address from Metadata, so every connection goes through it.
  const b = await startBroker({
    port: 0,
    memory: true,
    advertisedHost: '127.0.0.1',
    advertisedPort: proxyPort,
    config: { 'num.partitions': String(PARTITIONS), 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '1' },
  });
  t.teardown(() => b.close());
  brokerPort = b.port;

  const c = await WireConnection.connect(b.host, b.port);
  t.teardown(() => c.destroy());
  for (let i = 0; i < 200; i++) {
    const md = parseMetadataV1Response(await c.request(3, 1, metadataV1Body(['many'])));
    if (md.topics.find((x) => x.name === 'many')?.partitions.length === PARTITIONS) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  for (let p = 0; p < FILLED; p++) {
    const partition = p * (PARTITIONS / FILLED);
    for (let i = 0; i < BATCHES; i++) {
      const batch = buildBatch([...Array(PER_BATCH)].map(() => ({ key: null, value: Buffer.alloc(100, 0x61), headers: [], timestamp: Date.now() })), 'none');
      const [err] = await produceRaw(c, 'many', partition, batch);
      if (err !== 0) throw new Error(`produce to ${partition}: error ${err}`);
    }
  }
  const total = FILLED * BATCHES * PER_BATCH;

  const { code, out } = await run('org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server', `127.0.0.1:${proxyPort}`,
    '--topic', 'many',
    '--num-records', String(total),
    '--group', 'fetch-sessions-java',
    '--fetch-size', '300',
    '--timeout', '60000',
  ]);
  t.equal(code, 0, 'ConsumerPerformance exited cleanly');
  const lines = out.trim().split('\n');
  const header = lines.findIndex((l) => l.startsWith('start.time'));
  t.ok(header >= 0, 'ConsumerPerformance printed its figures');
  const names = lines[header]?.split(',').map((s) => s.trim()) ?? [];
  const values = lines[header + 1]?.split(',').map((s) => s.trim()) ?? [];
  t.equal(Number(values[names.indexOf('data.consumed.in.nMsg')]), total, 'every record was read');
  t.same(problems, [], 'every Fetch request and response decoded');

  const full = seen.findIndex((f) => f.epoch === 0 && f.listed === PARTITIONS);
  t.ok(full >= 0, `a full fetch of all ${PARTITIONS} partitions (${seen.length} fetches seen)`);
  const session = seen[full]?.response?.sessionId ?? 0;
  t.not(session, 0, 'the broker answered it with a session');
  const incremental = seen.slice(full + 1).filter((f) => f.sessionId === session && f.epoch > 0);
  t.ok(incremental.length >= BATCHES - 1, `the consumer went on incrementally (${incremental.length} fetches in the session)`);
  t.same(incremental.map((f) => f.epoch), incremental.map((_, i) => i + 1), 'with epochs 1, 2, 3, ...');
  t.ok(incremental.every((f) => f.listed <= FILLED), `each names at most the ${FILLED} partitions with data (most named: ${Math.max(0, ...incremental.map((f) => f.listed))})`);
  const answered = incremental.filter((f) => f.response);
  t.ok(answered.every((f) => f.response!.errorCode === 0 && f.response!.sessionId === session), 'every incremental fetch was answered in the session without error');
  t.ok(answered.every((f) => f.response!.partitions <= FILLED), `each answer carries only partitions with something new (most: ${Math.max(0, ...answered.map((f) => f.response!.partitions))})`);
  t.ok(answered.some((f) => f.response!.withRecords > 0), 'and records came through incremental answers');
});
