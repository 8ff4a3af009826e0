// Kafka's hierarchical timing wheel (SystemTimer / TimingWheel / TimerTaskList): adding and
// cancelling a timeout are O(1) whatever their number; buckets of tasks that expire in the same
// tick are ordered by their expiration in a small heap, and a single host timer is armed for the
// nearest bucket (where Kafka's reaper thread polls a DelayQueue). Time comes from a Scheduler,
// so tests drive it with a virtual clock.

/** The clock and the one host timer the wheel needs. */
export interface Scheduler {
  now(): number;
  /** Calls `fn` after `delayMs`; returns a function that cancels it. */
  schedule(delayMs: number, fn: () => void): () => void;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    // A pending timeout alone keeps no process alive: requests and sockets do.
    handle.unref();
    return () => clearTimeout(handle);
  },
};

/** Something to run at a deadline (Kafka's TimerTask); a task is in at most one bucket. */
export abstract class TimerTask {
  /** Absolute deadline, set when the task is added to a timer. */
  expirationMs = -1;
  /** The bucket holding the task (null: not scheduled, or cancelled, or run). */
  bucket: TimerTaskList | null = null;
  prev: TimerTask | null = null;
  next: TimerTask | null = null;

  constructor(readonly delayMs: number) {}

  /** Called once when the deadline passes (unless cancelled first). */
  abstract run(): void;

  /** Takes the task out of its timer; it will not run. */
  cancelTimer(): void {
    this.bucket?.remove(this);
  }
}

/** One bucket: the tasks whose deadlines fall in one tick of one wheel (Kafka's TimerTaskList). */
export class TimerTaskList {
  private head: TimerTask | null = null;
  /** The tick's start, or -1 while the bucket is not in the heap. */
  expirationMs = -1;

  constructor(private readonly counter: { size: number }) {}

  add(task: TimerTask): void {
    task.bucket = this;
    task.prev = null;
    task.next = this.head;
    if (this.head) this.head.prev = task;
    this.head = task;
    this.counter.size++;
  }

  remove(task: TimerTask): void {
    if (task.bucket !== this) return;
    if (task.prev) task.prev.next = task.next;
    else this.head = task.next;
    if (task.next) task.next.prev = task.prev;
    task.bucket = task.prev = task.next = null;
    this.counter.size--;
  }

  /** Sets the tick; true when it changed (the bucket must then enter the heap). */
  setExpiration(expirationMs: number): boolean {
    const changed = this.expirationMs !== expirationMs;
    this.expirationMs = expirationMs;
    return changed;
  }

  /** Empties the bucket, handing every task to `f` (which re-adds or runs it). */
  flush(f: (task: TimerTask) => void): void {
    let task = this.head;
    const tasks: TimerTask[] = [];
    while (task) {
      tasks.push(task);
      task = task.next;
    }
    for (const t of tasks) this.remove(t);
    this.expirationMs = -1;
    for (const t of tasks) f(t);
  }
}

/** Buckets ordered by expiration (Kafka's DelayQueue of buckets); each bucket is in it at most once. */
class BucketHeap {
  private items: TimerTaskList[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): TimerTaskList | undefined {
    return this.items[0];
  }

  push(b: TimerTaskList): void {
    const a = this.items;
    a.push(b);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].expirationMs <= a[i].expirationMs) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  pop(): TimerTaskList | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].expirationMs < a[m].expirationMs) m = l;
        if (r < a.length && a[r].expirationMs < a[m].expirationMs) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

/** One level: `wheelSize` buckets of `tickMs`; deadlines beyond its span go to the next, coarser level. */
class TimingWheel {
  private readonly interval: number;
  private readonly buckets: TimerTaskList[];
  private currentTimeMs: number;
  private overflow: TimingWheel | null = null;

  constructor(
    private readonly tickMs: number,
    private readonly wheelSize: number,
    startMs: number,
    private readonly counter: { size: number },
    private readonly heap: BucketHeap,
  ) {
    this.interval = tickMs * wheelSize;
    this.buckets = Array.from({ length: wheelSize }, () => new TimerTaskList(counter));
    this.currentTimeMs = startMs - (startMs % tickMs);
  }

