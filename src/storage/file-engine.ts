// The file storage engine: one directory per partition under each log dir (Kafka's log.dirs; a
// lone node has one, the data dir), laid out as Kafka lays out a log dir, with a clean-shutdown
// marker per dir that lets the next start skip recovery. A new partition goes to the dir with the
// fewest logs (Kafka's nextLogDirs); the metadata log stays in the first. An I/O error in any log
// takes its dir offline until it takes writes again (log-dir.ts); the engine then recovers that
// dir's logs, and creates the logs whose creation failed meanwhile. AlterReplicaLogDirs moves a
// log to another dir through a future log copied beside it (log-dir-move.ts).
import { randomUUID } from 'node:crypto';
import { BrokerConfig, type LogConfig } from '../config.js';
import { CLEANER_OFFSET_CHECKPOINT, LOG_START_OFFSET_CHECKPOINT, REPLICATION_OFFSET_CHECKPOINT, OffsetCheckpointFile, type CheckpointEntry, type LogCheckpoints } from './checkpoints.js';
import type { FileLog } from './file-log.js';
import { nodeFileSystem, writeFileAtomic, type FileSystem } from './fs.js';
import { loadFileLog } from './log-loader.js';
import { LogDir, isDiskError, type LogDirState } from './log-dir.js';
import { FutureLogCopy } from './log-dir-move.js';
import { absolute, baseOfSuffixedDir, isFutureDirName, nextLogDir, type LogDirDescription, type LogDirsView } from './log-dirs.js';
import { LogRegistry } from './log-registry.js';
import { TailCacheBudget } from './tail-cache-budget.js';
import { parsePartitionDir, partitionDirName } from './partition-dir.js';
import { KafkaError, type PartitionLog, type ReadResult, type StorageEngine } from './types.js';
import { ErrorCode } from '../protocol/errors.js';
import { log as logger } from '../log.js';

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
  /** replica.alter.log.dirs.io.max.bytes.per.second now: how fast a log dir move may copy. */
  logDirMoveBytesPerSecond?: () => number;
}

/** The topic whose log stays in the first log dir (the metadata log dir), never placed or moved. */
const METADATA_TOPIC = '__cluster_metadata';

/** One log dir of the engine: its health, its offset checkpoint files and the logs whose creation failed in it. */
class EngineDir {
  readonly abs: string;
  readonly logDir: LogDir;
  readonly startOffsets: OffsetCheckpointFile;
  readonly cleanerOffsets: OffsetCheckpointFile;
  readonly highWatermarks: OffsetCheckpointFile;
  readonly failedCreates = new Map<string, { topic: string; partition: number; config: LogConfig }>();
  /** Logs of topics in the dir (the metadata log not counted), for placing new ones. */
  topicLogs = 0;

  constructor(
    readonly path: string,
    fs: FileSystem,
    /** The dir's logs now. */
    logs: () => FileLog[],
    recover: () => Promise<void>,
    retryMs: number | undefined,
  ) {
    this.abs = absolute(path);
    this.logDir = new LogDir(path, fs, recover, retryMs);
    this.startOffsets = new OffsetCheckpointFile(fs, path, LOG_START_OFFSET_CHECKPOINT, () => startOffsetEntries(logs()));
    this.cleanerOffsets = new OffsetCheckpointFile(fs, path, CLEANER_OFFSET_CHECKPOINT, () => cleanerOffsetEntries(logs()));
    this.highWatermarks = new OffsetCheckpointFile(fs, path, REPLICATION_OFFSET_CHECKPOINT, () => highWatermarkEntries(logs()));
  }
}

/**
 * What a log sees of its dir: the dir's health, or while a move swaps it for its future log,
 * an error that has clients retry (they find the moved log then).
 */
class LogHome implements LogDirState {
  held: KafkaError | null = null;
  constructor(readonly dir: EngineDir) {}
  get offline(): KafkaError | null {
    return this.held ?? this.dir.logDir.offline;
  }
  failed(e: unknown): void {
    this.dir.logDir.failed(e);
  }
}

