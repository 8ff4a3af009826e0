// The health of the log dir (samsa has one, the data dir), as Kafka's LogDirFailureChannel tracks
// it: the first I/O error of any log in it (a full disk: ENOSPC) takes the whole dir offline, and
// its partitions answer KAFKA_STORAGE_ERROR, as Kafka's offline partitions do. Kafka then halts a
// broker whose only log dir failed; samsa instead waits for the dir to take writes again (a probe
// file written and fsynced every retry interval), has the engine recover each log (failed writes'
// bytes cut off, the log end and indexes as they were before them) and brings the dir back.
import { log } from '../log.js';
import { ErrorCode } from '../protocol/errors.js';
import type { FileSystem } from './fs.js';
import { KafkaError } from './types.js';

/** What a log sees of its dir. */
export interface LogDirState {
  /** Set while the dir is offline: every log in it refuses appends and reads with this error. */
  readonly offline: KafkaError | null;
  /** A log in the dir failed with an I/O error. */
  failed(e: unknown): void;
}

/** For a log loaded outside an engine: a dir nobody watches, never offline. */
export const UNWATCHED_DIR: LogDirState = { offline: null, failed: () => undefined };

/** Written, fsynced and removed to learn whether the dir takes writes again. */
export const PROBE_FILE = '.samsa-write-probe';
const PROBE_BYTES = 64 * 1024;
export const DEFAULT_RECOVERY_RETRY_MS = 1000;

export class LogDir implements LogDirState {
  offline: KafkaError | null = null;
  /** Failures so far: a recovery that saw one happen meanwhile does not bring the dir back. */
  private failures = 0;
  private offlineSince = 0;
  private timer: NodeJS.Timeout | null = null;
  private attempt: Promise<void> | null = null;
  private lastAttemptError = '';
  private closed = false;

  constructor(
    readonly path: string,
    private readonly fs: FileSystem,
    /** Recovers every log of the dir; throws when one cannot be recovered yet. */
    private readonly recoverLogs: () => Promise<void>,
    private readonly retryMs = DEFAULT_RECOVERY_RETRY_MS,
  ) {}

  failed(e: unknown): void {
    this.failures++;
    if (this.closed) return;
    if (!this.offline) {
      const reason = describe(e);
      this.offline = new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${this.path} is offline after an I/O error: ${reason}`);
      this.offlineSince = Date.now();
      this.lastAttemptError = '';
      log.error(
        `log dir ${this.path} is offline after an I/O error (${reason}): its partitions answer KAFKA_STORAGE_ERROR ` +
          `until writes to it succeed again (checked every ${this.retryMs} ms), then samsa brings it back by itself (on a full disk: free some space)`,
      );
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.timer || this.attempt || !this.offline) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempt = this.tryRecover().finally(() => {
        this.attempt = null;
        this.schedule();
      });
    }, this.retryMs);
    this.timer.unref();
  }

  private async tryRecover(): Promise<void> {
    const seen = this.failures;
    try {
      await this.probe();
      await this.recoverLogs();
    } catch (e) {
      // Still failing: said once per distinct reason, not at every retry.
      const reason = describe(e);
      if (reason !== this.lastAttemptError) log.warn(`log dir ${this.path} is still offline: ${reason}`);
      this.lastAttemptError = reason;
      return;
    }
    if (this.closed || this.failures !== seen) return;
    this.offline = null;
    log.info(`log dir ${this.path} is back online after ${Date.now() - this.offlineSince} ms: writes succeed again, every log recovered`);
  }

  /** Whether the dir takes a write again: the free space or quota came back, the device works. */
  private async probe(): Promise<void> {
    const path = `${this.path}/${PROBE_FILE}`;
    const fh = await this.fs.open(path, 'rw');
    try {
      await fh.write([Buffer.alloc(PROBE_BYTES)], 0);
      await fh.sync();
    } finally {
      await fh.close().catch(() => undefined);
      await this.fs.unlink(path).catch(() => undefined);
    }
  }

  /** No more recovery attempts; resolves once the one in progress, if any, is over. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.attempt;
  }
}

/** Errors that say the dir itself is in trouble (full, over quota, failing, read-only), not the request. */
const DISK_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS']);

export function isDiskError(e: unknown): boolean {
  return DISK_ERRORS.has((e as NodeJS.ErrnoException)?.code ?? '');
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.message ?? String(e);
}
