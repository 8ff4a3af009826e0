// The file storage engine: one directory per partition under the data dir, laid out as Kafka
// lays out a log dir, and a clean-shutdown marker that lets the next start skip recovery. An I/O
// error in any log takes the whole dir offline until it takes writes again (log-dir.ts); the
// engine then recovers every log, and creates the logs whose creation failed meanwhile.
import { randomUUID } from 'node:crypto';
import { BrokerConfig, type LogConfig } from '../config.js';
import { CLEANER_OFFSET_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT, OffsetCheckpointFile, type CheckpointEntry, type LogCheckpoints } from './checkpoints.js';
import type { FileLog } from './file-log.js';
import { nodeFileSystem, writeFileAtomic, type FileSystem } from './fs.js';
import { loadFileLog } from './log-loader.js';
import { LogDir, isDiskError } from './log-dir.js';
import { LogRegistry } from './log-registry.js';
import { TailCacheBudget } from './tail-cache-budget.js';
import { parsePartitionDir, partitionDirName } from './partition-dir.js';
import type { PartitionLog, StorageEngine } from './types.js';

/** Kafka's marker, written last by a clean shutdown and removed at start. */
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
/** Per partition: the most recent appends kept in memory for consumers at the tail. */
export const DEFAULT_TAIL_CACHE_BYTES = 4 * 1024 * 1024;
/** All partitions' tail caches together; past it the broker's oldest cached chunks go first. */
export const DEFAULT_TAIL_CACHE_TOTAL_BYTES = 64 * 1024 * 1024;
/** Kafka's replica.high.watermark.checkpoint.interval.ms default. */
export const DEFAULT_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS = 5000;
/** Partitions loaded at once at start. */
const LOAD_CONCURRENCY = 8;

export interface FileStorageOptions {
  fs?: FileSystem;
  tailCacheBytes?: number;
  tailCacheTotalBytes?: number;
  /** How often an offline log dir is checked for taking writes again. */
  recoveryRetryMs?: number;
  /**
   * The replica layer sets every log's high watermark (a node of a cluster); they are kept in
   * `replication-offset-checkpoint`, written every highWatermarkCheckpointIntervalMs and at close.
   * Off (a lone node): the high watermark follows the log end. A predicate picks the replicated
   * logs (a cluster node before the replica layer: only the raft-driven metadata log).
   */
  replicated?: boolean | ((topic: string, partition: number) => boolean);
  highWatermarkCheckpointIntervalMs?: number;
}

export class FileStorageEngine implements StorageEngine {
  private readonly fs: FileSystem;
  private readonly tailCacheBytes: number;
  private readonly tailBudget: TailCacheBudget;
  private readonly logs = new LogRegistry<FileLog>();
  private readonly creating = new Map<string, Promise<FileLog>>();
  private opened = false;
  private readonly startOffsets: OffsetCheckpointFile;
  private readonly cleanerOffsets: OffsetCheckpointFile;
  private readonly highWatermarks: OffsetCheckpointFile;
  /** Whether any log may be replicated (the checkpoint file is kept). */
  private readonly replicated: boolean;
  private readonly isReplicated: (topic: string, partition: number) => boolean;
  private readonly highWatermarkIntervalMs: number;
  private highWatermarkTimer: NodeJS.Timeout | null = null;
  /** What every log tells the engine when an offset it checkpoints moved. */
  private readonly checkpoints: LogCheckpoints;
  /** The data dir's health: offline after an I/O error until it recovers. */
  readonly logDir: LogDir;
  /** Logs whose creation failed with an I/O error: created again when the dir recovers. */
  private readonly failedCreates = new Map<string, { topic: string; partition: number; config: LogConfig }>();

