// The memory storage engine: partition logs that live as long as the process.
import type { LogConfig } from '../config.js';
import { MemoryLog } from './memory-log.js';
import { partitionDirName } from './partition-dir.js';
import type { PartitionLog, StorageEngine } from './types.js';

export class MemoryStorageEngine implements StorageEngine {
  private readonly logs = new Map<string, MemoryLog>();

  async open(): Promise<void> {}

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(partitionDirName(topic, partition));
  }

  async create(topic: string, partition: number, config: LogConfig): Promise<PartitionLog> {
    const key = partitionDirName(topic, partition);
    let log = this.logs.get(key);
    if (log) log.config = config;
    else {
      log = new MemoryLog(topic, partition, config);
      this.logs.set(key, log);
    }
    return log;
  }

  async delete(topic: string, partition: number): Promise<void> {
    const key = partitionDirName(topic, partition);
    await this.logs.get(key)?.close();
    this.logs.delete(key);
  }

  all(): Iterable<PartitionLog> {
    return this.logs.values();
  }

  async close(): Promise<void> {
    for (const log of this.logs.values()) await log.close();
    this.logs.clear();
  }
}