export class FileStorageEngine implements StorageEngine, LogDirsView {
  private readonly fs: FileSystem;
  private readonly tailCacheBytes: number;
  private readonly tailBudget: TailCacheBudget;
  private readonly logs = new LogRegistry<FileLog>();
  private readonly creating = new Map<string, Promise<FileLog>>();
  private opened = false;
  /** Whether any log may be replicated (the checkpoint file is kept). */
  private readonly replicated: boolean;
  private readonly isReplicated: (topic: string, partition: number) => boolean;
  private readonly highWatermarkIntervalMs: number;
  private highWatermarkTimer: NodeJS.Timeout | null = null;
  /** The log dirs in config order; the first holds the metadata log. */
  private readonly dirs: EngineDir[];
  /** Where each log lives. */
  private readonly homes = new Map<FileLog, LogHome>();
  /** Moves under way, by partition dir name. */
  private readonly moves = new Map<string, FutureLogCopy<EngineDir>>();
  /** Dirs asked for partitions not created yet (Kafka's preferredLogDirs). */
  private readonly preferred = new Map<string, EngineDir>();
  private readonly moveBytesPerSecond: (() => number) | undefined;
  private readonly replacedListeners = new Set<(topic: string, partition: number, log: PartitionLog) => void>();
  private readonly placedListeners = new Set<(topic: string, partition: number) => void>();
  /** The first log dir (a lone node's data dir; a cluster node's metadata log dir). */
  readonly dataDir: string;

  constructor(
    /** The log dir, or Kafka's log.dirs in order (the first holds the metadata log). */
    dataDirs: string | readonly string[],
    /** Settings for logs found at open, until the broker sets each topic's own. */
    private readonly defaults: LogConfig = new BrokerConfig().logConfig(),
    options: FileStorageOptions = {},
  ) {
    const paths = typeof dataDirs === 'string' ? [dataDirs] : [...dataDirs];
    if (paths.length === 0) throw new Error('a file storage engine needs at least one log dir');
    this.dataDir = paths[0];
    this.fs = options.fs ?? nodeFileSystem;
    this.tailCacheBytes = options.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES;
    this.tailBudget = new TailCacheBudget(options.tailCacheTotalBytes ?? DEFAULT_TAIL_CACHE_TOTAL_BYTES);
    const r = options.replicated ?? false;
    this.replicated = r !== false;
    this.isReplicated = typeof r === 'function' ? r : () => r;
    this.highWatermarkIntervalMs = options.highWatermarkCheckpointIntervalMs ?? DEFAULT_HIGH_WATERMARK_CHECKPOINT_INTERVAL_MS;
    this.moveBytesPerSecond = options.logDirMoveBytesPerSecond;
    this.dirs = paths.map((p) => {
      const d: EngineDir = new EngineDir(p, this.fs, () => this.logsIn(d), () => this.recoverLogs(d), options.recoveryRetryMs);
      return d;
    });
  }

  /** The first log dir's health (a lone node's one data dir). */
  get logDir(): LogDir {
    return this.dirs[0].logDir;
  }

  /** Every log dir's health, in config order. */
  get logDirs(): readonly LogDir[] {
    return this.dirs.map((d) => d.logDir);
  }

  private setHome(log: FileLog, home: LogHome): void {
    this.homes.set(log, home);
    // The metadata log is no partition of a topic (Kafka's raft manager keeps it apart).
    if (log.topic !== METADATA_TOPIC) home.dir.topicLogs++;
  }

  private deleteHome(log: FileLog): void {
    const home = this.homes.get(log);
    if (!home) return;
    this.homes.delete(log);
    if (log.topic !== METADATA_TOPIC) home.dir.topicLogs--;
  }

  private logsIn(d: EngineDir): FileLog[] {
    const out: FileLog[] = [];
    for (const [log, home] of this.homes) if (home.dir === d) out.push(log);
    return out;
  }

  private checkpointsFor(d: EngineDir): LogCheckpoints {
    return {
      logStartOffsetChanged: () => d.startOffsets.write(),
      cleanerOffsetChanged: () => d.cleanerOffsets.write(),
    };
  }

