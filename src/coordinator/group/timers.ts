// Keyed one-shot timers (Kafka's CoordinatorTimer): scheduling a key again replaces its timer.
// Timers are unref'd so an idle coordinator never keeps the process alive.
import { log } from '../../log.js';

export class Timers {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private closed = false;

  schedule(key: string, delayMs: number, fn: () => void): void {
    if (this.closed) return;
    this.cancel(key);
    const t = setTimeout(() => {
      this.pending.delete(key);
      try {
        fn();
      } catch (e) {
        log.error(`group coordinator timer ${key} failed: ${(e as Error)?.stack ?? e}`);
      }
    }, Math.max(0, delayMs));
    t.unref();
    this.pending.set(key, t);
  }

  cancel(key: string): void {
    const t = this.pending.get(key);
    if (t) {
      clearTimeout(t);
      this.pending.delete(key);
    }
  }

  has(key: string): boolean {
    return this.pending.has(key);
  }

  /** Cancels every timer and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}
