// `npm run bench:pipeline`: one connection pipelines many Metadata requests and does not read the
// responses, while another client keeps asking. Reports the broker's RSS growth meanwhile (goal:
// under 64 MiB) and the other client's latency (goal: p99 under 100 ms), then how long the
// pipelined responses take to arrive once the client reads. A samsa child with --memory.
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrokerProcess } from './broker-process.js';
import { Connection } from './connection.js';
import { percentile } from './report.js';
import { MetadataRequest } from '../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../src/protocol/generated/metadata-response.js';
import { Writer } from '../src/protocol/writer.js';

const USAGE = `usage: npm run bench:pipeline -- [flags]
  --requests N     pipelined Metadata requests the client never reads while measuring (100000)
  --topics N       topics in the cluster, so each response is a few KiB (20)
  --partitions N   partitions per topic (4)
  --duration S     seconds the other client keeps asking, one request every 10 ms (5)`;

interface Options {
  requests: number;
  topics: number;
  partitions: number;
  durationMs: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { requests: 100_000, topics: 20, partitions: 4, durationMs: 5000 };
  for (let i = 0; i < argv.length; i++) {
    const v = Number(argv[i + 1]);
    const need = () => {
      if (!(v > 0)) throw new Error(`${argv[i]} needs a positive number`);
      i++;
      return v;
    };
    switch (argv[i]) {
      case '--requests': o.requests = Math.floor(need()); break;
      case '--topics': o.topics = Math.floor(need()); break;
      case '--partitions': o.partitions = Math.floor(need()); break;
      case '--duration': o.durationMs = need() * 1000; break;
      case '--help': case '-h':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
      default:
        throw new Error(`unknown argument '${argv[i]}'\n${USAGE}`);
    }
  }
  return o;
}

function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bin', 'samsa.js'))) return dir;
    if (dirname(dir) === dir) throw new Error('cannot find the samsa package root');
  }
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `n` Metadata v1 (all topics) frames, correlation ids 0..n-1, encoded by samsa's own codec. */
function pipelinedFrames(n: number): Buffer {
  const w = new Writer(64);
  const at = w.reserveInt32();
  w.int16(MetadataRequest.apiKey).int16(1).int32(0).string('samsa-bench-pipeline');
  MetadataRequest.encode(w, 1, { topics: null });
  w.patchInt32(at, w.length - 4);
  const one = w.toBuffer();
  const all = Buffer.allocUnsafe(one.length * n);
  for (let i = 0; i < n; i++) {
    one.copy(all, i * one.length);
    all.writeInt32BE(i, i * one.length + 8);
  }
  return all;
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench:pipeline: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const broker = await BrokerProcess.start(packageRoot(), true, ['--config', `num.partitions=${o.partitions}`]);
  try {
    const admin = await Connection.connect(broker.host, broker.port);
    const names = Array.from({ length: o.topics }, (_, i) => `pipeline-bench-topic-${i}`);
    for (let i = 0; ; i++) {
      const md = await admin.request(MetadataRequest, MetadataResponse, 1, { topics: names.map((name) => ({ name })) });
      if (md.topics.every((t) => t.errorCode === 0 && t.partitions.length === o.partitions)) break;
      if (i === 100) throw new Error('topics were not created');
      await sleep(50);
    }
    const frames = pipelinedFrames(o.requests);
    await sleep(500);
    const baseline = rssMiB(broker.pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(broker.pid))), 10);

    const hog = net.connect({ host: broker.host, port: broker.port });
    hog.pause();
    await new Promise<void>((resolve, reject) => hog.once('connect', () => resolve()).once('error', reject));
    const written = new Promise<void>((resolve) => hog.write(frames, () => resolve()));

    const latencies: number[] = [];
    const until = performance.now() + o.durationMs;
    while (performance.now() < until) {
      const t0 = performance.now();
      await admin.request(MetadataRequest, MetadataResponse, 1, { topics: null });
      latencies.push(performance.now() - t0);
      await sleep(10);
    }
    clearInterval(sampler);
    peak = Math.max(peak, rssMiB(broker.pid));
    const whileUnread = rssMiB(broker.pid);

    // The client reads: time until every pipelined response has arrived.
    const t0 = performance.now();
    let received = 0;
    let pending: Buffer = Buffer.alloc(0);
    const all = new Promise<void>((resolve, reject) => {
      hog.on('data', (d: Buffer) => {
        pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
        let at = 0;
        while (pending.length - at >= 4 && pending.length - at >= 4 + pending.readInt32BE(at)) {
          at += 4 + pending.readInt32BE(at);
          received++;
        }
        pending = pending.subarray(at);
        if (received === o.requests) resolve();
      });
      hog.once('close', () => reject(new Error(`connection closed after ${received} responses`)));
    });
    hog.resume();
    await all;
    await written;
    const drainSeconds = (performance.now() - t0) / 1000;
    hog.destroy();
    await sleep(1000);
    const after = rssMiB(broker.pid);

    const arr = Float64Array.from(latencies);
    const f = (v: number) => v.toFixed(1);
    process.stdout.write(
      [
        `pipelined unread requests: ${o.requests} Metadata v1 (${o.topics} topics x ${o.partitions} partitions) on one connection that does not read`,
        `broker RSS: ${f(baseline)} MiB before, peak ${f(peak)} MiB (+${f(peak - baseline)}), ${f(whileUnread)} MiB while unread, ${f(after)} MiB 1 s after the client left`,
        `other client: ${latencies.length} requests over ${o.durationMs / 1000} s, p50 ${f(percentile(arr, 0.5))} ms, p99 ${f(percentile(arr, 0.99))} ms, max ${f(Math.max(...latencies))} ms`,
        `once read: all ${o.requests} responses in ${drainSeconds.toFixed(1)} s (${Math.round(o.requests / drainSeconds)} responses/s)`,
        '',
      ].join('\n'),
    );
    admin.close();
  } finally {
    await broker.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`bench:pipeline: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