  async open(): Promise<void> {
    const fs = this.fs;
    const found: { topic: string; partition: number; dir: string; home: EngineDir; clean: boolean }[] = [];
    const where = new Map<string, EngineDir>();
    const futures: { name: string; dir: string; home: EngineDir; clean: boolean }[] = [];
    const cleanDirs: EngineDir[] = [];
    for (const home of this.dirs) {
      await fs.mkdir(home.path);
      const clean = await fs.exists(`${home.path}/${CLEAN_SHUTDOWN_FILE}`);
      if (clean) cleanDirs.push(home);
      for (const name of await fs.readdir(home.path)) {
        const dir = `${home.path}/${name}`;
        if (!(await fs.isDirectory(dir))) continue;
        // Left by a delete (or a move's swap) that did not finish: finish it.
        if (name.endsWith('-delete')) {
          await fs.rmdir(dir);
          continue;
        }
        if (isFutureDirName(name)) {
          futures.push({ name, dir, home, clean });
          continue;
        }
        const parsed = parsePartitionDir(name);
        if (!parsed) continue;
        const other = where.get(name);
        if (other) {
          throw new Error(
            `Duplicate log directories for ${name} are found in both ${other.abs}/${name} and ${home.abs}/${name}. ` +
              'It is likely because log directory failure happened while broker was replacing current replica with future replica. ' +
              'Recover broker from this failure by manually deleting one of the two directories for this partition. It is recommended to delete the partition in the log directory that is known to have failed recently.',
          );
        }
        where.set(name, home);
        found.push({ ...parsed, dir, home, clean });
      }
    }
    // A future log whose current one is gone was complete: its swap was cut short after the
    // current log was renamed away. Otherwise its move was cut short: it starts again once the
    // logs are loaded (copied from the start again; Kafka resumes where it was).
    const resume: { topic: string; partition: number; to: EngineDir }[] = [];
    for (const f of futures) {
      const base = baseOfSuffixedDir(f.name);
      const parsed = parsePartitionDir(base);
      if (!parsed || where.has(base)) {
        await fs.rmdir(f.dir);
        if (parsed && where.get(base) !== f.home) resume.push({ ...parsed, to: f.home });
        continue;
      }
      const dir = `${f.home.path}/${base}`;
      await fs.rename(f.dir, dir);
      await fs.syncDir(f.home.path);
      where.set(base, f.home);
      found.push({ ...parsed, dir, home: f.home, clean: f.clean });
      logger.info(`${base}: finished moving the log to ${f.home.abs} (its swap was cut short)`);
    }
    const offsets = new Map<EngineDir, { start: Map<string, number>; cleaner: Map<string, number>; hw: Map<string, number> }>();
    for (const d of this.dirs) {
      offsets.set(d, {
        start: await d.startOffsets.read(),
        cleaner: await d.cleanerOffsets.read(),
        hw: this.replicated ? await d.highWatermarks.read() : new Map<string, number>(),
      });
    }
    let next = 0;
    const worker = async () => {
      while (next < found.length) {
        const { topic, partition, dir, home, clean } = found[next++];
        const key = partitionDirName(topic, partition);
        const o = offsets.get(home)!;
        const logHome = new LogHome(home);
        const log = await loadFileLog({
          fs,
          dir,
          topic,
          partition,
          config: this.defaults,
          clean,
          tailCacheBytes: this.tailCacheBytes,
          tailBudget: this.tailBudget,
          logStartOffset: o.start.get(key),
          firstDirtyOffset: o.cleaner.get(key),
          checkpoints: this.checkpointsFor(home),
          logDir: logHome,
          replicated: this.isReplicated(topic, partition),
          highWatermark: o.hw.get(key),
        });
        this.logs.set(topic, partition, log);
        this.setHome(log, logHome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, found.length) }, worker));
    for (const d of cleanDirs) {
      await fs.unlink(`${d.path}/${CLEAN_SHUTDOWN_FILE}`);
      await fs.syncDir(d.path);
    }
    this.opened = true;
    for (const m of resume) this.moveLog(m.topic, m.partition, m.to.abs);
    if (this.replicated) {
      // Kafka's high watermark checkpointer: a crash loses at most one interval of HW progress.
      this.highWatermarkTimer = setInterval(() => void this.checkpointHighWatermarks().catch(() => undefined), this.highWatermarkIntervalMs);
      this.highWatermarkTimer.unref();
    }
  }

  /** Writes every replicated log's high watermark to its dir's `replication-offset-checkpoint`. */
  async checkpointHighWatermarks(): Promise<void> {
    await Promise.all(this.dirs.map((d) => d.highWatermarks.write()));
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
    return this.createIn(this.placeNew(topic, partition), topic, partition, config);
  }

  /** Where a new log goes: the metadata log's dir, a dir asked for it, or the dir with the fewest logs. */
  private placeNew(topic: string, partition: number): EngineDir {
    if (this.dirs.length === 1 || topic === METADATA_TOPIC) return this.dirs[0];
    const asked = this.preferred.get(partitionDirName(topic, partition));
    if (asked && !asked.logDir.offline) return asked;
    const counts = new Map<EngineDir, number>(this.dirs.map((d) => [d, d.topicLogs]));
    for (const m of this.moves.values()) counts.set(m.to, counts.get(m.to)! + 1);
    return nextLogDir(this.dirs, (d) => !d.logDir.offline, (d) => counts.get(d)!);
  }

  private createIn(home: EngineDir, topic: string, partition: number, config: LogConfig): Promise<FileLog> {
    const key = partitionDirName(topic, partition);
    let pending = this.creating.get(key);
    if (!pending) {
      const logHome = new LogHome(home);
      pending = loadFileLog({
        fs: this.fs,
        dir: `${home.path}/${key}`,
        topic,
        partition,
        config,
        clean: true,
        tailCacheBytes: this.tailCacheBytes,
        tailBudget: this.tailBudget,
        checkpoints: this.checkpointsFor(home),
        logDir: logHome,
        replicated: this.isReplicated(topic, partition),
      })
        .then(
          (log) => {
            home.failedCreates.delete(key);
            this.preferred.delete(key);
            this.logs.set(topic, partition, log);
            this.setHome(log, logHome);
            this.tellPlaced(topic, partition);
            return log;
          },
          (e) => {
            if (isDiskError(e)) {
              // Its topic exists: the log must too, once the dir takes writes again.
              home.failedCreates.set(key, { topic, partition, config });
              home.logDir.failed(e);
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
    const key = partitionDirName(topic, partition);
    for (const d of this.dirs) d.failedCreates.delete(key);
    this.preferred.delete(key);
    await this.abortMove(key);
    const log = this.logs.delete(topic, partition);
    if (!log) return;
    const home = this.homes.get(log)!;
    this.deleteHome(log);
    await log.close();
    const doomed = `${home.dir.path}/${key}.${randomUUID().replace(/-/g, '')}-delete`;
    await this.fs.rename(log.dir, doomed);
    await this.fs.syncDir(home.dir.path);
    await this.fs.rmdir(doomed);
    // A topic created again under the same name must not inherit these offsets.
    await this.writeCheckpoints(home.dir);
  }

  private async writeCheckpoints(d: EngineDir): Promise<void> {
    await Promise.all([d.startOffsets.write(), d.cleanerOffsets.write(), ...(this.replicated ? [d.highWatermarks.write()] : [])]);
  }

  all(): Iterable<PartitionLog> {
    return this.logs.values();
  }

  /** Bytes all partitions' tail caches hold together (at most tailCacheTotalBytes). */
  get tailCacheHeld(): number {
    return this.tailBudget.bytes;
  }

  /** The dir takes writes again: each of its failed logs is cut back and serves again; missing logs are created. */
  private async recoverLogs(d: EngineDir): Promise<void> {
    for (const log of this.logsIn(d)) await log.recoverFromFailure();
    for (const { topic, partition, config } of [...d.failedCreates.values()]) await this.createIn(d, topic, partition, config);
  }

  // ---- Several log dirs (LogDirsView) ----

  describe(): LogDirDescription[] {
    return this.dirs.map((d) => {
      const logs = this.logsIn(d).map((l) => ({ topic: l.topic, partition: l.partition, path: l.dir, isFuture: false, offsetLag: 0 }));
      for (const m of this.moves.values()) {
        if (m.to === d && m.future) logs.push({ topic: m.current.topic, partition: m.current.partition, path: m.future.dir, isFuture: true, offsetLag: Math.max(0, m.current.logEndOffset - m.future.logEndOffset) });
      }
      return { path: d.abs, offline: d.logDir.offline !== null, logs };
    });
  }

  dirAt(absolutePath: string): { path: string; offline: boolean } | null {
    const d = this.dirs.find((x) => x.abs === absolutePath);
    return d ? { path: d.abs, offline: d.logDir.offline !== null } : null;
  }

  get anyOffline(): boolean {
    return this.dirs.some((d) => d.logDir.offline !== null);
  }

  preferDir(topic: string, partition: number, dir: string): void {
    const d = this.dirs.find((x) => x.abs === dir);
    if (d) this.preferred.set(partitionDirName(topic, partition), d);
  }

  moveLog(topic: string, partition: number, dir: string): boolean {
    const current = this.logs.get(topic, partition);
    const to = this.dirs.find((x) => x.abs === dir);
    if (!current || !to) return false;
    const key = partitionDirName(topic, partition);
    const running = this.moves.get(key);
    // Kafka's futureReplicaDirChanged: a move elsewhere stops; one to the same dir goes on.
    if (running?.to === to) return true;
    if (running) void this.abortMove(key);
    if (this.homes.get(current)?.dir === to || topic === METADATA_TOPIC) return true;
    const copy: FutureLogCopy<EngineDir> = new FutureLogCopy<EngineDir>({
      fs: this.fs,
      current,
      to,
      futureDir: `${to.path}/${key}.${randomUUID().replace(/-/g, '')}-future`,
      bytesPerSecond: this.moveBytesPerSecond,
      load: (dir) =>
        loadFileLog({
          fs: this.fs,
          dir,
          topic,
          partition,
          config: current.config,
          clean: true,
          tailCacheBytes: 0,
          logDir: to.logDir,
        }),
      swap: (catchUp) => this.swap(copy, catchUp),
    });
    this.moves.set(key, copy);
    copy.start().finally(() => {
      if (this.moves.get(key) === copy) this.moves.delete(key);
    });
    logger.info(`${key}: moving the log from ${this.homes.get(current)?.dir.abs} to ${to.abs}`);
    return true;
  }

  /** Told when a log is created in a dir or moved to another (the broker tells the controller which dir). */
  onLogPlaced(listener: (topic: string, partition: number) => void): () => void {
    this.placedListeners.add(listener);
    return () => this.placedListeners.delete(listener);
  }

  private tellPlaced(topic: string, partition: number): void {
    for (const l of this.placedListeners) {
      try {
        l(topic, partition);
      } catch (e) {
        logger.error(`${topic}-${partition}: a listener of the placed log failed: ${(e as Error)?.stack ?? e}`);
      }
    }
  }

  /** The absolute path of the log dir holding the partition's log, or null. */
  dirOf(topic: string, partition: number): string | null {
    const l = this.logs.get(topic, partition);
    return (l && this.homes.get(l)?.dir.abs) ?? null;
  }

  /** Told when a move replaced a partition's log with the one in its new dir (the replica layer rebinds). */
  onLogReplaced(listener: (topic: string, partition: number, log: PartitionLog) => void): () => void {
    this.replacedListeners.add(listener);
    return () => this.replacedListeners.delete(listener);
  }

  private async abortMove(key: string): Promise<void> {
    const m = this.moves.get(key);
    if (!m) return;
    this.moves.delete(key);
    await m.abort();
  }

  /**
   * The future log caught up: appends to the current log are held off (clients retry), the rest is
   * copied, both logs close, the current dir is renamed away and the future one takes its name;
   * the log loaded from there replaces the current one. A crash after the rename of the current
   * dir finds the future dir alone at the next start and finishes the swap (open()).
   */
  private async swap(copy: FutureLogCopy<EngineDir>, catchUp: (read: (offset: number) => Promise<ReadResult>) => Promise<void>): Promise<void> {
    const current = copy.current;
    const future = copy.future!;
    const home = this.homes.get(current)!;
    const key = partitionDirName(current.topic, current.partition);
    const held = new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `${key} is being moved to ${copy.to.abs}`);
    home.held = held;
    // The copy's own reads pass: the log checks its dir as a read starts, before any await.
    const read = (offset: number): Promise<ReadResult> => {
      home.held = null;
      try {
        return current.read(offset, 1024 * 1024, true, false, 'logEnd');
      } finally {
        home.held = held;
      }
    };
    let closed = false;
    let renamed = false;
    try {
      // Appends already taking their turn finish first; none start now.
      await current.flush();
      await catchUp(read);
      const state = { logStartOffset: current.logStartOffset, firstDirtyOffset: current.firstDirtyOffset, highWatermark: current.highWatermark, config: current.config };
      closed = true;
      await current.close();
      await copy.finish();
      const doomed = `${home.dir.path}/${key}.${randomUUID().replace(/-/g, '')}-delete`;
      await this.fs.rename(current.dir, doomed);
      renamed = true;
      await this.fs.syncDir(home.dir.path);
      const dir = `${copy.to.path}/${key}`;
      await this.fs.rename(future.dir, dir);
      await this.fs.syncDir(copy.to.path);
      const logHome = new LogHome(copy.to);
      const moved = await loadFileLog({
        fs: this.fs,
        dir,
        topic: current.topic,
        partition: current.partition,
        config: state.config,
        clean: true,
        tailCacheBytes: this.tailCacheBytes,
        tailBudget: this.tailBudget,
        logStartOffset: state.logStartOffset,
        firstDirtyOffset: state.firstDirtyOffset >= 0 ? state.firstDirtyOffset : undefined,
        checkpoints: this.checkpointsFor(copy.to),
        logDir: logHome,
        replicated: current.replicated,
        highWatermark: state.highWatermark,
      });
      this.replace(current, moved, logHome);
      logger.info(`${key}: moved the log to ${copy.to.abs} (log end ${moved.logEndOffset})`);
      await this.fs.rmdir(doomed).catch(() => undefined);
      await Promise.all([this.writeCheckpoints(home.dir), this.writeCheckpoints(copy.to)]);
    } catch (e) {
      home.held = null;
      // After the rename only a restart finishes the swap (open() finds the moved dir): no retry.
      if (renamed) {
        copy.cancel();
        logger.error(`${key}: the log was renamed away but its moved copy could not be opened; it serves again after a restart`);
      }
      // Before the current dir was renamed it is intact; once closed it is loaded again and the move is off.
      if (closed && !renamed) {
        copy.cancel();
        await this.reload(current, home.dir).catch((err) => logger.error(`${key}: reopening the log after a failed move failed: ${(err as Error)?.message ?? err}`));
      }
      throw e;
    }
  }

  /** The registry and the replica layer take `next` in place of `prev`. */
  private replace(prev: FileLog, next: FileLog, home: LogHome): void {
    this.deleteHome(prev);
    this.setHome(next, home);
    this.logs.set(prev.topic, prev.partition, next);
    for (const l of this.replacedListeners) {
      try {
        l(prev.topic, prev.partition, next);
      } catch (e) {
        logger.error(`${prev.topic}-${prev.partition}: a listener of the replaced log failed: ${(e as Error)?.stack ?? e}`);
      }
    }
    this.tellPlaced(prev.topic, prev.partition);
  }

  /** Loads a closed log again from its dir, in place of the closed one. */
  private async reload(closed: FileLog, dir: EngineDir): Promise<void> {
    const home = new LogHome(dir);
    const fresh = await loadFileLog({
      fs: this.fs,
      dir: closed.dir,
      topic: closed.topic,
      partition: closed.partition,
      config: closed.config,
      clean: false,
      tailCacheBytes: this.tailCacheBytes,
      tailBudget: this.tailBudget,
      logStartOffset: closed.logStartOffset,
      checkpoints: this.checkpointsFor(dir),
      logDir: home,
      replicated: closed.replicated,
      highWatermark: closed.highWatermark,
    });
    this.replace(closed, fresh, home);
  }

  async close(): Promise<void> {
    if (this.highWatermarkTimer) clearInterval(this.highWatermarkTimer);
    this.highWatermarkTimer = null;
    for (const key of [...this.moves.keys()]) await this.abortMove(key);
    for (const d of this.dirs) await d.logDir.close();
    await Promise.allSettled(this.creating.values());
    const homes = new Map(this.homes);
    this.logs.clear();
    this.homes.clear();
    for (const d of this.dirs) d.topicLogs = 0;
    await Promise.all(
      this.dirs.map(async (d) => {
        const logs = [...homes].filter(([, h]) => h.dir === d).map(([l]) => l);
        const results = await Promise.allSettled(logs.map((l) => l.close()));
        if (this.opened) {
          results.push(
            ...(await Promise.allSettled([
              d.startOffsets.writeNow(startOffsetEntries(logs)),
              d.cleanerOffsets.writeNow(cleanerOffsetEntries(logs)),
              ...(this.replicated ? [d.highWatermarks.writeNow(highWatermarkEntries(logs))] : []),
            ])),
          );
        }
        // Only a shutdown where every log of the dir closed cleanly may skip its recovery next time.
        if (this.opened && results.every((r) => r.status === 'fulfilled') && logs.every((l) => !l.failed) && !d.logDir.offline) {
          await writeFileAtomic(this.fs, d.path, CLEAN_SHUTDOWN_FILE, Buffer.from('{"version":0,"brokerEpoch":-1}'));
        }
      }),
    );
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
