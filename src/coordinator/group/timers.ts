// Keyed one-shot timers (Kafka's CoordinatorTimer): scheduling a key again replaces its timer.
// Timers are unref'd so an idle coordinator never keeps the process alive. Tests pass a scheduler
// of their own (test/helpers/manual-clock.ts) to move time by hand.
import { log } from '../../log.js';

/** Where timers come from: Node's by default, a manual clock in tests. */
export interface Scheduler {
  setTimeout(fn: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

const NODE_SCHEDULER: Scheduler = {
  setTimeout(fn, delayMs) {
    const t = setTimeout(fn, delayMs);
    t.unref();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

export class Timers {
  private readonly pending = new Map<string, unknown>();
  private closed = false;

  constructor(private readonly scheduler: Scheduler = NODE_SCHEDULER) {}

  schedule(key: string, delayMs: number, fn: () => void): void {
    if (this.closed) return;
    this.cancel(key);
    const t = this.scheduler.setTimeout(() => {
      this.pending.delete(key);
      try {
        fn();
      } catch (e) {
        log.error(`group coordinator timer ${key} failed: ${(e as Error)?.stack ?? e}`);
      }
    }, Math.max(0, delayMs));
    this.pending.set(key, t);
  }

  cancel(key: string): void {
    if (!this.pending.has(key)) return;
    this.scheduler.clearTimeout(this.pending.get(key));
    this.pending.delete(key);
  }

  has(key: string): boolean {
    return this.pending.has(key);
  }

  /** Cancels every timer and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const t of this.pending.values()) this.scheduler.clearTimeout(t);
    this.pending.clear();
  }
}
