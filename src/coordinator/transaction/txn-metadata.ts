// One transactional id's state as Kafka's TransactionMetadata keeps it, sans IO: a change is first
// *prepared* (a TxnTransit, the record to write; the metadata holds it as pendingState, which
// refuses other changes meanwhile), then *completed* once __transaction_state has it. Which
// previous states each state may follow and how epochs move are Kafka's (KIP-98, KIP-890 TV2).

/** TransactionStatus as stored in TransactionLogValue. */
export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TxnState = (typeof TxnState)[keyof typeof TxnState];

/** The state names Kafka reports (DescribeTransactions, ListTransactions, its filters). */
export const TXN_STATE_NAMES: readonly string[] = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'];

const VALID_PREVIOUS: Record<TxnState, readonly TxnState[]> = {
  [TxnState.Empty]: [TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.Ongoing]: [TxnState.Ongoing, TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.PrepareCommit]: [TxnState.Ongoing],
  // TV2: an abort with no transaction open (the client cannot know whether a produce added one).
  [TxnState.PrepareAbort]: [TxnState.Ongoing, TxnState.PrepareEpochFence, TxnState.Empty, TxnState.CompleteCommit, TxnState.CompleteAbort],
  [TxnState.CompleteCommit]: [TxnState.PrepareCommit],
  [TxnState.CompleteAbort]: [TxnState.PrepareAbort],
  [TxnState.Dead]: [TxnState.Empty, TxnState.CompleteAbort, TxnState.CompleteCommit],
  [TxnState.PrepareEpochFence]: [TxnState.Ongoing],
};

/** States whose transactional id may expire (transactional.id.expiration.ms). */
export function isExpirationAllowed(s: TxnState): boolean {
  return s === TxnState.Empty || s === TxnState.CompleteCommit || s === TxnState.CompleteAbort;
}

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
const MAX_EPOCH = 32767;

/** An epoch that cannot be bumped again (Short.MaxValue - 1 and up): the id is rotated instead. */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= MAX_EPOCH - 1;
}

/** TV2 (KIP-890): the producer epoch is bumped at every transaction end. */
export function supportsEpochBump(transactionVersion: number): boolean {
  return transactionVersion >= 2;
}

/** A partition of a transaction, as one string (topic names never hold ':'). */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function fromTpKey(key: string): { topic: string; partition: number } {
  const i = key.lastIndexOf(':');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}

/** A prepared state change: what is written to __transaction_state. */
export interface TxnTransit {
  producerId: number;
  prevProducerId: number;
  nextProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TxnState;
  partitions: ReadonlySet<string>;
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  clientTransactionVersion: number;
}

/** A transition the rules forbid: a coordinator bug, never a client's error. */
export class IllegalTxnTransition extends Error {
  override name = 'IllegalTxnTransition';
}

export interface TxnMetadataInit {
  producerId: number;
  previousProducerId?: number;
  nextProducerId?: number;
  producerEpoch: number;
  lastProducerEpoch?: number;
  txnTimeoutMs: number;
  state: TxnState;
  partitions?: Iterable<string>;
  txnStartTimestamp?: number;
  txnLastUpdateTimestamp: number;
  clientTransactionVersion?: number;
}

export class TransactionMetadata {
  producerId: number;
  previousProducerId: number;
  nextProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TxnState;
  readonly partitions: Set<string>;
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  clientTransactionVersion: number;
  /** The prepared change being written, if any (Kafka's pendingState). */
  pendingState: TxnState | null = null;
  /** A fence's epoch bump was not written: the next fence reuses the epoch instead of bumping again. */
  hasFailedEpochFence = false;

