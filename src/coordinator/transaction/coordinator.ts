// The transaction coordinator of this broker (Kafka's TransactionCoordinator and
// TransactionStateManager): every transactional id whose __transaction_state partition it leads
// (all of them on a lone node), loaded from the log when it becomes leader; the coordinator epoch
// is the partition's leader epoch. A request's decision is taken sans IO (decisions.ts), the change
// is written to __transaction_state and applied once written (replicated in a cluster); EndTxn is
// answered once PrepareCommit/PrepareAbort is written, then the markers go out through a
// TxnMarkerWriter and CompleteCommit/CompleteAbort is written. Timed-out transactions are aborted
// and idle transactional ids expire on timers.
import { log } from '../../log.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../../storage/types.js';
import type { PartitionLeadership } from '../group/leadership.js';
import type { CoordinatorHost, StoredRecord } from '../group/offsets-topic.js';
import { Timers } from '../group/timers.js';
import { checkBeforeMarkers, decideAddPartitions, decideEndTxn, decideInitProducerId, decideVerify } from './decisions.js';
import type { TxnMarkerWriter } from './marker-writer.js';
import { TRANSACTION_STATE_TOPIC, decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, txnPartitionFor, valueVersionFor } from './records.js';
import { TransactionStateTopic } from './state-topic.js';
import { describeError, describeTransaction, listTransactions, type DescribedTransaction, type ListedTransactions } from './views.js';

export type { DescribedTransaction, ListedTransactions } from './views.js';
import {
  IllegalTxnTransition,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  TransactionMetadata,
  TxnState,
  fromTpKey,
  isEpochExhausted,
  isExpirationAllowed,
  supportsEpochBump,
  tpKey,
  type TxnTransit,
} from './txn-metadata.js';

/** What the coordinator needs of the broker beyond what the group coordinator does. */
export interface TransactionHost extends CoordinatorHost {
  allocateProducerId(): Promise<number>;
  /** The finalized transaction.version feature level. */
  transactionVersion(): number;
}

export interface ProducerIdAndEpoch {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export interface TopicPartitionError {
  topic: string;
  partition: number;
  errorCode: number;
}

interface PartitionCache {
  coordinatorEpoch: number;
  txns: Map<string, TransactionMetadata>;
}

type Lookup = { errorCode: number } | { coordinatorEpoch: number; md: TransactionMetadata | undefined };

const ABORT_KEY = 'transaction-abort';
const EXPIRE_KEY = 'transactional-id-expiration';
/** Backoff before resending markers that failed retriably, or rewriting a completion. */
const RETRY_BACKOFF_MS = 100;

export class TransactionCoordinator {
  readonly timers = new Timers();
  readonly now: () => number;
  /** Where markers go (T3's channel in a cluster; the broker installs one). */
  markerWriter: TxnMarkerWriter;
  private readonly topic: TransactionStateTopic;
  private readonly cache = new Map<number, PartitionCache>();
  /** Partitions being loaded, with the coordinator epoch they load at. */
  private readonly loading = new Map<number, number>();
  private leadership: PartitionLeadership | null = null;
  private readonly leading = new Map<number, number>();
  private readonly partitionOps = new Map<number, Promise<void>>();
  private activating: Promise<void> | null = null;
  private closed = false;
  private readonly maxTimeoutMs: number;
  private readonly expirationMs: number;
  private readonly loadBufferBytes: number;

  constructor(
    private readonly host: TransactionHost,
    markerWriter: TxnMarkerWriter,
    opts: { now?: () => number } = {},
  ) {
    this.markerWriter = markerWriter;
    this.topic = new TransactionStateTopic(host);
    this.now = opts.now ?? Date.now;
    this.maxTimeoutMs = host.config.number('transaction.max.timeout.ms');
    this.expirationMs = host.config.number('transactional.id.expiration.ms');
    this.loadBufferBytes = host.config.number('transaction.state.log.load.buffer.size');
  }

  /** A lone node loads __transaction_state at start if it exists; the first transactional request creates it. */
  async start(): Promise<void> {
    this.scheduleTimers();
    if (this.leadership) return;
    if (this.topic.exists()) this.activate().catch(() => {});
  }

