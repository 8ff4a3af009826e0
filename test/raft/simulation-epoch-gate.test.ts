// Raft's "figure 8" schedule, scripted: a new leader must not count an entry of an earlier epoch
// as committed until its own epoch-start entry is on a majority. Node 1 (epoch 1 entries at 0-1)
// wins epoch 3 with node 2's vote and hands node 2 the old entry at 1 but not its LeaderChange;
// then node 1 dies and node 3, whose log ends in epoch 2, wins epoch 4 with node 2's vote and
// overwrites offset 1. With the epoch-start gate nothing at 1 was ever committed; without it
// (a test-only switch) node 1 had declared it committed, and the checker reports the loss.
import t from 'tap';

type Tap = typeof t;
import type { UnsafeSwitches } from '../../src/raft/core/config.js';
import { SafetyViolation } from './sim/checker.js';
import { ScriptedCluster } from './sim/scripted.js';

const batch = (offset: number, epoch: number, data: string) => ({ baseOffset: offset, lastOffset: offset, epoch, data });

function figure8(t: Tap, unsafe?: UnsafeSwitches): ScriptedCluster {
  const c = new ScriptedCluster(
    [
      { id: 1, quorum: { leaderEpoch: 2, leaderId: -1, votedId: -1 }, log: [batch(0, 1, 'a'), batch(1, 1, 'b')] },
      { id: 2, quorum: { leaderEpoch: 2, leaderId: -1, votedId: 3 }, log: [batch(0, 1, 'a')] },
      { id: 3, quorum: { leaderEpoch: 2, leaderId: -1, votedId: 3 }, log: [batch(0, 1, 'a'), batch(1, 2, 'leader change 2')] },
    ],
    unsafe,
  );
  // Node 3 is cut off while node 1 leads; one batch per fetch answer. Node 2 gets offset 1
  // (epoch 1) and asks for offset 2; the answer carrying node 1's LeaderChange is lost.
  c.maxBatches = 1;
  c.pass = (m) => m.from !== 3 && m.to !== 3 && !(m.from === 1 && m.message.type === 'FetchResponse' && (m.message.batches ?? []).some((b) => b.baseOffset === 2));
  c.advance(1, 5_000);
  c.settle();
  t.equal(c.role(1), 'Leader', 'node 1 leads epoch 3');
  t.same(c.logs.get(2)!.map((b) => b.baseOffset), [0, 1], 'node 2 holds the epoch-1 entry at 1 but not the LeaderChange');
  // Node 1 dies; node 3 is back; nodes 2 and 3 time out.
  c.down.add(1);
  c.pass = () => true;
  for (let now = 10_000; now <= 60_000 && c.role(3) !== 'Leader'; now += 1_000) {
    c.advance(2, now);
    c.advance(3, now);
    c.settle();
  }
  return c;
}

t.test('with the epoch-start gate, the old entry is never committed and may be replaced', async (t) => {
  const c = figure8(t);
  t.equal(c.role(3), 'Leader', 'node 3 leads a later epoch');
  t.equal(c.checker.committed.get(1)?.epoch ?? 2, 2, 'offset 1 is only ever committed as node 3 wrote it');
});

t.test('without the gate, the checker reports a committed entry lost', async (t) => {
  let caught: unknown;
  try {
    figure8(t, { ignoreEpochStartForHighWatermark: true });
  } catch (e) {
    caught = e;
  }
  t.ok(caught instanceof SafetyViolation, `a violation is reported (${String(caught)})`);
});
