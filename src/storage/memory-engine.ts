// The memory storage engine: partition logs that live as long as the process.
import type { LogConfig } from '../config.js';
import { MemoryLog } from './memory-log.js';
import { LogRegistry } from './log-registry.js';
import type { PartitionLog, StorageEngine } from './types.js';

export class MemoryStorageEngine implements StorageEngine {
  private readonly logs = new LogRegistry<MemoryLog>();

  private readonly replicated: (topic: string, partition: number) => boolean;

  /** Logs whose high watermark the replica layer sets (PartitionLog.replicated): all, or those picked. */
  constructor(replicated: boolean | ((topic: string, partition: number) => boolean) = false) {
    this.replicated = typeof replicated === 'function' ? replicated : () => replicated;
  }

  async open(): Promise<void> {}

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(topic, partition);
  }

  async create(topic: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    let log = this.logs.get(topic, partition);
    if (log) log.config = config;
    else {
      log = new MemoryLog(topic, partition, config, this.replicated(topic, partition));
      this.logs.set(topic, partition, log);
    }
    return log;
  }

  async delete(topic: string, partition: number): Promise<void> {
    await this.logs.delete(topic, partition)?.close();
  }

  all(): Iterable<PartitionLog> {
    return this.logs.values();
  }

  async close(): Promise<void> {
    for (const log of this.logs.values()) await log.close();
    this.logs.clear();
  }
}
