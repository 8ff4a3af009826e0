// A partition log kept in memory: the same offsets, idempotence, reads and timestamp answers as
// the file log (the same shared code), with every batch held as a Buffer.
import type { LogConfig } from '../config.js';
import { planAppend } from './append-plan.js';
import { BatchList } from './batch-list.js';
import { ErrorCode } from '../protocol/errors.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { ProducerStateManager } from './producer-state.js';
import { firstRecordAtOrAfter, recordWithMaxTimestamp } from './timestamp-search.js';
import {
  KafkaError,
  type AppendOptions,
  type AppendResult,
  type OffsetAndTimestamp,
  type PartitionLog,
  type ReadResult,
} from './types.js';

export class MemoryLog implements PartitionLog {
  logEndOffset = 0;
  highWatermark = 0;
  readonly logStartOffset = 0;
  /** One chunk per batch. */
  private readonly batches = new BatchList();
  private readonly producers = new ProducerStateManager();
  private readonly epochs = new LeaderEpochCache();
  private readonly listeners = new Set<() => void>();
  private closed = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    public config: LogConfig,
  ) {
    this.epochs.assign(0, 0);
  }

  get leaderEpoch(): number {
    return Math.max(this.epochs.latestEpoch, 0);
  }

  async append(records: Buffer, opts: AppendOptions): Promise<AppendResult> {
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.topic}-${this.partition} is closed`);
    const plan = planAppend(records, this.logEndOffset, this.leaderEpoch, this.config, opts.now, this.producers);
    if (plan === null) return { baseOffset: -1, lastOffset: -1, logAppendTime: -1, logStartOffset: this.logStartOffset };
    if (!('batches' in plan)) {
      const logAppendTime = this.config.timestampType === 'LogAppendTime' ? plan.timestamp : -1;
      return { baseOffset: plan.firstOffset, lastOffset: plan.lastOffset, logAppendTime, logStartOffset: this.logStartOffset };
    }
    this.producers.commit(plan.producers);
    for (const b of plan.batches) {
      this.batches.push(b.baseOffset, b.lastOffset, records.subarray(b.position, b.position + b.size), b.maxTimestamp);
    }
    this.logEndOffset = this.highWatermark = plan.lastOffset + 1;
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // A listener's failure is its own; the append already succeeded.
      }
    }
    return { baseOffset: plan.baseOffset, lastOffset: plan.lastOffset, logAppendTime: plan.logAppendTime, logStartOffset: this.logStartOffset };
  }

  async read(fetchOffset: number, maxBytes: number, minOneBatch: boolean): Promise<ReadResult> {
    if (fetchOffset < this.logStartOffset || fetchOffset > this.logEndOffset) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Offset ${fetchOffset} is out of range for ${this.topic}-${this.partition}: [${this.logStartOffset}, ${this.logEndOffset}]`,
      );
    }
    const run = fetchOffset < this.highWatermark ? this.batches.read(fetchOffset, maxBytes, minOneBatch) : null;
    const hw = this.highWatermark;
    return {
      records: run?.records ?? [],
      bytes: run?.bytes ?? 0,
      highWatermark: hw,
      logStartOffset: this.logStartOffset,
      lastStableOffset: hw,
    };
  }

  async offsetForTimestamp(ts: number): Promise<OffsetAndTimestamp | null> {
    for (let i = this.batches.indexOfTimestamp(ts); i < this.batches.length; i++) {
      const found = firstRecordAtOrAfter(this.batches.at(i).buf, 0, ts, this.logStartOffset);
      if (found) return found;
    }
    return null;
  }

  async maxTimestamp(): Promise<OffsetAndTimestamp | null> {
    const n = this.batches.length;
    if (n === 0) return null;
    const max = this.batches.at(n - 1).maxTimestampSoFar;
    return recordWithMaxTimestamp(this.batches.at(this.batches.indexOfTimestamp(max)).buf, 0);
  }

  endOffsetForEpoch(epoch: number): { leaderEpoch: number; endOffset: number } | null {
    return this.epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}