  constructor(
    readonly dataDir: string,
    /** Settings for logs found at open, until the broker sets each topic's own. */
    private readonly defaults: LogConfig = new BrokerConfig().logConfig(),
    options: FileStorageOptions = {},
  ) {
    this.fs = options.fs ?? nodeFileSystem;
    this.tailCacheBytes = options.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES;
    this.tailBudget = new TailCacheBudget(options.tailCacheTotalBytes ?? DEFAULT_TAIL_CACHE_TOTAL_BYTES);
    this.startOffsets = new OffsetCheckpointFile(this.fs, dataDir, LOG_START_OFFSET_CHECKPOINT, () => startOffsetEntries(this.logs.values()));
    this.cleanerOffsets = new OffsetCheckpointFile(this.fs, dataDir, CLEANER_OFFSET_CHECKPOINT, () => cleanerOffsetEntries(this.logs.values()));
    this.highWatermarks = new OffsetCheckpointFile(this.fs, dataDir, REPLICATION_OFFSET_CHECKPOINT, () => highWatermarkEntries(this.logs.values()));
    const r = options.replicated ?? false;
    this.replicated = r !== false;
    this.isReplicated = typeof r === 'function' ? r : () => r;
    this.highWatermarkIntervalMs = options.highWatermarkCheckpointIntervalMs ?? DEFAULT_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS;
    this.checkpoints = {
      logStartOffsetChanged: () => this.startOffsets.write(),
      cleanerOffsetChanged: () => this.cleanerOffsets.write(),
    };
    this.logDir = new LogDir(dataDir, this.fs, () => this.recoverLogs(), options.recoveryRetryMs);
  }

