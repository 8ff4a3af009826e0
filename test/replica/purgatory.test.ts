// The delayed-operation purgatory on a virtual clock: operations complete once, on an event on a
// key they watch or at their deadline (exactly at it with Kafka's 1 ms ticks, across every level of
// the timing wheel), one host timer is armed for the nearest deadline and none when nothing waits.
import t from 'tap';
import { DelayedOperation, DelayedOperationPurgatory } from '../../src/replica/purgatory.js';
import type { Scheduler } from '../../src/replica/timing-wheel.js';

/** A clock that moves only when told, firing the host timers due on the way, in order. */
class VirtualClock implements Scheduler {
  time: number;
  private timers: { at: number; fn: () => void }[] = [];
  wakeups = 0;
  maxArmed = 0;

  constructor(start: number) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, fn: () => void): () => void {
    const timer = { at: this.time + Math.max(0, delayMs), fn };
    this.timers.push(timer);
    this.maxArmed = Math.max(this.maxArmed, this.timers.length);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  get armed(): number {
    return this.timers.length;
  }

  get nextWakeup(): number {
    return Math.min(...this.timers.map((x) => x.at));
  }

  advanceTo(target: number): void {
    for (;;) {
      const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.time = Math.max(this.time, due.at);
      this.wakeups++;
      due.fn();
    }
    this.time = Math.max(this.time, target);
  }
}

interface Outcome {
  id: number;
  how: 'completed' | 'expired';
  at: number;
  completions: number;
}

class TestOp extends DelayedOperation {
  completions = 0;
  outcome: Outcome | null = null;

  constructor(
    readonly id: number,
    delayMs: number,
    private readonly clock: Scheduler,
    readonly ready: () => boolean,
  ) {
    super(delayMs);
  }

  tryComplete(): boolean {
    return this.ready() ? this.forceComplete() : false;
  }

  protected onComplete(): void {
    this.completions++;
    this.outcome = { id: this.id, how: 'completed', at: this.clock.now(), completions: this.completions };
  }

  protected onExpiration(): void {
    this.outcome!.how = 'expired';
  }
}

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const START = 1_700_000_000_003;

t.test('an operation that can complete at once is neither watched nor timed', async (t) => {
  const clock = new VirtualClock(START);
  const p = new DelayedOperationPurgatory<TestOp>({ scheduler: clock });
  const op = new TestOp(1, 1000, clock, () => true);
  t.equal(p.tryCompleteElseWatch(op, ['t-0']), true);
  t.same([p.watched(), p.delayed, clock.armed, op.completions], [0, 0, 0, 1]);
});

t.test('an event on any watched key completes the operation once; it leaves every key and its timer', async (t) => {
  const clock = new VirtualClock(START);
  const p = new DelayedOperationPurgatory<TestOp>({ scheduler: clock });
  let acked = false;
  const op = new TestOp(1, 30_000, clock, () => acked);
  t.equal(p.tryCompleteElseWatch(op, ['t-0', 't-1']), false);
  t.same([p.watched('t-0'), p.watched('t-1'), p.delayed, clock.armed], [1, 1, 1, 1], 'watched under both keys, one host timer');
  t.ok(clock.nextWakeup <= START + 30_000, 'the host timer is armed no later than the deadline');
  clock.advanceTo(START + 100);
  t.equal(p.checkAndComplete('t-0'), 0, 'condition not met yet');
  acked = true;
  t.equal(p.checkAndComplete('t-unrelated'), 0);
  t.equal(p.checkAndComplete('t-1'), 1);
  t.equal(p.checkAndComplete('t-0'), 0, 'already gone from the other key');
  t.same([p.watched(), p.delayed, clock.armed], [0, 0, 0], 'no watcher, no timeout, no host timer left');
  clock.advanceTo(START + 60_000);
  t.same(op.outcome, { id: 1, how: 'completed', at: START + 100, completions: 1 }, 'never expires afterwards');
});

t.test('operations expire exactly at their deadlines, across every level of the wheel, with one host timer', async (t) => {
  const clock = new VirtualClock(START);
  const p = new DelayedOperationPurgatory<TestOp>({ scheduler: clock });
  const rand = prng(7);
  const delays = [0, 1, 2, 19, 20, 21, 399, 400, 401, 7_999, 8_000, 8_001, 160_000, 3_200_001, 86_400_000];
  for (let i = 0; i < 300; i++) delays.push(Math.floor(rand() ** 3 * 100_000_000));
  const ops: TestOp[] = [];
  // Added at different times, as requests arrive.
  for (const [i, d] of delays.entries()) {
    clock.advanceTo(clock.now() + (i % 3));
    const op = new TestOp(i, d, clock, () => false);
    ops.push(op);
    p.tryCompleteElseWatch(op, [`p-${i % 4}`]);
  }
  t.equal(ops[0].outcome?.how, 'expired', 'a zero delay expires at once');
  t.ok(clock.maxArmed <= 1, 'never more than one host timer');
  // Just before each deadline nothing is due; at it, the operation has expired.
  const deadlines = ops.map((op) => op.expirationMs).sort((a, b) => a - b);
  let early = 0;
  for (const d of deadlines) {
    clock.advanceTo(d - 1);
    for (const op of ops) if (op.outcome && op.outcome.at < op.expirationMs) early++;
    clock.advanceTo(d);
  }
  t.equal(early, 0, 'none expired before its deadline');
  t.same(
    ops.filter((op) => op.outcome?.how !== 'expired' || op.outcome.at !== op.expirationMs || op.completions !== 1).map((op) => op.id),
    [],
    'every one expired once, at its deadline to the millisecond',
  );
  t.same([p.watched(), p.delayed, clock.armed], [0, 0, 0], 'nothing left, no host timer');
  t.ok(clock.maxArmed <= 1);
  t.ok(clock.wakeups <= delays.length * 6, `${clock.wakeups} host timer wakeups for ${delays.length} operations: no polling`);
});

