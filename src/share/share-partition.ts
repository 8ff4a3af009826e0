// One share-partition (KIP-932, Kafka's SharePartition): the in-flight records of (group, topic id,
// partition) between the share-partition start offset (SPSO) and end, each AVAILABLE, ACQUIRED by
// one member under a time-limited acquisition lock, ACKNOWLEDGED or ARCHIVED, with its delivery
// count. State is kept per in-flight batch and split per offset only when a request cuts a batch.
// Sans-IO: time and timers are injected, the log is read by the caller, and every change Kafka
// persists goes to the share coordinator through the Persister before it takes effect.
import { ErrorCode } from '../protocol/errors.js';
import type { Scheduler } from '../coordinator/group/timers.js';
import type { Persister, PersisterStateBatch, ShareStateKey } from './persister.js';
import { AcknowledgeType, RecordState, ShareAcquireMode, ShareError, persisterError, type AcknowledgementBatch, type AcquiredRecords, type FetchedBatch, type RecordStateId, type ShareSettings } from './types.js';

export * from './types.js';

export type SharePartitionStatus = 'EMPTY' | 'INITIALIZING' | 'ACTIVE' | 'FAILED' | 'FENCED';

/** An acquisition lock: one timer over [first, last] for the states it was given to. */
interface LockTimer {
  handle: unknown;
  memberId: string;
  first: number;
  last: number;
}

/** Where a state was before a change waiting for its write (restored if the write fails). */
interface Pending {
  state: RecordStateId;
  deliveryCount: number;
  memberId: string;
  timer: LockTimer | undefined;
}

interface InFlightState {
  state: RecordStateId;
  deliveryCount: number;
  memberId: string;
  timer: LockTimer | undefined;
  /** Set while a change of this state is being persisted: nobody else may touch it. */
  pending: Pending | undefined;
}

interface InFlightBatch {
  first: number;
  last: number;
  /** The whole batch's state, until a request cuts the batch... */
  batch: InFlightState | undefined;
  /** ...then one state per offset (index = offset - first). */
  offsets: InFlightState[] | undefined;
}

export interface SharePartitionOptions {
  key: ShareStateKey;
  leaderEpoch: number;
  persister: Persister;
  settings: () => ShareSettings;
  now: () => number;
  scheduler: Scheduler;
  /** Called (synchronously) when records may have become acquirable: a release, a lock timeout, the start offset moving. */
  onAcquirable?: () => void;
  /** Logs a failure nobody waits for (a lock timeout's write). */
  logError?: (message: string) => void;
}

const EMPTY_MEMBER = '';

function isTerminal(s: RecordStateId): boolean {
  return s === RecordState.ACKNOWLEDGED || s === RecordState.ARCHIVED;
}

function newState(state: RecordStateId, deliveryCount: number, memberId: string, timer?: LockTimer): InFlightState {
  return { state, deliveryCount, memberId, timer, pending: undefined };
}

export class SharePartition {
  readonly key: ShareStateKey;
  readonly leaderEpoch: number;
  private readonly opts: SharePartitionOptions;
  /** In-flight batches by first offset, ascending, not overlapping. */
  private cache: InFlightBatch[] = [];
  private _status: SharePartitionStatus = 'EMPTY';
  private initializing: Promise<void> | undefined;
  private _startOffset = 0;
  /** One past the last offset ever acquired into the cache (Kafka's end offset + 1). */
  private cacheEnd = 0;
  private stateEpoch = 0;

  constructor(opts: SharePartitionOptions) {
    this.opts = opts;
    this.key = opts.key;
    this.leaderEpoch = opts.leaderEpoch;
  }

  get status(): SharePartitionStatus {
    return this._status;
  }

  /** The share-partition start offset (SPSO). */
  get startOffset(): number {
    return this._startOffset;
  }

  /** The share-partition end offset (SPEO): the last offset in flight, the start offset when none is. */
  get endOffset(): number {
    return this.cache.length === 0 ? this._startOffset : this.cacheEnd - 1;
  }

  /** Records at or after the start offset whose delivery is complete (acknowledged or archived). */
  get deliveryCompleteCount(): number {
    return this.completeFrom(this._startOffset);
  }

  /** Records at or after `start` in a terminal state (what the share coordinator's lag subtracts). */
  private completeFrom(start: number): number {
    let n = 0;
    for (const b of this.cache) {
      if (b.last < start) continue;
      if (b.batch) {
        if (isTerminal(b.batch.state)) n += b.last - Math.max(b.first, start) + 1;
      } else {
        for (let i = Math.max(0, start - b.first); i < b.offsets!.length; i++) if (isTerminal(b.offsets![i].state)) n++;
      }
    }
    return n;
  }

