// Kafka's delayed-operation purgatory: requests that cannot be answered yet (an acks=all produce
// waiting for the in-sync replicas, a fetch waiting for bytes) park here, watched under keys such
// as a partition. An event on a key (a follower's fetch moved the high watermark, an append) calls
// checkAndComplete(key), which tries the operations watching it; an operation not completed by
// its deadline expires through the hierarchical timing wheel. Nothing polls.
import { Timer, TimerTask, type TimerOptions } from './timing-wheel.js';

/**
 * One operation waiting for a condition or its deadline (Kafka's DelayedOperation). It completes
 * exactly once: through tryComplete() when the condition holds, or by expiring.
 */
export abstract class DelayedOperation extends TimerTask {
  private completed = false;
  /** Told once the operation completed (the purgatory stops watching it). */
  completionListener: (() => void) | null = null;

  /**
   * Checks the condition; when it holds, calls forceComplete() and returns true. Called when the
   * operation is first submitted and on each event on its keys.
   */
  abstract tryComplete(): boolean;
  /** Runs once, when the operation completes for whatever reason: typically sends the response. */
  protected abstract onComplete(): void;
  /** Runs after onComplete when the deadline passed first. */
  protected abstract onExpiration(): void;

  get isCompleted(): boolean {
    return this.completed;
  }

  /** Completes the operation unless already completed; true for the caller that completed it. */
  forceComplete(): boolean {
    if (this.completed) return false;
    this.completed = true;
    this.cancelTimer();
    this.completionListener?.();
    this.onComplete();
    return true;
  }

  /** The deadline passed. */
  run(): void {
    if (this.forceComplete()) this.onExpiration();
  }
}

export interface PurgatoryOptions extends TimerOptions {
  /** For log lines and metrics (Kafka's purgatory names: Produce, Fetch, ...). */
  name?: string;
}

export class DelayedOperationPurgatory<T extends DelayedOperation> {
  readonly name: string;
  private readonly watchers = new Map<string, Set<T>>();
  private readonly timer: Timer;

  constructor(options: PurgatoryOptions = {}) {
    this.name = options.name ?? 'purgatory';
    this.timer = new Timer(options);
  }

  /**
   * Completes `op` now if it can; otherwise watches it under every key and starts its timeout.
   * Returns whether it completed here.
   */
  tryCompleteElseWatch(op: T, keys: readonly string[]): boolean {
    if (op.isCompleted || op.tryComplete()) return true;
    for (const key of keys) {
      let set = this.watchers.get(key);
      if (!set) {
        set = new Set();
        this.watchers.set(key, set);
      }
      set.add(op);
    }
    op.completionListener = () => {
      for (const key of keys) this.unwatch(key, op);
      this.timer.taskCancelled();
    };
    this.timer.add(op);
    return false;
  }

  /** Something changed for `key`: tries every operation watching it; returns how many completed. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (!set) return 0;
    let completed = 0;
    // A snapshot: completing an operation takes it out of the set meanwhile.
    for (const op of [...set]) if (!op.isCompleted && op.tryComplete()) completed++;
    return completed;
  }

  private unwatch(key: string, op: T): void {
    const set = this.watchers.get(key);
    if (!set) return;
    set.delete(op);
    if (set.size === 0) this.watchers.delete(key);
  }

  /** Operations watching `key` (one operation counts once per key it watches). */
  watched(key?: string): number {
    if (key !== undefined) return this.watchers.get(key)?.size ?? 0;
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  /** Operations waiting for their deadline. */
  get delayed(): number {
    return this.timer.size;
  }

  /** Completes every operation watching `key` at once (a partition moved away); returns them. */
  completeAll(key: string): T[] {
    const ops = [...(this.watchers.get(key) ?? [])];
    for (const op of ops) op.forceComplete();
    return ops;
  }

  /** Stops the timer; operations still waiting are left uncompleted (the server is going away). */
  shutdown(): void {
    this.timer.close();
    this.watchers.clear();
  }
}