  constructor(
    readonly transactionalId: string,
    init: TxnMetadataInit,
  ) {
    this.producerId = init.producerId;
    this.previousProducerId = init.previousProducerId ?? NO_PRODUCER_ID;
    this.nextProducerId = init.nextProducerId ?? NO_PRODUCER_ID;
    this.producerEpoch = init.producerEpoch;
    this.lastProducerEpoch = init.lastProducerEpoch ?? NO_PRODUCER_EPOCH;
    this.txnTimeoutMs = init.txnTimeoutMs;
    this.state = init.state;
    this.partitions = new Set(init.partitions ?? []);
    this.txnStartTimestamp = init.txnStartTimestamp ?? -1;
    this.txnLastUpdateTimestamp = init.txnLastUpdateTimestamp;
    this.clientTransactionVersion = init.clientTransactionVersion ?? 0;
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  get hasPendingTransaction(): boolean {
    return this.state === TxnState.Ongoing || this.state === TxnState.PrepareAbort || this.state === TxnState.PrepareCommit;
  }

  /** Bumps the epoch so the producer's in-flight requests are fenced, before aborting its transaction. */
  prepareFenceProducerEpoch(): TxnTransit {
    if (this.producerEpoch === MAX_EPOCH) throw new IllegalTxnTransition('cannot fence a producer at epoch 32767');
    const bumped = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepare(TxnState.PrepareEpochFence, this.producerId, NO_PRODUCER_ID, bumped, NO_PRODUCER_EPOCH, this.txnTimeoutMs, this.partitions, this.txnStartTimestamp, this.txnLastUpdateTimestamp, 0);
  }

  /**
   * InitProducerId on an existing id: bump the epoch (Empty, no partitions). With the epoch the
   * producer had (v3+), a retry whose answer was lost gets the same epoch again; another is fenced.
   */
  prepareIncrementProducerEpoch(newTxnTimeoutMs: number, expectedEpoch: number | null, now: number): TxnTransit | { error: 'PRODUCER_FENCED' } {
    if (this.isProducerEpochExhausted) throw new IllegalTxnTransition(`no more epochs for producer id ${this.producerId}`);
    const bumped = this.producerEpoch + 1;
    let next: number;
    let last: number;
    if (expectedEpoch === null) {
      next = bumped;
      last = NO_PRODUCER_EPOCH;
    } else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) {
      next = bumped;
      last = this.producerEpoch;
    } else if (expectedEpoch === this.lastProducerEpoch) {
      next = this.producerEpoch;
      last = this.lastProducerEpoch;
    } else {
      return { error: 'PRODUCER_FENCED' };
    }
    return this.prepare(TxnState.Empty, this.producerId, NO_PRODUCER_ID, next, last, newTxnTimeoutMs, new Set(), -1, now, 0);
  }

