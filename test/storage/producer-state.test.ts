// ProducerStateManager rules that the engine suite does not reach: sequence wrap arithmetic,
// control batches, checks within one request, and the snapshot round trip.
import t from 'tap';
import { ProducerStateManager, lastSequence, type ProducerBatch } from '../../src/storage/producer-state.js';

const b = (producerEpoch: number, baseSequence: number, records = 1, control = false): ProducerBatch => ({
  producerId: 1,
  producerEpoch,
  baseSequence,
  lastOffsetDelta: records - 1,
  control,
});

function apply(s: ProducerStateManager, batches: ProducerBatch[], firstOffset: number) {
  const r = s.check(batches);
  if (!('producers' in r)) return r;
  let offset = firstOffset;
  for (let i = 0; i < batches.length; i++) {
    const m = r.perBatch[i];
    if (m) {
      m.firstOffset = offset;
      m.lastOffset = offset + batches[i].lastOffsetDelta;
      m.timestamp = 1000 + offset;
    }
    offset += batches[i].lastOffsetDelta + 1;
  }
  s.commit(r);
  return null;
}

t.test('lastSequence wraps past Int32.MAX like Kafka', async (t) => {
  t.equal(lastSequence(0, 4), 4);
  t.equal(lastSequence(2147483647, 0), 2147483647);
  t.equal(lastSequence(2147483646, 3), 1);
});

t.test('batches of one request are checked in order against each other', async (t) => {
  const s = new ProducerStateManager();
  t.equal(apply(s, [b(0, 0, 2), b(0, 2, 3)], 0), null);
  t.same(s.entry(1)?.batches.map((m) => [m.firstSeq, m.lastSeq, m.firstOffset, m.lastOffset]), [
    [0, 1, 0, 1],
    [2, 4, 2, 4],
  ]);
  t.throws(() => s.check([b(0, 5), b(0, 7)]), { message: /sequence number/, errorCode: 45 });
  t.same(s.check([b(0, 2, 3)]), { firstSeq: 2, lastSeq: 4, firstOffset: 2, lastOffset: 4, timestamp: 1002 }, 'a retry is found');
});

t.test('control batches (transaction markers) move the epoch without sequences', async (t) => {
  const s = new ProducerStateManager();
  apply(s, [b(0, 0, 3)], 0);
  t.equal(apply(s, [b(1, -1, 1, true)], 3), null, 'marker with a bumped epoch');
  t.equal(s.entry(1)?.epoch, 1);
  t.throws(() => s.check([b(1, 3)]), { message: /sequence number/, errorCode: 45 }, 'the new epoch starts at sequence 0');
  t.equal(apply(s, [b(1, 0)], 4), null);
  t.throws(() => s.check([b(0, -1, 1, true)]), { message: /epoch/, errorCode: 47 }, 'a marker from an older epoch is fenced');
});

t.test('snapshot round trip; damage is detected', async (t) => {
  const s = new ProducerStateManager();
  for (let i = 0; i < 7; i++) apply(s, [b(3, i * 2, 2)], i * 2);
  const other = { ...b(0, 100), producerId: 2 ** 40 };
  apply(s, [other], 50);
  const bytes = s.encode();
  const back = ProducerStateManager.decode(bytes);
  t.ok(back);
  t.same(back!.entry(1), s.entry(1));
  t.equal(back!.entry(1)!.batches.length, 5, 'five batches kept');
  t.same(back!.entry(2 ** 40), s.entry(2 ** 40));
  const damaged = Buffer.from(bytes);
  damaged[damaged.length - 3] ^= 1;
  t.equal(ProducerStateManager.decode(damaged), null);
  t.equal(ProducerStateManager.decode(bytes.subarray(0, 12)), null);
});