  /** Cluster mode (before start): coordinate the ids of the __transaction_state partitions led here. */
  followLeadership(leadership: PartitionLeadership): void {
    this.leadership = leadership;
    this.topic.leadership = leadership;
    leadership.onLeadershipChange((topic, partition, leaderEpoch) => {
      if (topic !== TRANSACTION_STATE_TOPIC || this.closed) return;
      if (leaderEpoch >= 0) this.onElection(partition, leaderEpoch);
      else this.onResignation(partition);
    });
  }

  /** Creates __transaction_state if needed; on a lone node loads every partition (epoch 0). */
  activate(): Promise<void> {
    if (this.activating) return this.activating;
    const creating = !this.topic.exists();
    this.activating = this.topic.ensureCreated().then(async () => {
      if (this.leadership) return;
      const loads: Promise<void>[] = [];
      for (let p = 0; p < this.topic.numPartitions; p++) if (!this.cache.has(p) && !this.loading.has(p)) loads.push(this.serialize(p, () => this.load(p, 0)));
      // A topic just created is empty: its load is instant, so the first request is served.
      if (creating) await Promise.all(loads);
    });
    this.activating.catch((e) => {
      this.activating = null;
      log.info(`transaction coordinator could not create ${TRANSACTION_STATE_TOPIC}: ${(e as Error)?.message ?? e}`);
    });
    return this.activating;
  }

  /** The broker coordinating the id (its partition's leader, -1 while none); null on a lone node or before the topic exists. */
  coordinatorId(transactionalId: string): number | null {
    if (!this.topic.exists() || !this.leadership) return null;
    return this.leadership.checkFetch(TRANSACTION_STATE_TOPIC, this.partitionFor(transactionalId)).leaderId;
  }

  partitionFor(transactionalId: string): number {
    this.topic.exists();
    return txnPartitionFor(transactionalId, this.topic.numPartitions);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timers.close();
    await this.activating?.catch(() => {});
  }

  /** Resolves once every partition this broker coordinates is loaded. */
  async whenLoaded(): Promise<void> {
    await this.activate();
    await Promise.all([...this.partitionOps.values()]);
  }

  // Leadership and loading

  private onElection(partition: number, epoch: number): void {
    const prev = this.leading.get(partition);
    this.leading.set(partition, epoch);
    if (prev === epoch) return;
    this.serialize(partition, () => this.load(partition, epoch));
  }

  private onResignation(partition: number): void {
    if (!this.leading.delete(partition)) return;
    this.serialize(partition, async () => {
      if (this.leading.has(partition)) return;
      this.loading.delete(partition);
      const entry = this.cache.get(partition);
      this.cache.delete(partition);
      if (entry && entry.txns.size > 0) log.info(`transaction coordinator unloaded ${entry.txns.size} transactional id(s) of ${TRANSACTION_STATE_TOPIC}-${partition}`);
    });
  }

  private serialize(partition: number, op: () => Promise<void>): Promise<void> {
    const next = (this.partitionOps.get(partition) ?? Promise.resolve()).then(op, op).catch(() => {});
    this.partitionOps.set(partition, next);
    return next;
  }

  /** Reads the partition, installs its ids at `epoch` and completes the transactions it left in PrepareCommit/PrepareAbort. */
  private async load(partition: number, epoch: number): Promise<void> {
    if (this.closed || (this.leadership && this.leading.get(partition) !== epoch)) return;
    this.loading.set(partition, epoch);
    this.cache.delete(partition);
    const txns = new Map<string, TransactionMetadata>();
    const started = Date.now();
    try {
      await this.topic.read(partition, this.loadBufferBytes, (r) => this.replay(txns, r), () => this.loading.get(partition) === epoch && !this.closed);
    } catch (e) {
      log.error(`transaction coordinator failed to load ${TRANSACTION_STATE_TOPIC}-${partition}: ${(e as Error)?.stack ?? e}`);
      if (this.loading.get(partition) === epoch) this.loading.delete(partition);
      // A lone node tries again at the next request (an offline log dir may come back).
      if (!this.leadership) this.activating = null;
      return;
    }
    if (this.loading.get(partition) !== epoch || this.closed) return;
    this.cache.set(partition, { coordinatorEpoch: epoch, txns });
    this.loading.delete(partition);
    const pending: [TransactionMetadata, boolean, TxnTransit][] = [];
    for (const md of txns.values()) {
      if (md.state === TxnState.PrepareCommit || md.state === TxnState.PrepareAbort) pending.push([md, md.state === TxnState.PrepareCommit, md.prepareComplete(this.now())]);
    }
    if (txns.size > 0) log.info(`transaction coordinator loaded ${txns.size} transactional id(s) of ${TRANSACTION_STATE_TOPIC}-${partition} (epoch ${epoch}) in ${Date.now() - started} ms`);
    for (const [md, commit, complete] of pending) void this.sendMarkers(md, epoch, commit, complete);
  }