  /**
   * Reads the persisted state once (Kafka's maybeInitialize). A start offset of -1 (never
   * delivered) is found by `resetOffset` from share.auto.offset.reset. Throws a ShareError.
   */
  initialize(resetOffset: (strategy: string) => Promise<number>): Promise<void> {
    if (this._status === 'ACTIVE') return Promise.resolve();
    if (this._status === 'FAILED') return Promise.reject(new ShareError(ErrorCode.UNKNOWN_SERVER_ERROR, `Share partition failed to load ${this.describe()}`));
    if (this._status === 'FENCED') return Promise.reject(new ShareError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Share partition is fenced ${this.describe()}`));
    this.initializing ??= this.load(resetOffset);
    return this.initializing;
  }

  private async load(resetOffset: (strategy: string) => Promise<number>): Promise<void> {
    this._status = 'INITIALIZING';
    try {
      const r = await this.opts.persister.readState(this.key, this.leaderEpoch);
      if (r.errorCode !== ErrorCode.NONE) throw persisterError(r.errorCode, r.errorMessage ?? `Failed to initialize the share partition ${this.describe()}`);
      const start = r.startOffset >= 0 ? r.startOffset : await resetOffset(this.opts.settings().autoOffsetReset);
      this.stateEpoch = r.stateEpoch;
      this._startOffset = start;
      this.cacheEnd = start;
      const batches = [...r.stateBatches].sort((a, b) => a.firstOffset - b.firstOffset);
      for (const s of batches) {
        if (s.lastOffset < s.firstOffset) throw new ShareError(ErrorCode.UNKNOWN_SERVER_ERROR, `Failed to initialize the share partition ${this.describe()}`);
        if (s.lastOffset < start) continue;
        const first = Math.max(s.firstOffset, start, this.cacheEnd);
        if (first > s.lastOffset) continue;
        // Offsets between persisted batches were never delivered to completion: available again.
        if (first > this.cacheEnd) this.cache.push({ first: this.cacheEnd, last: first - 1, batch: newState(RecordState.AVAILABLE, 0, EMPTY_MEMBER), offsets: undefined });
        const state = s.deliveryState === RecordState.ACQUIRED ? RecordState.AVAILABLE : (s.deliveryState as RecordStateId);
        this.cache.push({ first, last: s.lastOffset, batch: newState(state, s.deliveryCount, EMPTY_MEMBER), offsets: undefined });
        this.cacheEnd = s.lastOffset + 1;
      }
      this.advanceStartOffset();
      this._status = 'ACTIVE';
    } catch (e) {
      this._status = 'FAILED';
      throw e instanceof ShareError ? e : new ShareError(ErrorCode.UNKNOWN_SERVER_ERROR, `Failed to initialize the share partition ${this.describe()}: ${(e as Error)?.message ?? e}`);
    }
  }

  /** Marks the partition unusable (leadership lost, topic deleted); its locks are dropped. */
  fence(): void {
    this._status = 'FENCED';
    this.close();
  }

  /** Cancels every acquisition lock timer. */
  close(): void {
    for (const b of this.cache) for (const s of this.states(b)) this.clearTimer(s);
  }

  /** The first offset to read from: the first available one in flight, else the end of the cache. */
  nextFetchOffset(): number {
    for (const b of this.cache) {
      if (b.last < this._startOffset) continue;
      if (b.batch) {
        if (b.batch.state === RecordState.AVAILABLE && !b.batch.pending) return Math.max(b.first, this._startOffset);
        continue;
      }
      for (let i = Math.max(0, this._startOffset - b.first); i < b.offsets!.length; i++) {
        const s = b.offsets![i];
        if (s.state === RecordState.AVAILABLE && !s.pending) return b.first + i;
      }
    }
    return this.cacheEnd;
  }

  /** Records may be acquired: some in flight are available, or fewer than the max record locks are in flight. */
  canAcquireRecords(): boolean {
    if (this._status !== 'ACTIVE') return false;
    if (this.nextFetchOffset() < this.cacheEnd) return true;
    return this.inFlightCount() < this.opts.settings().maxRecordLocks;
  }

  private inFlightCount(): number {
    return this.cache.length === 0 ? 0 : this.cacheEnd - this._startOffset;
  }

  /**
   * The log start offset moved past the share-partition start offset (retention, DeleteRecords):
   * records below it that were available are archived and the start offset follows it.
   */
  updateLogStartOffset(logStartOffset: number): void {
    if (logStartOffset <= this._startOffset) return;
    for (const b of this.cache) {
      if (b.first >= logStartOffset) break;
      if (b.batch && b.last < logStartOffset) {
        if (b.batch.state === RecordState.AVAILABLE && !b.batch.pending) b.batch.state = RecordState.ARCHIVED;
        continue;
      }
      if (b.batch && b.batch.state !== RecordState.AVAILABLE) continue;
      this.split(b);
      for (let o = b.first; o < logStartOffset && o <= b.last; o++) {
        const s = b.offsets![o - b.first];
        if (s.state === RecordState.AVAILABLE && !s.pending) s.state = RecordState.ARCHIVED;
      }
    }
    this._startOffset = logStartOffset;
    if (this.cacheEnd < logStartOffset) this.cacheEnd = logStartOffset;
    this.advanceStartOffset();
  }

  /**
   * Acquires for `memberId` what a read from `fetchOffset` returned (`batches`, in offset order):
   * available in-flight records first, then records never delivered, at most about `maxRecords`
   * (batch-optimized mode rounds up to the end of a log batch and cuts new records into in-flight
   * batches of about `batchSize`; record-limit mode takes exactly `maxRecords`). New records stop at
   * the max record locks. Records redelivered often go out in shrinking numbers, on their last attempt alone.
   */
  acquire(memberId: string, mode: number, batchSize: number, maxRecords: number, fetchOffset: number, batches: readonly FetchedBatch[]): { acquired: AcquiredRecords[]; count: number } {
    const acquired: AcquiredRecords[] = [];
    if (this._status !== 'ACTIVE' || maxRecords <= 0 || batches.length === 0) return { acquired, count: 0 };
    const settings = this.opts.settings();
    const recordLimit = mode === ShareAcquireMode.RECORD_LIMIT;
    const first = Math.max(batches[0].baseOffset, fetchOffset, this._startOffset);
    const last = batches[batches.length - 1].lastOffset;
    if (first > last) return { acquired, count: 0 };
    let count = 0;
    // Kafka throttles redelivery of records delivered at least max(2, ceil(limit / 2)) times: one at a time.
    const throttleFrom = Math.max(2, Math.ceil(settings.deliveryCountLimit / 2));
    const lock = (from: number, to: number) => this.newTimer(memberId, from, to, settings.recordLockDurationMs);

    // Records in flight that are available again (Kafka 4.4's acquire over the cached batches).
    const cut: [InFlightBatch, number, number][] = [];
    let stop = false;
    for (let i = Math.max(0, this.floorIndex(first)); i < this.cache.length && count < maxRecords; i++) {
      const b = this.cache[i];
      if (b.last < first) continue;
      if (b.first > last) break;
      const size = b.last - b.first + 1;
      const remaining = maxRecords - count;
      const throttle = this.shouldThrottle(b, first, last, throttleFrom);
      // A batch redelivered often is delivered only when nothing else was acquired, and alone.
      if (throttle && count > 0) {
        stop = true;
        break;
      }
      const s = b.batch;
      if (!s || b.first < first || b.last > last || (recordLimit && size > remaining) || throttle) {
        if (s && (s.state !== RecordState.AVAILABLE || s.pending)) continue;
        this.split(b);
        const n = this.acquireOffsets(b, memberId, first, last, recordLimit ? remaining : -1, throttleFrom, settings.deliveryCountLimit, acquired, cut);
        count += n;
        if (throttle && n > 0) {
          stop = true;
          break;
        }
        continue;
      }
      if (s.state !== RecordState.AVAILABLE || s.pending) continue;
      s.state = RecordState.ACQUIRED;
      s.deliveryCount++;
      s.memberId = memberId;
      this.clearTimer(s);
      s.timer = lock(b.first, b.last);
      acquired.push({ firstOffset: b.first, lastOffset: b.last, deliveryCount: s.deliveryCount });
      count += size;
    }
    // One lock per acquired range of a cut batch, as the response names them.
    for (const [b, from, to] of cut) {
      const t = lock(from, to);
      for (let o = from; o <= to; o++) b.offsets![o - b.first].timer = t;
    }

    // Records never delivered, past the cache.
    const newFirst = Math.max(first, this.cacheEnd);
    if (count < maxRecords && !stop && newFirst <= last) {
      const room = settings.maxRecordLocks - this.inFlightCount();
      const want = Math.min(maxRecords - count, room > 0 ? room : 0);
      if (want > 0) {
        let newLast = newFirst + want - 1;
        if (newLast >= last) newLast = last;
        else if (!recordLimit) newLast = Math.min(last, endOfBatch(batches, newLast));
        if (this.cache.length === 0) this._startOffset = newFirst;
        else if (newFirst > this.cacheEnd) this.cache.push({ first: this.cacheEnd, last: newFirst - 1, batch: newState(RecordState.ARCHIVED, 0, EMPTY_MEMBER), offsets: undefined });
        for (const [from, to] of cutNew(batches, newFirst, newLast, recordLimit ? newLast - newFirst + 1 : Math.max(1, batchSize))) {
          this.cache.push({ first: from, last: to, batch: newState(RecordState.ACQUIRED, 1, memberId, lock(from, to)), offsets: undefined });
          acquired.push({ firstOffset: from, lastOffset: to, deliveryCount: 1 });
          count += to - from + 1;
        }
        this.cacheEnd = newLast + 1;
      }
    }
    return { acquired, count };
  }

  /** Kafka's shouldThrottleRecordsDelivery: the batch (or its offsets in range) was delivered at least `throttleFrom` times. */
  private shouldThrottle(b: InFlightBatch, first: number, last: number, throttleFrom: number): boolean {
    if (b.batch) return b.batch.state === RecordState.AVAILABLE && !b.batch.pending && b.batch.deliveryCount >= throttleFrom;
    let max = 0;
    for (let o = Math.max(b.first, first); o <= Math.min(b.last, last); o++) max = Math.max(max, b.offsets![o - b.first].deliveryCount);
    return max >= throttleFrom;
  }

  /**
   * Kafka 4.4's acquireSubsetBatchRecords: the available offsets of a cut batch in [first, last].
   * A record on its last delivery attempt goes out alone (it ends this batch's acquisition, or
   * starts it and ends it); throttled records (delivered `throttleFrom` times or more) go out at
   * most batch size >> (deliveries - throttleFrom + 1) at a time; record-limit mode stops at
   * `limit` (-1: no limit, batch-optimized mode takes the whole batch).
   */
  private acquireOffsets(b: InFlightBatch, memberId: string, first: number, last: number, limit: number, throttleFrom: number, maxDeliveries: number, acquired: AcquiredRecords[], cut: [InFlightBatch, number, number][]): number {
    let n = 0;
    let throttledMax = -1;
    const to = Math.min(b.last, last);
    for (let o = Math.max(b.first, first); o <= to; o++) {
      const st = b.offsets![o - b.first];
      if (st.state !== RecordState.AVAILABLE || st.pending) continue;
      const dc = st.deliveryCount;
      if (maxDeliveries > 2 && dc === maxDeliveries - 1 && n > 0) break;
      if (dc >= throttleFrom && throttledMax < 0) throttledMax = Math.max(1, b.offsets!.length >> (dc - throttleFrom + 1));
      st.state = RecordState.ACQUIRED;
      st.deliveryCount++;
      st.memberId = memberId;
      this.clearTimer(st);
      const prev = acquired[acquired.length - 1];
      const run = cut[cut.length - 1];
      if (prev && run && run[0] === b && run[2] === o - 1 && prev.lastOffset === o - 1 && prev.deliveryCount === st.deliveryCount) {
        prev.lastOffset = o;
        run[2] = o;
      } else {
        acquired.push({ firstOffset: o, lastOffset: o, deliveryCount: st.deliveryCount });
        cut.push([b, o, o]);
      }
      n++;
      if (maxDeliveries > 2 && st.deliveryCount === maxDeliveries) break;
      if (limit >= 0 && n === limit) break;
      if (throttledMax > 0 && n === throttledMax) break;
    }
    return n;
  }

  /**
   * Archives what `memberId` just acquired in `ranges` (read_committed: batches of aborted
   * transactions and their markers, never delivered) and returns `acquired` without them. The
   * archiving is persisted in the background, as a lock timeout's release is.
   */
  archiveAcquired(memberId: string, ranges: readonly [number, number][], acquired: readonly AcquiredRecords[]): AcquiredRecords[] {
    if (ranges.length === 0) return [...acquired];
    const changed: [InFlightState, number, number][] = [];
    for (const [first, last] of ranges) {
      for (let i = Math.max(0, this.floorIndex(first)); i < this.cache.length && this.cache[i].first <= last; i++) {
        const b = this.cache[i];
        if (b.last < first) continue;
        if (b.batch && (b.first < first || b.last > last)) this.split(b);
        for (const [st, from, to] of this.statesWithRange(b)) {
          if (to < first || from > last || st.state !== RecordState.ACQUIRED || st.pending || st.memberId !== memberId) continue;
          this.begin(st, changed, from, to);
          st.state = RecordState.ARCHIVED;
          st.memberId = EMPTY_MEMBER;
        }
      }
    }
    if (changed.length > 0) {
      this.persistChanges(changed, true).catch((e: unknown) => this.opts.logError?.(`Failed to write the share group state for share partition ${this.describe()}: ${(e as Error)?.message ?? e}`));
    }
    const out: AcquiredRecords[] = [];
    for (const a of acquired) {
      let from = a.firstOffset;
      for (const [first, last] of [...ranges].sort((x, y) => x[0] - y[0])) {
        if (last < from || first > a.lastOffset) continue;
        if (first > from) out.push({ firstOffset: from, lastOffset: first - 1, deliveryCount: a.deliveryCount });
        from = last + 1;
      }
      if (from <= a.lastOffset) out.push({ firstOffset: from, lastOffset: a.lastOffset, deliveryCount: a.deliveryCount });
    }
    return out;
  }

  /**
   * Applies a member's acknowledgements (ACCEPT, RELEASE, REJECT, GAP, RENEW) all or nothing, and
   * persists them before they take effect. Throws a ShareError (INVALID_RECORD_STATE,
   * INVALID_REQUEST, or the persister's) with nothing changed.
   */
  async acknowledge(memberId: string, ackBatches: readonly AcknowledgementBatch[]): Promise<void> {
    if (this._status !== 'ACTIVE') throw new ShareError(ErrorCode.UNKNOWN_SERVER_ERROR, `Share partition is not active ${this.describe()}`);
    const settings = this.opts.settings();
    const changed: [InFlightState, number, number][] = [];
    const renewed: [InFlightState, number, number][] = [];
    try {
      for (const ack of ackBatches) {
        for (const t of ack.acknowledgeTypes) {
          if (t < AcknowledgeType.GAP || t > AcknowledgeType.RENEW) throw new ShareError(ErrorCode.INVALID_REQUEST, `Invalid acknowledge type: [${ack.acknowledgeTypes.join(', ')}]`);
          if (t === AcknowledgeType.RENEW && !settings.renewEnabled) throw new ShareError(ErrorCode.INVALID_RECORD_STATE, 'Renewing acquisition locks is not enabled for the group.');
        }
        if (ack.lastOffset < this._startOffset) continue;
        const span = this.ackSpan(ack);
        for (const b of span) {
          if (b.last < this._startOffset) continue;
          const whole = b.batch !== undefined && b.first >= ack.firstOffset && b.last <= ack.lastOffset && ack.acknowledgeTypes.length === 1 && b.first >= this._startOffset;
          if (whole) {
            const s = b.batch!;
            if (s.state !== RecordState.ACQUIRED || s.pending) throw new ShareError(ErrorCode.INVALID_RECORD_STATE, 'The batch cannot be acknowledged. The batch is not in the acquired state.');
            if (s.memberId !== memberId) throw new ShareError(ErrorCode.INVALID_RECORD_STATE, 'Member is not the owner of batch record');
            this.transition(s, ack.acknowledgeTypes[0], b.first, b.last, settings, changed, renewed);
            continue;
          }
          if (b.batch) {
            if (b.batch.state !== RecordState.ACQUIRED || b.batch.pending) throw new ShareError(ErrorCode.INVALID_RECORD_STATE, 'The batch cannot be acknowledged. The batch is not in the acquired state.');
            if (b.batch.memberId !== memberId) throw new ShareError(ErrorCode.INVALID_RECORD_STATE, 'Member is not the owner of batch record');
          }
          this.split(b);
          const to = Math.min(b.last, ack.lastOffset);
          for (let o = Math.max(b.first, ack.firstOffset, this._startOffset); o <= to; o++) {
            const s = b.offsets![o - b.first];
            if (s.state !== RecordState.ACQUIRED || s.pending) throw new ShareError(ErrorCode.INVALID_RECORD_STATE, 'The offset cannot be acknowledged. The offset is not acquired.');
            if (s.memberId !== memberId) throw new ShareError(ErrorCode.INVALID_RECORD_STATE, 'Member is not the owner of offset');
            const type = ack.acknowledgeTypes.length === 1 ? ack.acknowledgeTypes[0] : ack.acknowledgeTypes[o - ack.firstOffset];
            this.transition(s, type, o, o, settings, changed, renewed);
          }
        }
      }
    } catch (e) {
      this.rollback(changed);
      this.rollback(renewed);
      throw e;
    }
    // Renewed locks are not persisted: they take effect now.
    this.commitRenewals(renewed, memberId, settings.recordLockDurationMs);
    await this.persistChanges(changed);
  }

  /** Releases every record `memberId` holds (its share session ended): available again, or archived past the delivery limit. */
  async releaseAcquiredRecords(memberId: string): Promise<void> {
    if (this._status !== 'ACTIVE') return;
    const settings = this.opts.settings();
    const changed: [InFlightState, number, number][] = [];
    for (const b of this.cache) {
      for (const [s, from, to] of this.statesWithRange(b)) {
        if (s.state !== RecordState.ACQUIRED || s.pending || s.memberId !== memberId) continue;
        this.begin(s, changed, from, to);
        s.state = to < this._startOffset || s.deliveryCount >= settings.deliveryCountLimit ? RecordState.ARCHIVED : RecordState.AVAILABLE;
        s.memberId = EMPTY_MEMBER;
      }
    }
    await this.persistChanges(changed);
  }

  /** The in-flight batches an acknowledgement batch covers, checked as Kafka checks them. */
  private ackSpan(ack: AcknowledgementBatch): InFlightBatch[] {
    let i = this.floorIndex(ack.firstOffset);
    if (i < 0 || this.cache[i].first > ack.firstOffset) {
      // The start offset may have moved past offsets the request names (Kafka's checkForStartOffsetWithinBatch).
      const moved = ack.firstOffset < this._startOffset && ack.lastOffset >= this._startOffset;
      if (!moved || this.cache.length === 0) throw new ShareError(ErrorCode.INVALID_RECORD_STATE, 'Batch record not found. The request batch offsets are not found in the cache.');
      i = this.floorIndex(this._startOffset);
    }
    const span: InFlightBatch[] = [];
    for (let j = Math.max(i, 0); j < this.cache.length && this.cache[j].first <= ack.lastOffset; j++) span.push(this.cache[j]);
    const lastCached = span.length ? span[span.length - 1].last : -1;
    if (span.length === 0 || lastCached < ack.firstOffset) throw new ShareError(ErrorCode.INVALID_REQUEST, 'Batch record not found. The first offset in request is past acquired records.');
    if (ack.lastOffset > lastCached) throw new ShareError(ErrorCode.INVALID_REQUEST, 'Batch record not found. The last offset in request is past acquired records.');
    return span;
  }

  private transition(s: InFlightState, type: number, from: number, to: number, settings: ShareSettings, changed: [InFlightState, number, number][], renewed: [InFlightState, number, number][]): void {
    if (type === AcknowledgeType.RENEW) {
      this.begin(s, renewed, from, to);
      return;
    }
    this.begin(s, changed, from, to);
    s.memberId = EMPTY_MEMBER;
    if (type === AcknowledgeType.ACCEPT) s.state = RecordState.ACKNOWLEDGED;
    else if (type === AcknowledgeType.RELEASE) s.state = s.deliveryCount >= settings.deliveryCountLimit ? RecordState.ARCHIVED : RecordState.AVAILABLE;
    else s.state = RecordState.ARCHIVED;
  }

  private begin(s: InFlightState, list: [InFlightState, number, number][], from: number, to: number): void {
    s.pending = { state: s.state, deliveryCount: s.deliveryCount, memberId: s.memberId, timer: s.timer };
    list.push([s, from, to]);
  }

  private rollback(list: [InFlightState, number, number][]): void {
    for (const [s] of list) {
      const p = s.pending;
      if (!p) continue;
      s.state = p.state;
      s.deliveryCount = p.deliveryCount;
      s.memberId = p.memberId;
      s.timer = p.timer;
      s.pending = undefined;
    }
  }

  /** Renewed states get a fresh lock: one timer per run of consecutive offsets. */
  private commitRenewals(list: [InFlightState, number, number][], memberId: string, lockMs: number): void {
    if (list.length === 0) return;
    const sorted = [...list].sort((a, b) => a[1] - b[1]);
    const old = new Set<LockTimer>();
    let i = 0;
    while (i < sorted.length) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1][1] === sorted[j][2] + 1) j++;
      const t = this.newTimer(memberId, sorted[i][1], sorted[j][2], lockMs);
      for (let k = i; k <= j; k++) {
        const st = sorted[k][0];
        st.pending = undefined;
        if (st.timer) old.add(st.timer);
        st.timer = t;
      }
      i = j + 1;
    }
    this.cancelUnused(old);
  }

  /** Cancels the timers no state holds any more (each checked once). */
  private cancelUnused(timers: Set<LockTimer>): void {
    for (const t of timers) if (!this.timerInUse(t)) this.opts.scheduler.clearTimeout(t.handle);
  }

  /** Writes the changed states; then they take effect (locks dropped, start offset moved), or are rolled back. */
  private async persistChanges(changed: [InFlightState, number, number][], keepOnFailure = false): Promise<void> {
    if (changed.length === 0) return;
    let failure: ShareError | undefined;
    try {
      // Kafka 4.4 writes the start offset from before this change (and the terminal records at or
      // after it, these included); the start offset moves in memory only once the write succeeded.
      const r = await this.opts.persister.writeState(this.key, {
        stateEpoch: this.stateEpoch,
        leaderEpoch: this.leaderEpoch,
        startOffset: this._startOffset,
        deliveryCompleteCount: this.completeFrom(this._startOffset),
        stateBatches: stateBatches(changed),
      });
      if (r.errorCode !== ErrorCode.NONE) failure = persisterError(r.errorCode, r.errorMessage);
    } catch (e) {
      failure = new ShareError(ErrorCode.UNKNOWN_SERVER_ERROR, `Failed to write the share group state for share partition ${this.describe()}: ${(e as Error)?.message ?? e}`);
    }
    if (failure && !keepOnFailure) {
      this.rollback(changed);
      throw failure;
    }
    let available = false;
    const dropped = new Set<LockTimer>();
    for (const [s] of changed) {
      s.pending = undefined;
      if (s.state !== RecordState.ACQUIRED && s.timer) {
        dropped.add(s.timer);
        s.timer = undefined;
      }
      if (s.state === RecordState.AVAILABLE) available = true;
    }
    this.cancelUnused(dropped);
    const moved = this.advanceStartOffset();
    if (available || moved) this.opts.onAcquirable?.();
    if (failure) throw failure;
  }

  /** Acquisition lock expiry: what `timer` still holds goes back (available, or archived past the delivery limit), persisted. */
  private expire(timer: LockTimer): void {
    if (this._status !== 'ACTIVE') return;
    const limit = this.opts.settings().deliveryCountLimit;
    const changed: [InFlightState, number, number][] = [];
    for (let i = this.floorIndex(timer.first); i >= 0 && i < this.cache.length && this.cache[i].first <= timer.last; i++) {
      for (const [s, from, to] of this.statesWithRange(this.cache[i])) {
        if (s.timer !== timer || s.state !== RecordState.ACQUIRED || s.pending || to < timer.first || from > timer.last) continue;
        this.begin(s, changed, from, to);
        s.state = to < this._startOffset || s.deliveryCount >= limit ? RecordState.ARCHIVED : RecordState.AVAILABLE;
        s.memberId = EMPTY_MEMBER;
        s.timer = undefined;
      }
    }
    if (changed.length === 0) return;
    // Kafka keeps the released state even when its write fails (the lock is gone either way).
    this.persistChanges(changed, true).catch((e: unknown) => {
      this.opts.logError?.(`Failed to write the share group state on acquisition lock timeout for share partition ${this.describe()} memberId: ${timer.memberId}: ${(e as Error)?.message ?? e}`);
    });
  }

  private newTimer(memberId: string, first: number, last: number, ms: number): LockTimer {
    const t: LockTimer = { handle: undefined, memberId, first, last };
    t.handle = this.opts.scheduler.setTimeout(() => this.expire(t), ms);
    return t;
  }

  /** Cancels a state's lock timer unless other states still hold it. */
  private clearTimer(s: InFlightState): void {
    const t = s.timer;
    s.timer = undefined;
    if (!t || this.timerInUse(t)) return;
    this.opts.scheduler.clearTimeout(t.handle);
  }

  private timerInUse(t: LockTimer): boolean {
    for (let i = this.floorIndex(t.first); i >= 0 && i < this.cache.length && this.cache[i].first <= t.last; i++) {
      for (const s of this.states(this.cache[i])) if (s.timer === t) return true;
    }
    return false;
  }

  /** The start offset once the first records in flight are delivered to completion. */
  private startOffsetAfter(): number {
    let start = this._startOffset;
    for (const b of this.cache) {
      if (b.last < start) continue;
      if (b.first > start) break;
      if (b.batch) {
        if (!isTerminal(b.batch.state)) return start;
        start = b.last + 1;
        continue;
      }
      for (let o = start; o <= b.last; o++) {
        if (!isTerminal(b.offsets![o - b.first].state)) return o;
        start = o + 1;
      }
    }
    return this.cache.length > 0 && start >= this.cacheEnd ? this.cacheEnd : start;
  }

  /** Moves the start offset past records delivered to completion and drops whole batches below it. */
  private advanceStartOffset(): boolean {
    const start = this.startOffsetAfter();
    const moved = start !== this._startOffset;
    this._startOffset = start;
    let drop = 0;
    while (drop < this.cache.length && this.cache[drop].last < start) drop++;
    if (drop > 0) this.cache.splice(0, drop);
    if (this.cache.length === 0 && this.cacheEnd < start) this.cacheEnd = start;
    return moved;
  }

  /** Index of the batch holding `offset`, else of the last batch before it, else -1. */
  private floorIndex(offset: number): number {
    let lo = 0;
    let hi = this.cache.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.cache[mid].first <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found === -1 && this.cache.length > 0 ? 0 : found;
  }

  /** Turns a batch's one state into one per offset (each keeping the batch's lock). */
  private split(b: InFlightBatch): void {
    if (!b.batch) return;
    const s = b.batch;
    b.offsets = [];
    for (let o = b.first; o <= b.last; o++) b.offsets.push(newState(s.state, s.deliveryCount, s.memberId, s.timer));
    b.batch = undefined;
  }

  private states(b: InFlightBatch): InFlightState[] {
    return b.batch ? [b.batch] : b.offsets!;
  }

  private *statesWithRange(b: InFlightBatch): Generator<[InFlightState, number, number]> {
    if (b.batch) {
      yield [b.batch, b.first, b.last];
      return;
    }
    for (let i = 0; i < b.offsets!.length; i++) yield [b.offsets![i], b.first + i, b.first + i];
  }

  private describe(): string {
    return `${this.key.groupId}-${this.key.topicId}:${this.key.partition}`;
  }

  /** The in-flight state for tests and describe tools: [first, last, state, deliveryCount, memberId] ranges. */
  inFlight(): { firstOffset: number; lastOffset: number; state: RecordStateId; deliveryCount: number; memberId: string }[] {
    const out: { firstOffset: number; lastOffset: number; state: RecordStateId; deliveryCount: number; memberId: string }[] = [];
    for (const b of this.cache) {
      for (const [s, from, to] of this.statesWithRange(b)) {
        if (to < this._startOffset) continue;
        const prev = out[out.length - 1];
        if (prev && prev.lastOffset === from - 1 && prev.state === s.state && prev.deliveryCount === s.deliveryCount && prev.memberId === s.memberId) prev.lastOffset = to;
        else out.push({ firstOffset: from, lastOffset: to, state: s.state, deliveryCount: s.deliveryCount, memberId: s.memberId });
      }
    }
    return out;
  }
}

/** The last offset of the fetched batch holding `offset` (batch-optimized acquisition ends on a batch boundary). */
function endOfBatch(batches: readonly FetchedBatch[], offset: number): number {
  for (const b of batches) if (b.baseOffset <= offset && offset <= b.lastOffset) return b.lastOffset;
  return offset;
}

/** New records [first, last] cut into in-flight batches of about `size` records, on log batch boundaries when they allow. */
function cutNew(batches: readonly FetchedBatch[], first: number, last: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  let from = first;
  while (from <= last) {
    let to = Math.min(last, from + size - 1);
    if (to < last) {
      const end = endOfBatch(batches, to);
      to = Math.min(last, end);
    }
    out.push([from, to]);
    from = to + 1;
  }
  return out;
}

/** The persisted form of changed states, adjacent ones with equal state and count merged. */
function stateBatches(changed: [InFlightState, number, number][]): PersisterStateBatch[] {
  const sorted = [...changed].sort((a, b) => a[1] - b[1]);
  const out: PersisterStateBatch[] = [];
  for (const [s, from, to] of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.lastOffset === from - 1 && prev.deliveryState === s.state && prev.deliveryCount === s.deliveryCount) prev.lastOffset = to;
    else out.push({ firstOffset: from, lastOffset: to, deliveryState: s.state, deliveryCount: s.deliveryCount });
  }
  return out;
}