  /** Places the task; false when its deadline is already within the current tick (run it now). */
  add(task: TimerTask): boolean {
    const expiration = task.expirationMs;
    if (expiration < this.currentTimeMs + this.tickMs) return false;
    if (expiration < this.currentTimeMs + this.interval) {
      const virtualId = Math.floor(expiration / this.tickMs);
      const bucket = this.buckets[virtualId % this.wheelSize];
      bucket.add(task);
      if (bucket.setExpiration(virtualId * this.tickMs)) this.heap.push(bucket);
      return true;
    }
    this.overflow ??= new TimingWheel(this.interval, this.wheelSize, this.currentTimeMs, this.counter, this.heap);
    return this.overflow.add(task);
  }

  advanceClock(timeMs: number): void {
    if (timeMs >= this.currentTimeMs + this.tickMs) {
      this.currentTimeMs = timeMs - (timeMs % this.tickMs);
      this.overflow?.advanceClock(this.currentTimeMs);
    }
  }
}

export interface TimerOptions {
  scheduler?: Scheduler;
  /** Kafka's defaults: 1 ms ticks, 20 buckets per level. */
  tickMs?: number;
  wheelSize?: number;
}

/**
 * Kafka's SystemTimer on one host timer. A task runs when its tick comes: at its deadline with
 * 1 ms ticks (the default, Kafka's); with coarser ones up to a tick early, as in Kafka.
 */
export class Timer {
  private readonly counter = { size: 0 };
  private readonly heap = new BucketHeap();
  private readonly wheel: TimingWheel;
  private readonly scheduler: Scheduler;
  /** The host timer's deadline and its cancel function, when one is armed. */
  private armedAt = Infinity;
  private disarm: (() => void) | null = null;
  private closed = false;

  constructor(options: TimerOptions = {}) {
    this.scheduler = options.scheduler ?? systemScheduler;
    this.wheel = new TimingWheel(options.tickMs ?? 1, options.wheelSize ?? 20, this.scheduler.now(), this.counter, this.heap);
  }

  /** Tasks waiting for their deadline. */
  get size(): number {
    return this.counter.size;
  }

  /** Schedules `task` to run `task.delayMs` from now; a deadline already reached runs it at once. */
  add(task: TimerTask): void {
    if (this.closed) return;
    const now = this.scheduler.now();
    this.expire(now);
    task.expirationMs = now + task.delayMs;
    this.place(task);
    this.arm();
  }

  private place(task: TimerTask): void {
    if (!this.wheel.add(task)) task.run();
  }

  /** Flushes every bucket whose tick has passed: its tasks move to finer buckets or run. */
  private expire(now: number): void {
    for (let b = this.heap.peek(); b && b.expirationMs <= now; b = this.heap.peek()) {
      this.heap.pop();
      this.wheel.advanceClock(b.expirationMs);
      b.flush((task) => this.place(task));
    }
    // Nothing pending is due: the wheels may catch up with the clock (no bucket can be skipped).
    this.wheel.advanceClock(now);
  }

  /** Keeps one host timer armed for the nearest bucket, none when no task waits. */
  private arm(): void {
    const next = this.counter.size > 0 ? (this.heap.peek()?.expirationMs ?? Infinity) : Infinity;
    if (next === this.armedAt) return;
    this.disarm?.();
    this.disarm = null;
    this.armedAt = next;
    if (next === Infinity || this.closed) return;
    this.disarm = this.scheduler.schedule(next - this.scheduler.now(), () => {
      this.disarm = null;
      this.armedAt = Infinity;
      this.expire(this.scheduler.now());
      this.arm();
    });
  }

  /** After a cancellation: with nothing left to wait for, the host timer goes too. */
  taskCancelled(): void {
    if (this.counter.size === 0) this.arm();
  }

  close(): void {
    this.closed = true;
    this.disarm?.();
    this.disarm = null;
    this.armedAt = Infinity;
  }
}