  private replay(txns: Map<string, TransactionMetadata>, r: StoredRecord): void {
    try {
      const id = decodeTxnKey(r.key);
      if (id === null) return;
      if (r.value === null) txns.delete(id);
      else txns.set(id, decodeTxnValue(id, r.value));
    } catch (e) {
      log.error(`transaction coordinator skipped an unreadable ${TRANSACTION_STATE_TOPIC} record: ${(e as Error).message}`);
    }
  }

  /** The id's metadata and coordinator epoch, or the error Kafka's state manager gives. */
  private lookup(transactionalId: string): Lookup {
    if (this.closed) return { errorCode: ErrorCode.NOT_COORDINATOR };
    // A lone node restarted with the topic loads it at start; without it nothing is coordinated yet.
    if (!this.activating && !this.leadership && this.topic.exists()) this.activate().catch(() => {});
    const partition = this.partitionFor(transactionalId);
    if (this.loading.has(partition)) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    const entry = this.cache.get(partition);
    if (!entry) {
      // A lone node still creating or loading the topic.
      if (!this.leadership && this.activating) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
      return { errorCode: ErrorCode.NOT_COORDINATOR };
    }
    return { coordinatorEpoch: entry.coordinatorEpoch, md: entry.txns.get(transactionalId) };
  }

  // InitProducerId

  async initProducerId(transactionalId: string, txnTimeoutMs: number, expected: { producerId: number; producerEpoch: number } | null): Promise<ProducerIdAndEpoch> {
    const fail = (errorCode: number) => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (txnTimeoutMs <= 0 || txnTimeoutMs > this.maxTimeoutMs) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    if (!this.leadership) await this.activate().catch(() => {});
    let found = this.lookup(transactionalId);
    if ('errorCode' in found) return fail(found.errorCode);
    // Fresh producer ids are fetched before deciding (the decision itself never waits).
    let spareId: number | null = null;
    if (found.md === undefined || found.md.isProducerEpochExhausted) {
      try {
        spareId = await this.host.allocateProducerId();
      } catch (e) {
        return fail(e instanceof KafkaError ? e.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR);
      }
      found = this.lookup(transactionalId);
      if ('errorCode' in found) return fail(found.errorCode);
    }
    let md = found.md;
    if (md === undefined) {
      md = new TransactionMetadata(transactionalId, { producerId: spareId!, producerEpoch: NO_PRODUCER_EPOCH, txnTimeoutMs, state: TxnState.Empty, txnLastUpdateTimestamp: this.now() });
      spareId = null;
      this.cache.get(this.partitionFor(transactionalId))!.txns.set(transactionalId, md);
    }
    const epoch = found.coordinatorEpoch;
    const decision = decideInitProducerId(md, txnTimeoutMs, expected, () => spareId!, this.now());
    if ('errorCode' in decision) return fail(decision.errorCode);
    const t = decision.transit;
    if (t.state === TxnState.PrepareEpochFence) {
      // Abort the previous session's transaction; the producer retries once it is complete.
      const r = await this.endTransaction(transactionalId, t.producerId, t.producerEpoch, false, false, this.host.transactionVersion());
      return fail(r.errorCode !== ErrorCode.NONE ? r.errorCode : ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    const errorCode = await this.appendTransition(transactionalId, epoch, t);
    if (errorCode !== ErrorCode.NONE) return fail(errorCode);
    log.info(`transaction coordinator initialized ${transactionalId} with producer id ${t.producerId} epoch ${t.producerEpoch}`);
    return { errorCode: ErrorCode.NONE, producerId: t.producerId, producerEpoch: t.producerEpoch };
  }

  // AddPartitionsToTxn / AddOffsetsToTxn / a leader's verification

  async addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: { topic: string; partition: number }[], clientTransactionVersion: number): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const found = this.lookup(transactionalId);
    if ('errorCode' in found) return found.errorCode;
    const decision = decideAddPartitions(found.md, producerId, producerEpoch, partitions.map((p) => tpKey(p.topic, p.partition)), clientTransactionVersion, this.now());
    if ('errorCode' in decision) return decision.errorCode;
    return this.appendTransition(transactionalId, found.coordinatorEpoch, decision.transit);
  }

