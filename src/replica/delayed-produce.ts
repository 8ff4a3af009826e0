// An acks=all produce to one partition waiting in the purgatory (Kafka's DelayedProduce): it
// completes once the leader's high watermark passed its last offset, with NOT_ENOUGH_REPLICAS_AFTER_APPEND
// when the ISR meanwhile shrank below min.insync.replicas, NOT_LEADER_OR_FOLLOWER when this
// broker stopped leading, or REQUEST_TIMED_OUT at the request's timeout.
import { ErrorCode } from '../protocol/errors.js';
import type { Partition } from './partition.js';
import { DelayedOperation } from './purgatory.js';

export class DelayedProduce extends DelayedOperation {
  private errorCode: number = ErrorCode.REQUEST_TIMED_OUT;

  constructor(
    timeoutMs: number,
    private readonly partition: Partition,
    private readonly leaderEpoch: number,
    /** The offset after the append: the high watermark must reach it. */
    private readonly requiredOffset: number,
    private readonly done: (errorCode: number) => void,
  ) {
    super(timeoutMs);
  }

  tryComplete(): boolean {
    const p = this.partition;
    if (!p.isLeader || p.leaderEpoch !== this.leaderEpoch) {
      this.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
      return this.forceComplete();
    }
    if (p.log.highWatermark < this.requiredOffset) return false;
    this.errorCode = p.isr.length < p.effectiveMinIsr() ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : ErrorCode.NONE;
    return this.forceComplete();
  }

  protected onComplete(): void {
    this.done(this.errorCode);
  }

  protected onExpiration(): void {}
}
