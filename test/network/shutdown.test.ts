// A clean shutdown drains: on SIGTERM the `samsa` command stops accepting connections, reads no
// more requests, answers the ones it is already handling (a long-poll Fetch here, bounded by the
// drain timeout), flushes and closes the logs (the clean-shutdown marker is written) and exits 0.
// Before this, SIGTERM closed every connection at once and requests in flight got no answer.
import t from 'tap';
import net from 'node:net';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { spawnBroker } from '../helpers/cli-broker.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';
import { tempDir } from '../helpers/tmp.js';
import { sleep } from '../helpers/timeout.js';
import {
  WireConnection,
  fetchAllBatches,
  fetchV4Body,
  metadataV1Body,
  parseFetchV4Response,
  parseMetadataV1Response,
  requestFrame,
} from '../helpers/wire.js';

async function ensureTopic(conn: WireConnection, name: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const md = parseMetadataV1Response(await conn.request(3, 1, metadataV1Body([name])));
    if (md.topics[0]?.errorCode === 0 && md.topics[0].partitions.length > 0) return;
    await sleep(50);
  }
  throw new Error(`topic ${name} was not created`);
}

function connectError(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(null);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

t.test('SIGTERM answers the requests in flight, refuses new connections, flushes the logs and exits 0', async (t) => {
  const dir = tempDir(t);
  const broker = await spawnBroker(t, ['--data-dir', dir, '--port', '0']);
  const conn = await WireConnection.connect(broker.host, broker.port);
  t.teardown(() => conn.destroy());
  await ensureTopic(conn, 'kept');
  await ensureTopic(conn, 'quiet');
  const record = { key: null, value: Buffer.from('written before SIGTERM'), headers: [], timestamp: Date.now() };
  t.same(await produceRaw(conn, 'kept', 0, buildBatch([record], 'none')), [0, 0], 'a record is produced');

  // A Fetch that waits up to 3 s for data that never comes: in flight when SIGTERM arrives.
  const poller = await WireConnection.connect(broker.host, broker.port);
  t.teardown(() => poller.destroy());
  poller.write(requestFrame(1, 4, 41, fetchV4Body('quiet', 0, 0, { maxWaitMs: 3000 })));
  await sleep(300);
  const signalled = performance.now();
  broker.proc.kill('SIGTERM');
  await sleep(300);
  t.equal(await connectError(broker.host, broker.port), 'ECONNREFUSED', 'new connections are refused once SIGTERM arrived');

  const res = parseFetchV4Response(await poller.response(41, 10_000));
  t.equal(res.partitions[0]?.errorCode, 0, `the long-poll Fetch in flight is answered (${(performance.now() - signalled).toFixed(0)} ms after SIGTERM)`);
  t.ok(await poller.closesWithin(5000), 'then its connection is closed');
  const exit = await broker.exited;
  t.same(exit, { code: 0, signal: null }, 'the broker exits 0');
  t.ok(existsSync(path.join(dir, '.kafka_cleanshutdown')), 'the logs were closed cleanly (clean-shutdown marker)');

  const again = await spawnBroker(t, ['--data-dir', dir, '--port', '0']);
  const reader = await WireConnection.connect(again.host, again.port);
  t.teardown(() => reader.destroy());
  const { batches, highWatermark } = await fetchAllBatches(reader, 'kept', 0);
  t.equal(highWatermark, 1, 'after a restart the record is there');
  t.equal(batches.length, 1);
  t.same(await again.stop('SIGTERM'), { code: 0, signal: null }, 'an idle broker stops at once with exit 0');
});

t.test('SIGTERM with a client that never reads its responses: the drain is bounded, exit 0', async (t) => {
  const broker = await spawnBroker(t, ['--memory', '--port', '0']);
  const hog = net.connect({ host: broker.host, port: broker.port });
  hog.pause();
  hog.on('error', () => {});
  t.teardown(() => hog.destroy());
  await new Promise<void>((resolve) => hog.once('connect', () => resolve()));
  // Enough unread responses to fill the kernel's buffers and the broker's 4 MiB bound.
  const one = requestFrame(18, 0, 0, Buffer.alloc(0));
  hog.write(Buffer.concat(Array.from({ length: 50_000 }, () => one)));
  await sleep(1000);
  const t0 = performance.now();
  const exit = await broker.stop('SIGTERM', 20_000);
  const ms = performance.now() - t0;
  t.same(exit, { code: 0, signal: null }, `the broker exits 0 (${ms.toFixed(0)} ms after SIGTERM)`);
  t.ok(ms < 15_000, 'without waiting on the client longer than the drain timeout (5 s) allows');
});