  /** The partition leaders' AddPartitionsToTxn v4+: verify (TV1 produce) or add (TV2 Produce v12+) the partitions. */
  async verifyOrAdd(transactionalId: string, producerId: number, producerEpoch: number, partitions: { topic: string; partition: number }[], add: boolean): Promise<TopicPartitionError[]> {
    const all = (errorCode: number) => partitions.map((p) => ({ ...p, errorCode }));
    if (add) return all(await this.addPartitions(transactionalId, producerId, producerEpoch, partitions, 2));
    if (transactionalId === '') return all(ErrorCode.INVALID_REQUEST);
    const found = this.lookup(transactionalId);
    if ('errorCode' in found) return all(found.errorCode);
    const errors = decideVerify(found.md, producerId, producerEpoch, partitions.map((p) => tpKey(p.topic, p.partition)));
    return partitions.map((p) => ({ ...p, errorCode: errors.get(tpKey(p.topic, p.partition)) ?? ErrorCode.NONE }));
  }

  // EndTxn

  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean, clientTransactionVersion: number): Promise<ProducerIdAndEpoch> {
    return this.endTransaction(transactionalId, producerId, producerEpoch, commit, true, clientTransactionVersion);
  }

  private async endTransaction(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean, isFromClient: boolean, clientTransactionVersion: number): Promise<ProducerIdAndEpoch> {
    const fail = (errorCode: number) => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH });
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    let found = this.lookup(transactionalId);
    if ('errorCode' in found) return fail(found.errorCode);
    let spareId: number | null = null;
    const md0 = found.md;
    if (md0 && supportsEpochBump(clientTransactionVersion) && md0.pendingState !== TxnState.PrepareEpochFence && isEpochExhausted(md0.producerEpoch)) {
      try {
        spareId = await this.host.allocateProducerId();
      } catch (e) {
        return fail(e instanceof KafkaError ? e.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR);
      }
      found = this.lookup(transactionalId);
      if ('errorCode' in found) return fail(found.errorCode);
    }
    const md = found.md;
    const epoch = found.coordinatorEpoch;
    const decision = decideEndTxn(md, producerId, producerEpoch, commit, isFromClient, clientTransactionVersion, () => {
      if (spareId === null) throw new IllegalTxnTransition('a new producer id was needed but not fetched');
      return spareId;
    }, this.now());
    if (!('transit' in decision)) return decision.errorCode === ErrorCode.NONE ? decision : fail(decision.errorCode);
    const errorCode = await this.appendTransition(transactionalId, epoch, decision.transit);
    if (errorCode !== ErrorCode.NONE) {
      if (decision.isEpochFence) {
        const now = this.lookup(transactionalId);
        if (!('errorCode' in now) && now.coordinatorEpoch === epoch && now.md) now.md.hasFailedEpochFence = true;
      }
      return fail(errorCode);
    }
    const after = this.lookup(transactionalId);
    if ('errorCode' in after) return fail(after.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.NOT_COORDINATOR : after.errorCode);
    if (after.coordinatorEpoch !== epoch || after.md !== md) return fail(ErrorCode.NOT_COORDINATOR);
    const check = checkBeforeMarkers(md!, producerId, producerEpoch, commit);
    if (check !== ErrorCode.NONE) return fail(check);
    const complete = md!.prepareComplete(this.now());
    void this.sendMarkers(md!, epoch, commit, complete);
    return { errorCode: ErrorCode.NONE, producerId: complete.producerId, producerEpoch: complete.producerEpoch };
  }

  /** Writes the markers (retrying what failed retriably), then CompleteCommit/CompleteAbort. */
  private async sendMarkers(md: TransactionMetadata, epoch: number, commit: boolean, complete: TxnTransit): Promise<void> {
    const id = md.transactionalId;
    const current = () => {
      const f = this.lookup(id);
      return !('errorCode' in f) && f.coordinatorEpoch === epoch && f.md === md;
    };
    try {
      while (md.partitions.size > 0) {
        if (!current()) return;
        const results = await this.markerWriter.write({
          producerId: md.producerId,
          producerEpoch: md.producerEpoch,
          commit,
          coordinatorEpoch: epoch,
          transactionVersion: md.clientTransactionVersion,
          partitions: [...md.partitions].map(fromTpKey),
          cancelled: () => !current(),
        });
        if (!current()) return;
        let retry = false;
        for (const r of results) {
          switch (r.errorCode) {
            case ErrorCode.NONE:
            case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION: // the topic is gone: nothing to mark
            case ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT:
            case ErrorCode.UNSUPPORTED_VERSION:
              md.removePartition(tpKey(r.topic, r.partition));
              break;
            case ErrorCode.INVALID_PRODUCER_EPOCH:
            case ErrorCode.TRANSACTION_COORDINATOR_FENCED:
              // A newer producer or coordinator owns the transaction now.
              log.info(`transaction coordinator stops sending ${commit ? 'COMMIT' : 'ABORT'} markers of ${id}: ${r.topic}-${r.partition} answered ${r.errorCode}`);
              return;
            default:
              retry = true;
          }
        }
        if (retry) await this.sleep(RETRY_BACKOFF_MS);
      }
      // Every marker is written: complete the transaction (retried while the log is unavailable).
      for (;;) {
        if (!current()) return;
        const errorCode = await this.appendTransition(id, epoch, complete, (e) => e === ErrorCode.COORDINATOR_NOT_AVAILABLE);
        if (errorCode !== ErrorCode.COORDINATOR_NOT_AVAILABLE) {
          if (errorCode !== ErrorCode.NONE) log.info(`transaction coordinator could not complete ${id}: error ${errorCode}`);
          return;
        }
        await this.sleep(RETRY_BACKOFF_MS);
      }
    } catch (e) {
      log.error(`transaction coordinator failed completing ${id}: ${(e as Error)?.stack ?? e}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }

  /**
   * Writes a prepared change to the id's partition and applies it once written, if this broker
   * still coordinates the id at the same epoch; on failure the change is dropped (unless
   * `retryOnError` says the caller retries it). Errors map as Kafka's state manager maps them.
   */
  private async appendTransition(transactionalId: string, epoch: number, t: TxnTransit, retryOnError: (errorCode: number) => boolean = () => false): Promise<number> {
    const before = this.lookup(transactionalId);
    if ('errorCode' in before) return before.errorCode;
    if (before.md === undefined || before.coordinatorEpoch !== epoch) return ErrorCode.NOT_COORDINATOR;
    let errorCode: number = ErrorCode.NONE;
    try {
      const record = { key: encodeTxnKey(transactionalId), value: encodeTxnValue(t, valueVersionFor(this.host.transactionVersion())) };
      await this.topic.append(this.partitionFor(transactionalId), [record], this.now(), t.txnTimeoutMs);
    } catch (e) {
      errorCode = appendErrorCode(e);
    }
    const after = this.lookup(transactionalId);
    if (errorCode === ErrorCode.NONE) {
      if ('errorCode' in after) return after.errorCode;
      if (after.md === undefined || after.coordinatorEpoch !== epoch) return ErrorCode.NOT_COORDINATOR;
      after.md.completeTransitionTo(t);
      return ErrorCode.NONE;
    }
    if (!('errorCode' in after) && after.md && after.coordinatorEpoch === epoch && !retryOnError(errorCode)) after.md.pendingState = null;
    return errorCode;
  }

  // DescribeTransactions / ListTransactions

  describe(transactionalId: string): DescribedTransaction {
    if (this.closed) return describeError(transactionalId, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (transactionalId === '') return describeError(transactionalId, ErrorCode.INVALID_REQUEST);
    const found = this.lookup(transactionalId);
    if ('errorCode' in found) return describeError(transactionalId, found.errorCode);
    return describeTransaction(transactionalId, found.md);
  }

  /** Ids matching every filter given (states by name, producer ids, running longer than durationMs, id pattern). */
  list(stateFilters: string[], producerIdFilters: number[], durationFilterMs: number, idPattern: RegExp | null): ListedTransactions {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, unknownStateFilters: [], transactionStates: [] };
    if (this.loading.size > 0) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters: [], transactionStates: [] };
    const all = [...this.cache.values()].flatMap((entry) => [...entry.txns.values()]);
    return listTransactions(all, { states: stateFilters, producerIds: producerIdFilters, durationMs: durationFilterMs, idPattern }, this.now());
  }

  // Timers: aborting timed-out transactions, expiring idle transactional ids

  private scheduleTimers(): void {
    const c = this.host.config;
    const abortEvery = c.number('transaction.abort.timed.out.transaction.cleanup.interval.ms');
    const expireEvery = c.number('transaction.remove.expired.transaction.cleanup.interval.ms');
    const abort = () => {
      this.abortTimedOutTransactions();
      this.timers.schedule(ABORT_KEY, abortEvery, abort);
    };
    const expire = () => {
      void this.removeExpiredTransactionalIds();
      this.timers.schedule(EXPIRE_KEY, expireEvery, expire);
    };
    this.timers.schedule(ABORT_KEY, abortEvery, abort);
    this.timers.schedule(EXPIRE_KEY, expireEvery, expire);
  }

  /** Fences and aborts every Ongoing transaction older than its timeout; resolves when each abort was answered. */
  abortTimedOutTransactions(): Promise<void> {
    const now = this.now();
    const aborts: Promise<unknown>[] = [];
    for (const entry of this.cache.values()) {
      for (const md of entry.txns.values()) {
        if (md.pendingTransitionInProgress || md.state !== TxnState.Ongoing || md.txnStartTimestamp + md.txnTimeoutMs >= now) continue;
        const fence = md.prepareFenceProducerEpoch();
        log.info(`transaction coordinator aborts ${md.transactionalId} (producer id ${md.producerId}): timed out after ${md.txnTimeoutMs} ms`);
        aborts.push(
          this.endTransaction(md.transactionalId, fence.producerId, fence.producerEpoch, false, false, this.host.transactionVersion()).then(
            (r) => {
              if (r.errorCode !== ErrorCode.NONE) log.info(`transaction coordinator: abort of timed-out ${md.transactionalId} answered ${r.errorCode}`);
            },
            (e) => log.error(`transaction coordinator failed aborting ${md.transactionalId}: ${(e as Error)?.stack ?? e}`),
          ),
        );
      }
    }
    return Promise.all(aborts).then(() => {});
  }

  /** Writes tombstones for ids idle longer than transactional.id.expiration.ms and forgets them. */
  async removeExpiredTransactionalIds(): Promise<void> {
    const now = this.now();
    const writes: Promise<void>[] = [];
    for (const [partition, entry] of this.cache) {
      const expired: [TransactionMetadata, TxnTransit][] = [];
      for (const md of entry.txns.values()) {
        if (md.pendingTransitionInProgress || !isExpirationAllowed(md.state) || md.txnLastUpdateTimestamp > now - this.expirationMs) continue;
        expired.push([md, md.prepareDead()]);
      }
      if (expired.length === 0) continue;
      const records = expired.map(([md]) => ({ key: encodeTxnKey(md.transactionalId), value: null }));
      writes.push(
        this.topic.append(partition, records, now, this.host.config.number('request.timeout.ms')).then(
          () => {
            for (const [md, t] of expired) {
              if (this.cache.get(partition) === entry && md.pendingState === TxnState.Dead && md.producerEpoch === t.producerEpoch) entry.txns.delete(md.transactionalId);
              else md.pendingState = null;
            }
            log.info(`transaction coordinator expired ${expired.length} transactional id(s) of ${TRANSACTION_STATE_TOPIC}-${partition}`);
          },
          (e) => {
            for (const [md] of expired) md.pendingState = null;
            log.warn(`transaction coordinator could not expire ids of ${TRANSACTION_STATE_TOPIC}-${partition}: ${(e as Error).message}`);
          },
        ),
      );
    }
    await Promise.all(writes);
  }
}

/** Kafka's mapping of a failed __transaction_state append to the error the client gets. */
function appendErrorCode(e: unknown): number {
  if (e instanceof IllegalTxnTransition) throw e;
  const code = e instanceof KafkaError ? e.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR;
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}