  async open(): Promise<void> {
    const { fs, dataDir } = this;
    await fs.mkdir(dataDir);
    const marker = `${dataDir}/${CLEAN_SHUTDOWN_FILE}`;
    const clean = await fs.exists(marker);
    const found: { topic: string; partition: number; dir: string }[] = [];
    for (const name of await fs.readdir(dataDir)) {
      const dir = `${dataDir}/${name}`;
      if (!(await fs.isDirectory(dir))) continue;
      // Left by a delete that did not finish: finish it.
      if (name.endsWith('-delete')) {
        await fs.rmdir(dir);
        continue;
      }
      const parsed = parsePartitionDir(name);
      if (parsed) found.push({ ...parsed, dir });
    }
    const startOffsets = await this.startOffsets.read();
    const cleanerOffsets = await this.cleanerOffsets.read();
    const highWatermarks = this.replicated ? await this.highWatermarks.read() : new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < found.length) {
        const { topic, partition, dir } = found[next++];
        const key = partitionDirName(topic, partition);
        const log = await loadFileLog({
          fs,
          dir,
          topic,
          partition,
          config: this.defaults,
          clean,
          tailCacheBytes: this.tailCacheBytes,
          tailBudget: this.tailBudget,
          logStartOffset: startOffsets.get(key),
          firstDirtyOffset: cleanerOffsets.get(key),
          checkpoints: this.checkpoints,
          logDir: this.logDir,
          replicated: this.isReplicated(topic, partition),
          highWatermark: highWatermarks.get(key),
        });
        this.logs.set(topic, partition, log);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, found.length) }, worker));
    if (clean) {
      await fs.unlink(marker);
      await fs.syncDir(dataDir);
    }
    this.opened = true;
    if (this.replicated) {
      // Kafka's high watermark checkpointer: a crash loses at most one interval of HW progress.
      this.highWatermarkTimer = setInterval(() => void this.checkpointHighWatermarks().catch(() => undefined), this.highWatermarkIntervalMs);
      this.highWatermarkTimer.unref();
    }
  }

  /** Writes every replicated log's high watermark to `replication-offset-checkpoint`. */
  checkpointHighWatermarks(): Promise<void> {
    return this.highWatermarks.write();
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topic, partition);
  }

  /** Creates the partition's log, or returns the existing one with `config` applied. */
  create(topic: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    const existing = this.logs.get(topic, partition);
    if (existing) {
      existing.config = config;
      return Promise.resolve(existing);
    }
    const key = partitionDirName(topic, partition);
    let pending = this.creating.get(key);
    if (!pending) {
      pending = loadFileLog({
        fs: this.fs,
        dir: `${this.dataDir}/${key}`,
        topic,
        partition,
        config,
        clean: true,
        tailCacheBytes: this.tailCacheBytes,
        tailBudget: this.tailBudget,
        checkpoints: this.checkpoints,
        logDir: this.logDir,
        replicated: this.isReplicated(topic, partition),
      })
        .then(
          (log) => {
            this.failedCreates.delete(key);
            this.logs.set(topic, partition, log);
            return log;
          },
          (e) => {
            if (isDiskError(e)) {
              // Its topic exists: the log must too, once the dir takes writes again.
              this.failedCreates.set(key, { topic, partition, config });
              this.logDir.failed(e);
            }
            throw e;
          },
        )
        .finally(() => this.creating.delete(key));
      this.creating.set(key, pending);
    }
    return pending;
  }

  /** Closes the log and removes its directory (renamed first, as Kafka does, so a crash cannot leave half a log). */
  async delete(topic: string, partition: number): Promise<void> {
    this.failedCreates.delete(partitionDirName(topic, partition));
    const log = this.logs.delete(topic, partition);
    if (!log) return;
    await log.close();
    const doomed = `${this.dataDir}/${partitionDirName(topic, partition)}.${randomUUID().replace(/-/g, '')}-delete`;
    await this.fs.rename(log.dir, doomed);
    await this.fs.syncDir(this.dataDir);
    await this.fs.rmdir(doomed);
    // A topic created again under the same name must not inherit these offsets.
    await Promise.all([this.startOffsets.write(), this.cleanerOffsets.write(), ...(this.replicated ? [this.highWatermarks.write()] : [])]);
  }

  all(): Iterable<PartitionLog> {
    return this.logs.values();
  }

  /** Bytes all partitions' tail caches hold together (at most tailCacheTotalBytes). */
  get tailCacheHeld(): number {
    return this.tailBudget.bytes;
  }

  /** The dir takes writes again: every failed log is cut back and serves again; missing logs are created. */
  private async recoverLogs(): Promise<void> {
    for (const log of [...this.logs.values()]) await log.recoverFromFailure();
    for (const { topic, partition, config } of [...this.failedCreates.values()]) await this.create(topic, partition, config);
  }

  async close(): Promise<void> {
    if (this.highWatermarkTimer) clearInterval(this.highWatermarkTimer);
    this.highWatermarkTimer = null;
    await this.logDir.close();
    await Promise.allSettled(this.creating.values());
    const logs = [...this.logs.values()];
    this.logs.clear();
    const results = await Promise.allSettled(logs.map((l) => l.close()));
    if (this.opened) {
      results.push(
        ...(await Promise.allSettled([
          this.startOffsets.writeNow(startOffsetEntries(logs)),
          this.cleanerOffsets.writeNow(cleanerOffsetEntries(logs)),
          ...(this.replicated ? [this.highWatermarks.writeNow(highWatermarkEntries(logs))] : []),
        ])),
      );
    }
    // Only a shutdown where every log closed cleanly may skip recovery next time.
    if (this.opened && results.every((r) => r.status === 'fulfilled') && logs.every((l) => !l.failed) && !this.logDir.offline) {
      await writeFileAtomic(this.fs, this.dataDir, CLEAN_SHUTDOWN_FILE, Buffer.from('{"version":0,"brokerEpoch":-1}'));
    }
  }
}

function startOffsetEntries(logs: Iterable<FileLog>): CheckpointEntry[] {
  return [...logs].map((l) => ({ topic: l.topic, partition: l.partition, offset: l.logStartOffset }));
}

function cleanerOffsetEntries(logs: Iterable<FileLog>): CheckpointEntry[] {
  return [...logs].filter((l) => l.firstDirtyOffset >= 0).map((l) => ({ topic: l.topic, partition: l.partition, offset: l.firstDirtyOffset }));
}

function highWatermarkEntries(logs: Iterable<FileLog>): CheckpointEntry[] {
  return [...logs].filter((l) => l.replicated).map((l) => ({ topic: l.topic, partition: l.partition, offset: l.highWatermark }));
}
