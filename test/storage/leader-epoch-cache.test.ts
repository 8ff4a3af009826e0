// Kafka's LeaderEpochFileCache rules: assignment, truncation, endOffsetFor and the checkpoint text.
import t from 'tap';
import { LeaderEpochCache } from '../../src/storage/leader-epoch-cache.js';

t.test('endOffsetFor follows Kafka for every position of the requested epoch', async (t) => {
  const c = new LeaderEpochCache();
  t.equal(c.endOffsetFor(0, 10), null, 'no epochs: undefined');
  c.assign(2, 0);
  c.assign(4, 30);
  c.assign(7, 55);
  const leo = 80;
  t.same(c.endOffsetFor(7, leo), { leaderEpoch: 7, endOffset: 80 }, 'latest epoch ends at the log end');
  t.same(c.endOffsetFor(4, leo), { leaderEpoch: 4, endOffset: 55 }, 'known epoch ends where the next starts');
  t.same(c.endOffsetFor(5, leo), { leaderEpoch: 4, endOffset: 55 }, 'unknown epoch between: the largest known below it');
  t.same(c.endOffsetFor(1, leo), { leaderEpoch: 1, endOffset: 0 }, 'older than all: requested epoch, first start offset');
  t.equal(c.endOffsetFor(8, leo), null, 'newer than the latest: UNDEFINED_EPOCH_OFFSET');
  t.equal(c.endOffsetFor(-1, leo), null, 'UNDEFINED_EPOCH requested');
});

t.test('assign keeps the history monotonic; truncateFromEnd drops epochs past the end', async (t) => {
  const c = new LeaderEpochCache();
  t.ok(c.assign(0, 0));
  t.notOk(c.assign(0, 5), 'same epoch again: no change');
  t.ok(c.assign(3, 10));
  t.ok(c.assign(5, 20));
  t.ok(c.assign(4, 15), 'a lower epoch at a lower offset replaces the conflicting later one');
  t.same(c.all(), [
    { epoch: 0, startOffset: 0 },
    { epoch: 3, startOffset: 10 },
    { epoch: 4, startOffset: 15 },
  ]);
  t.ok(c.truncateFromEnd(15));
  t.equal(c.latestEpoch, 3);
  t.notOk(c.truncateFromEnd(100));
});

t.test("checkpoint text is Kafka's leader-epoch-checkpoint format", async (t) => {
  const c = new LeaderEpochCache();
  c.assign(0, 0);
  c.assign(2, 117);
  t.equal(c.encode().toString(), '0\n2\n0 0\n2 117\n');
  const back = LeaderEpochCache.decode('0\n2\n0 0\n2 117\n');
  t.same(back?.all(), c.all());
  t.equal(LeaderEpochCache.decode('1\n0\n'), null, 'unknown version');
  t.equal(LeaderEpochCache.decode('0\n3\n0 0\n'), null, 'count mismatch');
  t.equal(LeaderEpochCache.decode('0\n1\nx y\n'), null);
});