// Kafka's wheel files a deadline under the start of its tick: with ticks coarser than 1 ms an
// operation may fire up to a tick early (Kafka runs its timer with 1 ms ticks, as samsa does by default).
t.test('coarser ticks: an operation expires within one tick of its deadline', async (t) => {
  const clock = new VirtualClock(START);
  const p = new DelayedOperationPurgatory<TestOp>({ scheduler: clock, tickMs: 10, wheelSize: 8 });
  const ops = [3, 10, 79, 80, 81, 5_000, 777_777].map((d, i) => new TestOp(i, d, clock, () => false));
  for (const op of ops) p.tryCompleteElseWatch(op, ['k']);
  clock.advanceTo(START + 1_000_000);
  t.same(
    ops.filter((op) => !op.outcome || op.outcome.at <= op.expirationMs - 10 || op.outcome.at >= op.expirationMs + 10).map((op) => op.id),
    [],
  );
});

t.test('a seeded mix of events and deadlines: each operation completes exactly once, by the first to come', async (t) => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const clock = new VirtualClock(START + seed);
    const p = new DelayedOperationPurgatory<TestOp>({ scheduler: clock });
    const rand = prng(seed);
    const keys = ['a', 'b', 'c', 'd', 'e'];
    // Each key's "high watermark" rises with events; an operation waits for its key to reach a target.
    const hw = new Map(keys.map((k) => [k, 0]));
    const ops: { op: TestOp; key: string; target: number; reachedAt: number }[] = [];
    for (let step = 0; step < 2000; step++) {
      const r = rand();
      if (r < 0.45) {
        const key = keys[Math.floor(rand() * keys.length)];
        const target = hw.get(key)! + 1 + Math.floor(rand() * 3);
        const entry = { op: null as unknown as TestOp, key, target, reachedAt: Infinity };
        entry.op = new TestOp(ops.length, Math.floor(rand() * 5000), clock, () => hw.get(key)! >= target);
        ops.push(entry);
        p.tryCompleteElseWatch(entry.op, [key, `${key}-follower`]);
      } else if (r < 0.8) {
        const key = keys[Math.floor(rand() * keys.length)];
        hw.set(key, hw.get(key)! + 1);
        for (const e of ops) if (e.key === key && e.reachedAt === Infinity && hw.get(key)! >= e.target) e.reachedAt = clock.now();
        p.checkAndComplete(rand() < 0.5 ? key : `${key}-follower`);
      } else {
        clock.advanceTo(clock.now() + Math.floor(rand() * 300));
      }
    }
    clock.advanceTo(clock.now() + 10_000);
    const wrong = ops.filter(({ op, reachedAt }) => {
      const o = op.outcome;
      if (!o || op.completions !== 1) return true;
      if (reachedAt < op.expirationMs) return !(o.how === 'completed' && o.at === reachedAt);
      return !(o.how === 'expired' && o.at === op.expirationMs);
    });
    t.same(wrong.map((w) => w.op.id), [], `seed ${seed}: ${ops.length} operations, each completed once by its event or its deadline`);
    t.same([p.watched(), p.delayed, clock.armed], [0, 0, 0], `seed ${seed}: nothing left behind`);
    t.ok(clock.maxArmed <= 1, `seed ${seed}: one host timer at most`);
  }
});

t.test('completeAll answers every operation watching a key (a partition moved away)', async (t) => {
  const clock = new VirtualClock(START);
  const p = new DelayedOperationPurgatory<TestOp>({ scheduler: clock });
  const ops = [1, 2, 3].map((i) => new TestOp(i, 1000, clock, () => false));
  for (const op of ops) p.tryCompleteElseWatch(op, ['t-0', `own-${op.id}`]);
  t.equal(p.completeAll('t-0').length, 3);
  t.same(ops.map((op) => [op.outcome?.how, op.completions]), [['completed', 1], ['completed', 1], ['completed', 1]]);
  t.same([p.watched(), p.delayed, clock.armed], [0, 0, 0]);
});

t.test('on the real clock, an operation expires, not before its deadline', async (t) => {
  const p = new DelayedOperationPurgatory<TestOp>({ name: 'Produce' });
  t.teardown(() => p.shutdown());
  const clock = { now: () => Date.now(), schedule: () => () => undefined };
  const op = new TestOp(1, 25, clock, () => false);
  const expired = new Promise<void>((resolve) => {
    const check = () => (op.outcome ? resolve() : setTimeout(check, 5));
    check();
  });
  p.tryCompleteElseWatch(op, ['t-0']);
  await expired;
  t.equal(op.outcome?.how, 'expired');
  t.ok(op.outcome!.at >= op.expirationMs, 'not before the deadline');
  t.equal(p.delayed, 0);
});
