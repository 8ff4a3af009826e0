// Kafka's per-log-dir offset checkpoint files (`log-start-offset-checkpoint`,
// `cleaner-offset-checkpoint`, `replication-offset-checkpoint`): a version line "0", a count line, then one "topic partition offset"
// line per partition. Rewritten whole and atomically; concurrent requests share one write.
import { readWholeFile, writeFileAtomic, type FileSystem } from './fs.js';
import { partitionDirName } from './partition-dir.js';

export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
/** Replicated logs' high watermarks (Kafka's, written every replica.high.watermark.checkpoint.interval.ms). */
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';

export interface CheckpointEntry {
  topic: string;
  partition: number;
  offset: number;
}

/** What a file log tells its engine when a checkpointed offset moved. */
export interface LogCheckpoints {
  logStartOffsetChanged(): Promise<void>;
  cleanerOffsetChanged(): Promise<void>;
}

export const NO_CHECKPOINTS: LogCheckpoints = {
  logStartOffsetChanged: async () => undefined,
  cleanerOffsetChanged: async () => undefined,
};

export function encodeCheckpoint(entries: CheckpointEntry[]): Buffer {
  const lines = ['0', String(entries.length), ...entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`)];
  return Buffer.from(lines.join('\n') + '\n');
}

/** Offsets by partition directory name; empty when the file is missing or malformed. */
export function decodeCheckpoint(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines[0]?.trim() !== '0' || Number(lines[1]) !== lines.length - 2) return out;
  for (const line of lines.slice(2)) {
    const parts = line.trim().split(/\s+/);
    const partition = Number(parts[1]);
    const offset = Number(parts[2]);
    if (parts.length !== 3 || !Number.isInteger(partition) || !Number.isInteger(offset)) return new Map();
    out.set(partitionDirName(parts[0], partition), offset);
  }
  return out;
}

export class OffsetCheckpointFile {
  private writing: Promise<void> | null = null;
  private again: Promise<void> | null = null;

  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    readonly name: string,
    /** The entries as of the moment a write starts. */
    private readonly entries: () => CheckpointEntry[],
  ) {}

  async read(): Promise<Map<string, number>> {
    const buf = await readWholeFile(this.fs, `${this.dir}/${this.name}`);
    return buf ? decodeCheckpoint(buf.toString('utf8')) : new Map();
  }

  /** Writes `entries` now, after any write in progress (at close, when the logs are gone). */
  async writeNow(entries: CheckpointEntry[]): Promise<void> {
    await this.writing?.catch(() => undefined);
    await this.again?.catch(() => undefined);
    await writeFileAtomic(this.fs, this.dir, this.name, encodeCheckpoint(entries));
  }

  /** Resolves once a write that started after this call has finished. */
  write(): Promise<void> {
    if (!this.writing) {
      this.writing = writeFileAtomic(this.fs, this.dir, this.name, encodeCheckpoint(this.entries())).finally(() => {
        this.writing = null;
      });
      return this.writing;
    }
    // One more write after the running one covers every caller that arrives meanwhile.
    this.again ??= this.writing
      .catch(() => undefined)
      .then(() => {
        this.again = null;
        return this.write();
      });
    return this.again;
  }
}
