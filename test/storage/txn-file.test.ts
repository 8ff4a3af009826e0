// Transactions on disk in the file engine: each segment's `.txnindex` in Kafka's format (read
// back by Kafka 4.4.0's own DumpLogSegments, as `kafka-dump-log --files X.txnindex` does), the
// control batches as Kafka decodes them, and restarts: a clean one and a crash image (files as at
// kill -9, no snapshot, the index lost or ahead of the log) keep open transactions, the LSO and
// the aborted transactions, rebuilt from the log past the recovery point.
import t, { type Test } from 'tap';
import { appendFileSync, cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { CLEAN_SHUTDOWN_FILE, FileStorageEngine } from '../../src/storage/file-engine.js';
import { encodeTxnEntries } from '../../src/storage/txn-index.js';
import type { PartitionLog } from '../../src/storage/types.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { logConfig } from './helpers.js';
import { plain, txnBatch } from './txn-suite.js';

const now = 1_700_000_000_000;

async function open(t: Test, dir: string, overrides: Record<string, string> = {}) {
  const engine = new FileStorageEngine(dir, logConfig(overrides), { tailCacheBytes: 0 });
  await engine.open();
  t.teardown(() => engine.close());
  return engine;
}

/**
 * 0-1 pid 1 | 2 pid 2 | 3 plain | 4 ABORT pid 1 (pid 2 still open: LSO 2) | 5 ABORT pid 2 (LSO 6) |
 * 6 pid 3 | 7 COMMIT pid 3 | 8 pid 4, left open.
 */
async function write(log: PartitionLog): Promise<void> {
  await log.append(txnBatch(2, 1, 0, 0), { now });
  await log.append(txnBatch(1, 2, 0, 0), { now });
  await log.append(plain(1), { now });
  await log.appendMarker({ producerId: 1, producerEpoch: 0, commit: false, coordinatorEpoch: 5, timestamp: now });
  await log.appendMarker({ producerId: 2, producerEpoch: 0, commit: false, coordinatorEpoch: 5, timestamp: now });
  await log.append(txnBatch(1, 3, 0, 0), { now });
  await log.appendMarker({ producerId: 3, producerEpoch: 0, commit: true, coordinatorEpoch: 5, timestamp: now });
  await log.append(txnBatch(1, 4, 7, 0), { now });
}

const ENTRIES = [
  { producerId: 1, firstOffset: 0, lastOffset: 4, lastStableOffset: 2 },
  { producerId: 2, firstOffset: 2, lastOffset: 5, lastStableOffset: 6 },
];

/** What a reopened log must know: the open transaction, the LSO, the aborted ones. */
function checkState(t: Test, log: PartitionLog, what: string): void {
  t.equal(log.logEndOffset, 9, `${what}: log end`);
  t.equal(log.lastStableOffset, 8, `${what}: pid 4's open transaction holds the LSO`);
  t.same(log.abortedTransactions(0, 9), [
    { producerId: 1, firstOffset: 0 },
    { producerId: 2, firstOffset: 2 },
  ], `${what}: aborted transactions`);
  const p4 = log.activeProducers().find((p) => p.producerId === 4);
  t.equal(p4?.currentTxnStartOffset, 8, `${what}: pid 4's transaction start offset`);
  t.equal(log.activeProducers().find((p) => p.producerId === 3)?.coordinatorEpoch, 5, `${what}: coordinator epoch`);
  t.equal(log.activeProducers().find((p) => p.producerId === 3)?.lastTimestamp, now, `${what}: last timestamp`);
}

t.test(".txnindex bytes are Kafka's: 34-byte entries, and Kafka's DumpLogSegments reads them and the markers", async (t) => {
  const dir = tempDir(t);
  const engine = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
  await engine.open();
  const log = await engine.create('dump', 0, logConfig());
  await write(log);
  await engine.close();
  const pdir = `${dir}/dump-0`;
  const txnindex = `${pdir}/00000000000000000000.txnindex`;
  const bytes = readFileSync(txnindex);
  t.equal(bytes.length, 68, 'two aborted transactions, 34 bytes each');
  // version int16 | producerId int64 | firstOffset int64 | lastOffset int64 | lastStableOffset int64
  const expected = Buffer.alloc(68);
  ENTRIES.forEach((e, i) => {
    const at = i * 34;
    expected.writeInt16BE(0, at);
    expected.writeBigInt64BE(BigInt(e.producerId), at + 2);
    expected.writeBigInt64BE(BigInt(e.firstOffset), at + 10);
    expected.writeBigInt64BE(BigInt(e.lastOffset), at + 18);
    expected.writeBigInt64BE(BigInt(e.lastStableOffset), at + 26);
  });
  t.same(bytes, expected, 'byte for byte');
  t.same(encodeTxnEntries(ENTRIES), expected);

  const r = await kafkaToolIO('org.apache.kafka.tools.DumpLogSegments', ['--print-data-log', '--files', `${txnindex},${pdir}/00000000000000000000.log`]);
  t.equal(r.code, 0, `DumpLogSegments ran: ${r.err}`);
  t.match(r.out, 'version: 0 producerId: 1 firstOffset: 0 lastOffset: 4 lastStableOffset: 2\nversion: 0 producerId: 2 firstOffset: 2 lastOffset: 5 lastStableOffset: 6\n', 'Kafka reads both entries');
  const markers = r.out.split('\n').filter((l) => l.includes('endTxnMarker'));
  t.same(
    markers.map((l) => l.replace(/CreateTime: \d+ /, '').replace(/^\| /, '')),
    [
      'offset: 4 keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: ABORT coordinatorEpoch: 5',
      'offset: 5 keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: ABORT coordinatorEpoch: 5',
      'offset: 7 keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 5',
    ],
    'Kafka decodes the control records',
  );
  t.match(r.out, /baseOffset: 4 lastOffset: 4 count: 1 baseSequence: -1 lastSequence: -1 producerId: 1 producerEpoch: 0 partitionLeaderEpoch: 0 isTransactional: true isControl: true/);
});

t.test('a clean restart keeps open transactions, the LSO and the aborted transactions', async (t) => {
  const dir = tempDir(t);
  const first = new FileStorageEngine(dir, logConfig(), { tailCacheBytes: 0 });
  await first.open();
  await write(await first.create('r', 0, logConfig()));
  await first.close();
  const engine = await open(t, dir);
  checkState(t, engine.get('r', 0)!, 'after a clean restart');
  // The open transaction still refuses a non-transactional write, and can end.
  const log = engine.get('r', 0)!;
  await t.rejects(log.append(txnBatch(1, 4, 7, 1, false), { now }), { errorCode: 48 });
  await log.appendMarker({ producerId: 4, producerEpoch: 7, commit: false, coordinatorEpoch: 6, timestamp: now });
  t.equal(log.lastStableOffset, 10);
  t.same(log.abortedTransactions(6, 10), [{ producerId: 4, firstOffset: 8 }]);
});

t.test('crash images: state and .txnindex rebuilt from the log, an entry for a lost marker dropped', async (t) => {
  const dir = tempDir(t);
  const engine = await open(t, dir);
  await write(await engine.create('c', 0, logConfig()));
  await engine.get('c', 0)!.flush();

  // 1. As at kill -9: no clean shutdown marker, no snapshot; the index file lost too.
  const image = tempDir(t);
  cpSync(dir, image, { recursive: true });
  t.notOk(existsSync(`${image}/${CLEAN_SHUTDOWN_FILE}`));
  rmSync(`${image}/c-0/00000000000000000000.txnindex`, { force: true });
  t.same(readdirSync(`${image}/c-0`).filter((n) => n.endsWith('.snapshot')), [], 'no snapshot: all from the log');
  const reopened = await open(t, image);
  checkState(t, reopened.get('c', 0)!, 'crash image');
  await reopened.close();
  t.same(readFileSync(`${image}/c-0/00000000000000000000.txnindex`), encodeTxnEntries(ENTRIES), 'the .txnindex written again');

  // 2. The index names a marker the crash lost (torn off the log's end): the entry goes.
  const torn = tempDir(t);
  cpSync(dir, torn, { recursive: true });
  appendFileSync(`${torn}/c-0/00000000000000000000.txnindex`, encodeTxnEntries([{ producerId: 4, firstOffset: 8, lastOffset: 9, lastStableOffset: 10 }]));
  const again = await open(t, torn);
  checkState(t, again.get('c', 0)!, 'index ahead of the log');
});

t.test('rolled segments: each marker in its segment’s .txnindex; retention takes an index with its segment', async (t) => {
  const dir = tempDir(t);
  const overrides = { 'segment.bytes': '200', 'retention.ms': '1000' };
  const engine = await open(t, dir, overrides);
  const log = await engine.create('s', 0, logConfig(overrides));
  await write(log);
  const pdir = `${dir}/s-0`;
  await log.flush();
  const bases = readdirSync(pdir).filter((n) => n.endsWith('.log')).map((n) => Number(n.slice(0, 20))).sort((a, b) => a - b);
  const indexes = readdirSync(pdir).filter((n) => n.endsWith('.txnindex')).sort();
  t.ok(bases.length >= 3, `rolled into ${bases.length} segments`);
  const found: number[] = [];
  for (const name of indexes) {
    const base = Number(name.slice(0, 20));
    const end = bases.find((b) => b > base) ?? Infinity;
    const buf = readFileSync(`${pdir}/${name}`);
    for (let at = 0; at < buf.length; at += 34) {
      const marker = Number(buf.readBigInt64BE(at + 18));
      t.ok(marker >= base && marker < end, `${name}: marker ${marker} lies in its segment`);
      found.push(marker);
    }
  }
  t.same(found.sort(), [4, 5], 'each aborted transaction indexed once');
  t.same(log.abortedTransactions(0, 9), [
    { producerId: 1, firstOffset: 0 },
    { producerId: 2, firstOffset: 2 },
  ]);
  // Commit pid 4 so retention may go past it, then let everything age out.
  await log.appendMarker({ producerId: 4, producerEpoch: 7, commit: true, coordinatorEpoch: 5, timestamp: now });
  await log.append(plain(1, 'tail'), { now: now + 10_000 });
  await log.deleteOldSegments(now + 5_000);
  t.ok(log.logStartOffset > 5, `old segments gone (log start ${log.logStartOffset})`);
  t.same(log.abortedTransactions(0, 20), [], 'their aborted transactions with them');
  await new Promise((r) => setTimeout(r, 100));
  const left = readdirSync(pdir).filter((n) => n.endsWith('.txnindex') && !n.includes('deleted'));
  t.same(left.filter((n) => Number(n.slice(0, 20)) < log.logStartOffset), [], 'no .txnindex of a deleted segment is left');
});
