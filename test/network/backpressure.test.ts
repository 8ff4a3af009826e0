// A client that pipelines requests and never reads the responses must not make the broker hold
// them without bound, nor keep other clients waiting. Kafka mutes a channel until its response
// is sent; samsa stops reading from a connection once its unsent responses pass a few MiB and
// goes on as the client reads. Before this, 100,000 pipelined Metadata requests took a CLI
// broker from ~60 to ~730 MiB (held after the client left) and stalled other clients for seconds.
// Measured on a CLI broker child's RSS (/proc); no timed assertion beyond a generous liveness bound.
import t from 'tap';
import net from 'node:net';
import { spawnBroker } from '../helpers/cli-broker.js';
import { rssMiB, sampleRss } from '../helpers/proc-memory.js';
import { sleep } from '../helpers/timeout.js';
import { WireConnection, metadataV1Body, parseMetadataV1Response, requestFrame } from '../helpers/wire.js';

const TOPICS = 20;
const PARTITIONS = 4;
const REQUESTS = 100_000;
/** Growth allowed while the requests are pending: the broker's bound is 4 MiB of unsent responses. */
const MAX_GROWTH_MIB = 80;

/** `n` Metadata v1 (all topics) request frames with correlation ids 0..n-1, back to back. */
function pipelinedMetadata(n: number): Buffer {
  const one = requestFrame(3, 1, 0, metadataV1Body(null));
  const all = Buffer.allocUnsafe(one.length * n);
  for (let i = 0; i < n; i++) {
    one.copy(all, i * one.length);
    all.writeInt32BE(i, i * one.length + 8); // after size, api key and version
  }
  return all;
}

t.test('a client that never reads its responses: broker memory bounded, others answered, all answered once it reads', async (t) => {
  const broker = await spawnBroker(t, ['--memory', '--port', '0', '--config', `num.partitions=${PARTITIONS}`]);
  const pid = broker.proc.pid!;
  const admin = await WireConnection.connect(broker.host, broker.port);
  t.teardown(() => admin.destroy());
  const names = Array.from({ length: TOPICS }, (_, i) => `pipelined-topic-with-a-longish-name-${i}`);
  // Metadata v1 creates missing topics (auto.create.topics.enable); ask until all have partitions.
  for (let i = 0; ; i++) {
    const md = parseMetadataV1Response(await admin.request(3, 1, metadataV1Body(names)));
    if (md.topics.every((x) => x.errorCode === 0 && x.partitions.length === PARTITIONS)) break;
    if (i === 50) throw new Error('topics were not created');
    await sleep(50);
  }
  const frames = pipelinedMetadata(REQUESTS);
  await sleep(300);
  const baseline = rssMiB(pid);
  const rss = sampleRss(pid);

  const hog = net.connect({ host: broker.host, port: broker.port });
  hog.pause();
  hog.on('error', () => {});
  t.teardown(() => hog.destroy());
  await new Promise<void>((resolve) => hog.once('connect', () => resolve()));
  hog.write(frames);

  // Another client keeps asking while the pipelined requests wait on the broker.
  const other = await WireConnection.connect(broker.host, broker.port);
  t.teardown(() => other.destroy());
  let slowest = 0;
  let answered = 0;
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    const t0 = performance.now();
    const md = parseMetadataV1Response(await other.request(3, 1, metadataV1Body(null), { timeoutMs: 15_000 }));
    slowest = Math.max(slowest, performance.now() - t0);
    if (md.topics.length !== TOPICS) throw new Error(`other client saw ${md.topics.length} topics`);
    answered++;
    await sleep(20);
  }
  const peak = rss.stop();
  t.ok(answered > 10, `another client was answered ${answered} times meanwhile (slowest ${slowest.toFixed(0)} ms)`);
  t.ok(slowest < 5000, `another client's slowest answer took ${slowest.toFixed(0)} ms (liveness bound 5 s)`);
  t.ok(
    peak - baseline < MAX_GROWTH_MIB,
    `broker RSS ${baseline.toFixed(0)} -> peak ${peak.toFixed(0)} MiB with ${REQUESTS} unread requests (bound +${MAX_GROWTH_MIB} MiB)`,
  );

  // The client reads: every response arrives, in order, and the connection is still open.
  let pending = Buffer.alloc(0);
  let next = 0;
  let outOfOrder = -1;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${next} of ${REQUESTS} responses within 90 s`)), 90_000);
    hog.on('data', (d: Buffer) => {
      pending = pending.length === 0 ? d : Buffer.concat([pending, d]);
      let at = 0;
      while (pending.length - at >= 8) {
        const size = pending.readInt32BE(at);
        if (pending.length - at < 4 + size) break;
        if (pending.readInt32BE(at + 4) !== next && outOfOrder < 0) outOfOrder = next;
        next++;
        at += 4 + size;
      }
      pending = pending.subarray(at);
      if (next === REQUESTS) {
        clearTimeout(timer);
        resolve();
      }
    });
    hog.once('close', () => {
      clearTimeout(timer);
      reject(new Error(`connection closed after ${next} responses`));
    });
  });
  hog.resume();
  await done;
  t.equal(next, REQUESTS, 'every pipelined request was answered once the client read');
  t.equal(outOfOrder, -1, 'responses came in request order');
});
