// Retention end to end: a broker with a short retention check interval, small segments and
// kafkajs producing steadily while a raw fetcher follows the log. By size: the partition
// directory stays bounded (measured on disk) while many times its bound is produced, and the
// log start offset advances. By time: once production stops and retention.ms passes, every
// record goes (the active segment is rolled first) and ListOffsets earliest = latest.
import t from 'tap';
import { readdirSync, statSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { sleep, withTimeout } from '../helpers/timeout.js';
import { WireConnection, fetchV4Body, parseBatches, parseFetchV4Response } from '../helpers/wire.js';

function dirBytes(dir: string): number {
  let total = 0;
  // Files may be unlinked between the listing and the stat.
  for (const name of readdirSync(dir)) total += statSync(`${dir}/${name}`, { throwIfNoEntry: false })?.size ?? 0;
  return total;
}

const SEGMENT = 64 * 1024;
const RETAIN = 256 * 1024;

t.test('size and time retention under a steady produce load', async (t) => {
  const dataDir = tempDir(t);
  const running = await startBroker({
    port: 0,
    dataDir,
    config: { 'log.retention.check.interval.ms': '100' },
  });
  t.teardown(() => running.close());
  await running.broker.createTopic('steady', 1, {
    'segment.bytes': String(SEGMENT),
    'retention.bytes': String(RETAIN),
    'retention.ms': '3000',
    'file.delete.delay.ms': '100',
  });
  const kafka = new Kafka({ clientId: 'retention-e2e', brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const conn = await WireConnection.connect(running.host, running.port);
  t.teardown(() => conn.destroy());
  const pdir = `${dataDir}/steady-0`;
  const log = running.broker.partitionLog('steady', 0)!;

  let producing = true;
  let produced = 0;
  let maxOnDisk = 0;
  let firstHalfPeak = 0;
  const fetchErrors: string[] = [];
  let fetched = 0;
  // A consumer that follows the tail, and re-starts at the log start when it fell behind it.
  const follower = (async () => {
    let offset = 0;
    while (producing) {
      const res = parseFetchV4Response(await conn.request(1, 4, fetchV4Body('steady', 0, offset, { maxWaitMs: 50 })));
      const p = res.partitions[0];
      if (p.errorCode === 1) {
        offset = log.logStartOffset;
        continue;
      }
      if (p.errorCode !== 0) fetchErrors.push(`error ${p.errorCode} at ${offset}`);
      const { batches } = parseBatches(p.records);
      for (const b of batches) {
        if (!b.crcValid) fetchErrors.push(`bad CRC at ${b.baseOffset}`);
        fetched += b.recordCount;
        offset = b.baseOffset + b.lastOffsetDelta + 1;
      }
    }
  })();
  const sampler = setInterval(() => (maxOnDisk = Math.max(maxOnDisk, dirBytes(pdir))), 20);
  // A steady load: 20 KB per request, at most one request per 10 ms, until 6 MB went in.
  const value = 'v'.repeat(500);
  const TOTAL = 6e6;
  while (produced * 520 < TOTAL) {
    await producer.send({ topic: 'steady', messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value })) });
    produced += 40;
    if (firstHalfPeak === 0 && produced * 520 >= TOTAL / 2) firstHalfPeak = maxOnDisk;
    await sleep(10);
  }
  producing = false;
  await follower;
  clearInterval(sampler);
  const producedBytes = produced * 520;
  t.ok(producedBytes > 10 * RETAIN, `${(producedBytes / 1e6).toFixed(1)} MB produced, ${produced} records`);
  t.same(fetchErrors, [], `the follower read ${fetched} records without an error`);
  // While producing, the directory holds retention.bytes plus what arrives between two checks
  // (and awaits file.delete.delay.ms): it depends on the rate, not on how much was produced.
  t.ok(maxOnDisk < producedBytes / 4, `the partition directory peaked at ${maxOnDisk} bytes while ${producedBytes} were produced`);
  t.ok(maxOnDisk <= 2 * firstHalfPeak + SEGMENT, `no growth: peak ${firstHalfPeak} over the first half, ${maxOnDisk} overall`);
  // Once a check has run: retention.bytes, plus less than one segment, plus the active segment.
  await sleep(500);
  const settled = dirBytes(pdir);
  t.ok(settled <= RETAIN + 2 * SEGMENT + 8192, `${settled} bytes on disk after a check (retention.bytes ${RETAIN}, segment.bytes ${SEGMENT})`);
  t.ok(log.logStartOffset > 0, `log start offset advanced to ${log.logStartOffset}`);
  t.ok(log.cleanerStats.segmentsDeleted > 10, `${log.cleanerStats.segmentsDeleted} segments deleted, ${log.cleanerStats.bytesReclaimed} bytes reclaimed`);

  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const [offsets] = await admin.fetchTopicOffsets('steady');
  t.equal(Number(offsets.low), log.logStartOffset, 'ListOffsets earliest = the log start offset');
  const below = parseFetchV4Response(await conn.request(1, 4, fetchV4Body('steady', 0, log.logStartOffset - 1)));
  t.equal(below.partitions[0].errorCode, 1, 'a fetch below it: OFFSET_OUT_OF_RANGE');

  // Time: nothing new arrives, retention.ms (3 s) passes, the active segment rolls and goes too.
  await withTimeout(
    (async () => {
      while (log.logStartOffset < log.logEndOffset) await sleep(100);
    })(),
    15_000,
    'time retention emptying the log',
  );
  const [after] = await admin.fetchTopicOffsets('steady');
  t.equal(after.low, after.high, `every record aged out: earliest = latest = ${after.high}`);
  // Deleted segments are unlinked file.delete.delay.ms later, once no read holds them: wait for it (bounded).
  for (let i = 0; i < 100 && dirBytes(pdir) >= 64 * 1024; i++) await sleep(100);
  t.ok(dirBytes(pdir) < 64 * 1024, `${dirBytes(pdir)} bytes left on disk`);
  const res = await producer.send({ topic: 'steady', messages: [{ value: 'again' }] });
  t.equal(Number(res[0].baseOffset), log.logEndOffset - 1, 'producing continues at the log end offset');
});