  /** A new producer id at epoch 0 once the epochs of the current one are used up. */
  prepareProducerIdRotation(newProducerId: number, newTxnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransit {
    if (this.hasPendingTransaction) throw new IllegalTxnTransition('cannot rotate producer ids while a transaction is pending');
    return this.prepare(TxnState.Empty, newProducerId, NO_PRODUCER_ID, 0, recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH, newTxnTimeoutMs, new Set(), -1, now, 0);
  }

  prepareAddPartitions(added: Iterable<string>, now: number, clientTransactionVersion: number): TxnTransit {
    const fresh = this.state === TxnState.Empty || this.state === TxnState.CompleteAbort || this.state === TxnState.CompleteCommit;
    const partitions = new Set(this.partitions);
    for (const p of added) partitions.add(p);
    return this.prepare(TxnState.Ongoing, this.producerId, NO_PRODUCER_ID, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs, partitions, fresh ? now : this.txnStartTimestamp, now, clientTransactionVersion);
  }

  /**
   * EndTxn: PrepareCommit/PrepareAbort; TV2 bumps the epoch here (the markers carry the new one),
   * except an abort at epoch 32767. `noPartitionAdded`: a TV2 abort with no transaction open starts now.
   */
  prepareAbortOrCommit(newState: TxnState, clientTransactionVersion: number, nextProducerId: number, now: number, noPartitionAdded = false): TxnTransit {
    const bump = supportsEpochBump(clientTransactionVersion);
    const atMax = this.producerEpoch === MAX_EPOCH && newState === TxnState.PrepareAbort;
    const epoch = bump && !atMax ? this.producerEpoch + 1 : this.producerEpoch;
    const last = bump ? this.producerEpoch : this.lastProducerEpoch;
    return this.prepare(newState, this.producerId, nextProducerId, epoch, last, this.txnTimeoutMs, this.partitions, noPartitionAdded ? now : this.txnStartTimestamp, now, clientTransactionVersion);
  }

  /** After every marker is written: CompleteCommit/CompleteAbort (TV2: onto the next producer id when one was allocated). */
  prepareComplete(now: number): TxnTransit {
    const newState = this.state === TxnState.PrepareCommit ? TxnState.CompleteCommit : TxnState.CompleteAbort;
    this.hasFailedEpochFence = false;
    const rotate = supportsEpochBump(this.clientTransactionVersion) && this.nextProducerId !== NO_PRODUCER_ID;
    return this.prepare(newState, rotate ? this.nextProducerId : this.producerId, NO_PRODUCER_ID, rotate ? 0 : this.producerEpoch, this.producerEpoch, this.txnTimeoutMs, new Set(), this.txnStartTimestamp, now, this.clientTransactionVersion);
  }

  prepareDead(): TxnTransit {
    return this.prepare(TxnState.Dead, this.producerId, NO_PRODUCER_ID, this.producerEpoch, this.lastProducerEpoch, this.txnTimeoutMs, new Set(), this.txnStartTimestamp, this.txnLastUpdateTimestamp, 0);
  }

  /** A transaction's marker reached one of its partitions: it no longer waits for it. */
  removePartition(key: string): void {
    if (this.state !== TxnState.PrepareCommit && this.state !== TxnState.PrepareAbort) {
      throw new IllegalTxnTransition(`removing a partition whose marker was written in state ${TXN_STATE_NAMES[this.state]}`);
    }
    this.partitions.delete(key);
  }

  private prepare(
    state: TxnState,
    producerId: number,
    nextProducerId: number,
    producerEpoch: number,
    lastProducerEpoch: number,
    txnTimeoutMs: number,
    partitions: ReadonlySet<string>,
    txnStartTimestamp: number,
    txnLastUpdateTimestamp: number,
    clientTransactionVersion: number,
  ): TxnTransit {
    if (this.pendingState !== null) {
      throw new IllegalTxnTransition(`${this.transactionalId}: preparing ${TXN_STATE_NAMES[state]} while ${TXN_STATE_NAMES[this.pendingState]} is pending`);
    }
    if (producerId < 0) throw new IllegalTxnTransition(`illegal producer id ${producerId}`);
    if (state !== TxnState.Dead && producerEpoch < 0) throw new IllegalTxnTransition(`illegal producer epoch ${producerEpoch}`);
    if (!VALID_PREVIOUS[state].includes(this.state)) {
      throw new IllegalTxnTransition(`${this.transactionalId}: ${TXN_STATE_NAMES[state]} cannot follow ${TXN_STATE_NAMES[this.state]}`);
    }
    this.pendingState = state;
    return {
      producerId,
      prevProducerId: this.producerId,
      nextProducerId,
      producerEpoch,
      lastProducerEpoch,
      txnTimeoutMs,
      state,
      partitions: new Set(partitions),
      txnStartTimestamp,
      txnLastUpdateTimestamp,
      clientTransactionVersion,
    };
  }

  /** The prepared change is in the log: apply it (Kafka's completeTransitionTo, with its checks). */
  completeTransitionTo(t: TxnTransit): void {
    const to = this.pendingState;
    if (to === null || to !== t.state) this.fail(t);
    switch (t.state) {
      case TxnState.Empty:
        if ((this.producerEpoch !== t.producerEpoch && !this.validProducerEpochBump(t)) || t.partitions.size > 0 || t.txnStartTimestamp !== -1) this.fail(t);
        this.txnTimeoutMs = t.txnTimeoutMs;
        this.producerEpoch = t.producerEpoch;
        this.lastProducerEpoch = t.lastProducerEpoch;
        this.producerId = t.producerId;
        this.previousProducerId = t.prevProducerId;
        break;
      case TxnState.Ongoing:
        if (!this.validProducerEpoch(t) || ![...this.partitions].every((p) => t.partitions.has(p)) || this.txnTimeoutMs !== t.txnTimeoutMs) this.fail(t);
        this.txnStartTimestamp = t.txnStartTimestamp;
        for (const p of t.partitions) this.partitions.add(p);
        break;
      case TxnState.PrepareAbort:
      case TxnState.PrepareCommit: {
        const noTxnOpen = this.state === TxnState.Empty || this.state === TxnState.CompleteCommit || this.state === TxnState.CompleteAbort;
        const newStart = t.state === TxnState.PrepareAbort && supportsEpochBump(t.clientTransactionVersion) && noTxnOpen;
        if (!this.validProducerEpoch(t) || !sameSet(this.partitions, t.partitions) || this.txnTimeoutMs !== t.txnTimeoutMs || (!newStart && this.txnStartTimestamp !== t.txnStartTimestamp)) this.fail(t);
        this.txnStartTimestamp = t.txnStartTimestamp;
        if (supportsEpochBump(t.clientTransactionVersion)) {
          this.producerEpoch = t.producerEpoch;
          this.lastProducerEpoch = t.lastProducerEpoch;
          this.nextProducerId = t.nextProducerId;
        }
        break;
      }
      case TxnState.CompleteAbort:
      case TxnState.CompleteCommit:
        if (!this.validProducerEpoch(t) || this.txnTimeoutMs !== t.txnTimeoutMs || t.txnStartTimestamp === -1) this.fail(t);
        this.txnStartTimestamp = t.txnStartTimestamp;
        this.partitions.clear();
        if (supportsEpochBump(t.clientTransactionVersion)) {
          this.producerEpoch = t.producerEpoch;
          this.lastProducerEpoch = t.lastProducerEpoch;
          this.previousProducerId = t.prevProducerId;
          this.producerId = t.producerId;
          this.nextProducerId = t.nextProducerId;
        }
        break;
      case TxnState.PrepareEpochFence:
        this.fail(t);
        break;
      case TxnState.Dead:
        throw new IllegalTxnTransition(`${this.transactionalId}: an expired id is removed, never moved to Dead`);
    }
    this.clientTransactionVersion = t.clientTransactionVersion;
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp;
    this.pendingState = null;
    this.state = t.state;
  }

  private validProducerEpoch(t: TxnTransit): boolean {
    const tv2 = supportsEpochBump(t.clientTransactionVersion);
    const complete = t.state === TxnState.CompleteCommit || t.state === TxnState.CompleteAbort;
    const prepare = t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort;
    const overflowComplete = tv2 && complete && t.producerEpoch === 0;
    const epoch = overflowComplete || (tv2 && prepare) ? t.lastProducerEpoch : t.producerEpoch;
    const producerId = overflowComplete ? t.prevProducerId : t.producerId;
    return epoch === this.producerEpoch && producerId === this.producerId;
  }

  private validProducerEpochBump(t: TxnTransit): boolean {
    return t.producerEpoch === this.producerEpoch + 1 || (t.producerEpoch === 0 && t.producerId !== this.producerId);
  }

  private fail(t: TxnTransit): never {
    throw new IllegalTxnTransition(`${this.transactionalId}: transition to ${TXN_STATE_NAMES[t.state]} does not fit the metadata (state ${TXN_STATE_NAMES[this.state]}, epoch ${this.producerEpoch})`);
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
