// Compaction and transactions, as Kafka's cleaner does them (LogCleaner's CleanedTransactionMetadata),
// on both engines: the records of an aborted transaction go and never hide an older committed
// value of their key; its ABORT marker stays while a batch of the transaction is left, then gets a
// delete horizon and goes after delete.retention.ms; a COMMIT marker stays while its data does;
// nothing at or past the LSO (an open transaction) is cleaned.
import t, { type Test } from 'tap';
import { buildBatch } from '../../src/protocol/records/records.js';
import { readEndTxnMarker } from '../../src/protocol/records/control-batch.js';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { SkimpyOffsetMap } from '../../src/storage/offset-map.js';
import type { PartitionLog, StorageEngine } from '../../src/storage/types.js';
import { tempDir } from '../helpers/tmp.js';
import { logConfig } from './helpers.js';

const now = 1_700_000_000_000;
const BIG = 1 << 30;
const overrides = { 'cleanup.policy': 'compact', 'delete.retention.ms': '1000', 'segment.bytes': '120' };

const rec = (kv: [string, string][], producerId = -1, producerEpoch = -1, baseSequence = -1, transactional = false) =>
  buildBatch({ records: kv.map(([key, value]) => ({ key, value, timestamp: now })), producerId, producerEpoch, baseSequence, transactional });

/** Every batch of the log in order: records as key=value, markers as COMMIT/ABORT(pid), emptied batches as empty(pid). */
async function contents(log: PartitionLog): Promise<string[]> {
  const out: string[] = [];
  let from = log.logStartOffset;
  while (from < log.logEndOffset) {
    const r = await log.read(from, BIG, true, false, 'logEnd');
    if (r.records.length === 0) break;
    for (const buf of r.records) {
      for (let pos = 0; pos < buf.length; ) {
        const size = 12 + buf.readInt32BE(pos + 8);
        const batch = buf.subarray(pos, pos + size);
        const base = Number(batch.readBigInt64BE(0));
        from = base + batch.readInt32BE(23) + 1;
        if (batch.readInt16BE(21) & 0x20) {
          const m = readEndTxnMarker(batch, 0);
          if (m) out.push(`${m.commit ? 'COMMIT' : 'ABORT'}(${Number(batch.readBigInt64BE(43))})@${base}`);
        } else if (batch.readInt32BE(57) === 0) {
          out.push(`empty(${Number(batch.readBigInt64BE(43))})@${base}`);
        } else {
          const { decodeRecords } = await import('../../src/protocol/records/records.js');
          for (const r of decodeRecords(batch, 0)) out.push(`${r.key}=${r.value}@${r.offset}`);
        }
        pos += size;
      }
    }
  }
  return out;
}

function suite(t: Test, make: (t: Test) => Promise<StorageEngine>): void {
  t.test('aborted data goes, markers follow the delete horizon, committed data and markers stay', async (t) => {
    const engine = await make(t);
    const log = await engine.create('cc', 0, logConfig(overrides));
    await log.append(rec([['a', 'a1']]), { now }); // 0
    await log.append(rec([['a', 'a-aborted'], ['b', 'b-aborted']], 1, 0, 0, true), { now }); // 1-2
    await log.append(rec([['c', 'c1']], 2, 0, 0, true), { now }); // 3
    await log.appendMarker({ producerId: 1, producerEpoch: 0, commit: false, coordinatorEpoch: 0, timestamp: now }); // 4
    await log.appendMarker({ producerId: 2, producerEpoch: 0, commit: true, coordinatorEpoch: 0, timestamp: now }); // 5
    await log.append(rec([['d', 'd1']], 3, 0, 0, true), { now }); // 6: left open
    await log.append(rec([['e', 'e1']]), { now }); // 7
    t.equal(log.lastStableOffset, 6);
    const map = new SkimpyOffsetMap(1 << 20);

    await log.flush(); // rolled segments are sealed (cleanable) once their background finishing is done
    await log.compact(now, map);
    t.same(await contents(log), ['a=a1@0', 'empty(1)@1', 'c=c1@3', 'ABORT(1)@4', 'COMMIT(2)@5', 'd=d1@6', 'e=e1@7'], 'pass 1: the aborted records are gone (their batch kept empty: pid 1\'s last), a1 is not hidden by them');
    // pid 1's emptied batch stays while it is the producer's last (its sequence survives a
    // reload), and with it the marker. A new transaction of pid 1 ends that.
    await log.append(rec([['f', 'f1']], 1, 0, 2, true), { now }); // 8
    await log.appendMarker({ producerId: 1, producerEpoch: 0, commit: true, coordinatorEpoch: 0, timestamp: now }); // 9
    await log.append(rec([['g', 'g1']]), { now }); // 10
    const tail = ['d=d1@6', 'e=e1@7', 'f=f1@8', 'COMMIT(1)@9', 'g=g1@10'];
    await log.flush(); // rolled segments are sealed (cleanable) once their background finishing is done
    await log.compact(now, map);
    t.same(await contents(log), ['a=a1@0', 'c=c1@3', 'ABORT(1)@4', 'COMMIT(2)@5', ...tail], 'pass 2: the emptied batch goes; the marker saw it, so it stays');
    await log.flush(); // rolled segments are sealed (cleanable) once their background finishing is done
    await log.compact(now, map);
    t.same(await contents(log), ['a=a1@0', 'c=c1@3', 'ABORT(1)@4', 'COMMIT(2)@5', ...tail], 'pass 3: nothing of the transaction left: the ABORT marker gets its delete horizon');
    await log.flush(); // rolled segments are sealed (cleanable) once their background finishing is done
    await log.compact(now + 2_000, map);
    t.same(await contents(log), ['a=a1@0', 'c=c1@3', 'COMMIT(2)@5', ...tail], 'after delete.retention.ms the ABORT marker is gone; the COMMIT markers stay with their data');
    t.equal(log.logEndOffset, 11, 'offsets unchanged');
    t.equal(log.lastStableOffset, 6, 'the open transaction untouched');
  });
}

t.test('memory engine', async (t) => {
  suite(t, async (t) => {
    const engine = new MemoryStorageEngine();
    await engine.open();
    t.teardown(() => engine.close());
    return engine;
  });
});

t.test('file engine', async (t) => {
  suite(t, async (t) => {
    const engine = new FileStorageEngine(tempDir(t), logConfig(overrides), { tailCacheBytes: 0 });
    await engine.open();
    t.teardown(() => engine.close());
    return engine;
  });
});
