// What the broker's log-dir APIs (DescribeLogDirs, AlterReplicaLogDirs) see of an engine with
// several log dirs (Kafka's log.dirs), and Kafka's rule for where a new partition goes.
import path from 'node:path';

/** One partition's log in a dir: the current replica, or the future one a move is copying into. */
export interface LogInDir {
  topic: string;
  partition: number;
  /** The partition's directory (`<dir>/<topic>-<partition>`, or the `-future` one). */
  path: string;
  isFuture: boolean;
  /** Kafka's offset lag: a future log's distance to the current log end; 0 for a current log. */
  offsetLag: number;
}

export interface LogDirDescription {
  /** Absolute, as Kafka reports it. */
  path: string;
  offline: boolean;
  logs: LogInDir[];
}

export interface LogDirsView {
  /** The log dirs in config order, each with the logs it holds. */
  describe(): LogDirDescription[];
  /** The configured dir at this absolute path, or null (Kafka's LOG_DIR_NOT_FOUND). */
  dirAt(absolutePath: string): { path: string; offline: boolean } | null;
  /** Whether any log dir is offline (Kafka creates no future log then). */
  readonly anyOffline: boolean;
  /** A partition this broker has no log for yet goes to `dir` once created (Kafka's preferred log dir). */
  preferDir(topic: string, partition: number, dir: string): void;
  /**
   * Kafka's alterReplicaLogDirs for a hosted log: a no-op when it already lives in `dir` (a move
   * elsewhere is abandoned), else a future log in `dir` is copied in the background and swapped
   * in once caught up. False when the partition has no log here.
   */
  moveLog(topic: string, partition: number, dir: string): boolean;
}

/** Kafka's LogManager.nextLogDirs: the online dir holding the fewest logs (current and future), ties by config order. */
export function nextLogDir<D>(dirs: readonly D[], online: (d: D) => boolean, logsIn: (d: D) => number): D {
  let best: D | null = null;
  let fewest = Infinity;
  for (const d of dirs) {
    if (!online(d)) continue;
    const n = logsIn(d);
    if (n < fewest) {
      best = d;
      fewest = n;
    }
  }
  // All offline: the first, whose creation fails and is retried when it recovers.
  return best ?? dirs[0];
}

/** Kafka's future log dir name: `<topic>-<partition>.<uuid without dashes>-future`. */
export const FUTURE_DIR_SUFFIX = '-future';

export function isFutureDirName(name: string): boolean {
  return /\.[0-9a-f]{32}-future$/.test(name);
}

/** The `<topic>-<partition>` a future (or delete) dir name was made from. */
export function baseOfSuffixedDir(name: string): string {
  return name.slice(0, name.lastIndexOf('.'));
}

/** Kafka refuses a move whose future dir name would be longer than a file name may be (KAFKA-4893). */
export function futureDirNameTooLong(topic: string, partition: number): boolean {
  return `${topic}-${partition}.${'0'.repeat(32)}${FUTURE_DIR_SUFFIX}`.length > 255;
}

export function absolute(dir: string): string {
  return path.resolve(dir);
}
