// Kafka's PersisterStateBatchCombiner rules: batches below the start offset dropped and one
// crossing it cut; where batches overlap the higher delivery count wins, then the higher delivery
// state; neighbours with the same state and count joined; a start offset of -1 prunes nothing.
import t from 'tap';
import { combineStateBatches } from '../../../src/coordinator/share/batch-combiner.js';

const b = (firstOffset: number, lastOffset: number, deliveryState: number, deliveryCount: number) => ({ firstOffset, lastOffset, deliveryState, deliveryCount });

t.test('pruning at the start offset', async (t) => {
  t.same(combineStateBatches([b(0, 9, 0, 1)], [], 5), [b(5, 9, 0, 1)]);
  t.same(combineStateBatches([b(0, 4, 0, 1)], [b(10, 12, 2, 1)], 5), [b(10, 12, 2, 1)]);
  t.same(combineStateBatches([b(0, 4, 0, 1)], [], -1), [b(0, 4, 0, 1)], '-1 keeps everything');
  t.same(combineStateBatches([], [], 0), []);
});

t.test('same state: overlapping and contiguous batches are joined', async (t) => {
  t.same(combineStateBatches([b(0, 9, 0, 1)], [b(5, 14, 0, 1)], -1), [b(0, 14, 0, 1)]);
  t.same(combineStateBatches([b(0, 9, 2, 1)], [b(10, 14, 2, 1)], -1), [b(0, 14, 2, 1)]);
  t.same(combineStateBatches([b(0, 9, 2, 1)], [b(10, 14, 0, 1)], -1), [b(0, 9, 2, 1), b(10, 14, 0, 1)], 'contiguous but different: kept apart');
  t.same(combineStateBatches([b(0, 9, 2, 1)], [b(11, 14, 2, 1)], -1), [b(0, 9, 2, 1), b(11, 14, 2, 1)], 'a gap stays');
});

t.test('different states: the higher delivery count, then the higher state wins', async (t) => {
  // A new batch inside an old one with a higher count splits it in three.
  t.same(combineStateBatches([b(0, 9, 0, 1)], [b(3, 5, 0, 2)], -1), [b(0, 2, 0, 1), b(3, 5, 0, 2), b(6, 9, 0, 1)]);
  // A lower count inside a higher one changes nothing.
  t.same(combineStateBatches([b(0, 9, 0, 3)], [b(3, 5, 2, 1)], -1), [b(0, 9, 0, 3)]);
  // Same count: ACKNOWLEDGED (2) outranks AVAILABLE (0), ARCHIVED (4) outranks both.
  t.same(combineStateBatches([b(0, 9, 0, 1)], [b(5, 14, 2, 1)], -1), [b(0, 4, 0, 1), b(5, 14, 2, 1)]);
  t.same(combineStateBatches([b(0, 9, 4, 1)], [b(5, 14, 2, 1)], -1), [b(0, 9, 4, 1), b(10, 14, 2, 1)]);
  t.same(combineStateBatches([b(0, 9, 0, 1)], [b(0, 9, 2, 1)], -1), [b(0, 9, 2, 1)], 'the same range: the better state');
  t.same(combineStateBatches([b(0, 4, 0, 1)], [b(0, 9, 0, 2)], -1), [b(0, 9, 0, 2)]);
});

t.test('many writes fold into one ordered list without overlaps', async (t) => {
  const soFar = [b(100, 199, 0, 1)];
  const writes = [b(100, 109, 2, 1), b(110, 119, 0, 2), b(110, 114, 4, 2), b(150, 150, 0, 5), b(190, 220, 0, 1)];
  const out = combineStateBatches(soFar, writes, 105);
  t.same(out, [b(105, 109, 2, 1), b(110, 114, 4, 2), b(115, 119, 0, 2), b(120, 149, 0, 1), b(150, 150, 0, 5), b(151, 220, 0, 1)]);
  for (let i = 1; i < out.length; i++) t.ok(out[i].firstOffset > out[i - 1].lastOffset, 'ordered, no overlap');
});
