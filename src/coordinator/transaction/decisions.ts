// What each transactional request does to a transactional id's metadata, sans IO: Kafka's
// TransactionCoordinator checks in order (producer id, epoch, pending change, state), giving
// either the error the client gets or the prepared change (TxnTransit) to write. The coordinator
// (coordinator.ts) does the writing, the marker round and the answering.
import { ErrorCode } from '../../protocol/errors.js';
import {
  IllegalTxnTransition,
  NO_PRODUCER_ID,
  TxnState,
  isEpochExhausted,
  supportsEpochBump,
  type TransactionMetadata,
  type TxnTransit,
} from './txn-metadata.js';

export type Decision = { errorCode: number } | { transit: TxnTransit };

/**
 * InitProducerId for an existing transactional id. `expected` is the producer id/epoch the
 * client had (v3+), or null; `newProducerId()` gives a fresh id when the epochs are used up.
 */
export function decideInitProducerId(
  md: TransactionMetadata,
  txnTimeoutMs: number,
  expected: { producerId: number; producerEpoch: number } | null,
  newProducerId: () => number,
  now: number,
): Decision {
  const validProducerId = (e: { producerId: number; producerEpoch: number }) =>
    md.producerEpoch === -1 || e.producerId === md.producerId || (e.producerId === md.previousProducerId && isEpochExhausted(e.producerEpoch));
  if (md.pendingTransitionInProgress) return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
  if (expected !== null && !validProducerId(expected)) return { errorCode: ErrorCode.PRODUCER_FENCED };
  switch (md.state) {
    case TxnState.PrepareAbort:
    case TxnState.PrepareCommit:
      return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
    case TxnState.CompleteAbort:
    case TxnState.CompleteCommit:
    case TxnState.Empty: {
      if (md.isProducerEpochExhausted && (expected === null || expected.producerEpoch === md.producerEpoch)) {
        return { transit: md.prepareProducerIdRotation(newProducerId(), txnTimeoutMs, now, expected !== null) };
      }
      const t = md.prepareIncrementProducerEpoch(txnTimeoutMs, expected === null ? null : expected.producerEpoch, now);
      return 'error' in t ? { errorCode: ErrorCode.PRODUCER_FENCED } : { transit: t };
    }
    case TxnState.Ongoing:
      // The previous session's transaction is aborted first (epoch fence); the client retries.
      return { transit: md.prepareFenceProducerEpoch() };
    default:
      throw new IllegalTxnTransition(`${md.transactionalId} is ${md.state}: never a current state`);
  }
}

/** AddPartitionsToTxn (client v0-3, or a partition leader's add for TV2 produce) and AddOffsetsToTxn. */
export function decideAddPartitions(
  md: TransactionMetadata | undefined,
  producerId: number,
  producerEpoch: number,
  partitions: readonly string[],
  clientTransactionVersion: number,
  now: number,
): Decision {
  if (md === undefined) return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
  // Kafka 4.4's order: a pending change first, then the producer id and epoch.
  if (md.pendingTransitionInProgress) return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
  if (md.producerId !== producerId) return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
  if (md.producerEpoch !== producerEpoch) return { errorCode: ErrorCode.PRODUCER_FENCED };
  if (md.state === TxnState.PrepareCommit || md.state === TxnState.PrepareAbort) return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
  if (md.state === TxnState.Ongoing && partitions.every((p) => md.partitions.has(p))) return { errorCode: ErrorCode.NONE };
  return { transit: md.prepareAddPartitions(partitions, now, clientTransactionVersion) };
}

/** A partition leader's verification (AddPartitionsToTxn v4+ verifyOnly) of a TV1 transactional produce. */
export function decideVerify(
  md: TransactionMetadata | undefined,
  producerId: number,
  producerEpoch: number,
  partitions: readonly string[],
): Map<string, number> {
  const all = (code: number) => new Map(partitions.map((p) => [p, code]));
  if (md === undefined || md.producerId !== producerId) return all(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  if (md.producerEpoch !== producerEpoch) return all(ErrorCode.PRODUCER_FENCED);
  if (md.state === TxnState.PrepareCommit || md.state === TxnState.PrepareAbort) return all(ErrorCode.CONCURRENT_TRANSACTIONS);
  return new Map(partitions.map((p) => [p, md.partitions.has(p) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE]));
}

export type EndTxnDecision =
  | { errorCode: number; producerId: number; producerEpoch: number }
  | { transit: TxnTransit; isEpochFence: boolean };

/**
 * EndTxn from the client (isFromClient) or the coordinator's own abort (a fence or a timeout), as
 * Kafka 4.4 splits it by the request's transaction version: TV2 (EndTxn v5, and the coordinator's
 * aborts when transaction.version is 2) bumps the epoch, treats a retry with the epoch before the
 * bump as done, and lets a producer abort when no transaction is open (it cannot know whether a
 * produce added one); TV0/1 keeps the epoch. A retried end of a completed transaction answers NONE
 * with the current id and epoch.
 */
export function decideEndTxn(
  md: TransactionMetadata | undefined,
  producerId: number,
  producerEpoch: number,
  commit: boolean,
  isFromClient: boolean,
  clientTransactionVersion: number,
  newProducerId: () => number,
  now: number,
): EndTxnDecision {
  if (md === undefined) return endFailure(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  return supportsEpochBump(clientTransactionVersion)
    ? decideEndTxnV2(md, producerId, producerEpoch, commit, isFromClient, newProducerId, now)
    : decideEndTxnV1(md, producerId, producerEpoch, commit, isFromClient, clientTransactionVersion, now);
}

const endFailure = (errorCode: number) => ({ errorCode, producerId: NO_PRODUCER_ID, producerEpoch: -1 });
const endDone = (md: TransactionMetadata) => ({ errorCode: ErrorCode.NONE, producerId: md.producerId, producerEpoch: md.producerEpoch });

/** A fence's abort: the metadata takes the fenced epoch, the abort is written with it. */
function takeFence(md: TransactionMetadata, producerEpoch: number): void {
  md.pendingState = null;
  md.producerEpoch = producerEpoch;
  md.lastProducerEpoch = -1;
}

function decideEndTxnV1(md: TransactionMetadata, producerId: number, producerEpoch: number, commit: boolean, isFromClient: boolean, clientTransactionVersion: number, now: number): EndTxnDecision {
  const fencing = md.pendingState === TxnState.PrepareEpochFence;
  const validEpoch = (!isFromClient || producerEpoch === md.producerEpoch) && producerEpoch >= md.producerEpoch;
  if (md.producerId !== producerId) return endFailure(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  if (!validEpoch) return endFailure(ErrorCode.PRODUCER_FENCED);
  if (md.pendingTransitionInProgress && !fencing) return endFailure(ErrorCode.CONCURRENT_TRANSACTIONS);
  switch (md.state) {
    case TxnState.Ongoing: {
      const next = commit ? TxnState.PrepareCommit : TxnState.PrepareAbort;
      const isEpochFence = next === TxnState.PrepareAbort && fencing;
      if (isEpochFence) takeFence(md, producerEpoch);
      return { transit: md.prepareAbortOrCommit(next, clientTransactionVersion, NO_PRODUCER_ID, now), isEpochFence };
    }
    case TxnState.CompleteCommit:
      return commit ? endDone(md) : endFailure(ErrorCode.INVALID_TXN_STATE);
    case TxnState.CompleteAbort:
      return !commit ? endDone(md) : endFailure(ErrorCode.INVALID_TXN_STATE);
    case TxnState.PrepareCommit:
      return endFailure(commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
    case TxnState.PrepareAbort:
      return endFailure(!commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
    case TxnState.Empty:
      return endFailure(ErrorCode.INVALID_TXN_STATE);
    default:
      throw new IllegalTxnTransition(`${md.transactionalId} is ${md.state}: never a current state`);
  }
}

function decideEndTxnV2(md: TransactionMetadata, producerId: number, producerEpoch: number, commit: boolean, isFromClient: boolean, newProducerId: () => number, now: number): EndTxnDecision {
  const fencing = md.pendingState === TxnState.PrepareEpochFence;
  const retryOnOverflow = !fencing && md.previousProducerId === producerId && producerEpoch === 32766 && md.producerEpoch === 0;
  const retryOnEpochBump = !fencing && md.producerEpoch === producerEpoch + 1;
  const isRetry = retryOnEpochBump || retryOnOverflow;
  let validEpoch: boolean;
  if (fencing) {
    validEpoch = (!isFromClient || producerEpoch === md.producerEpoch) && producerEpoch >= md.producerEpoch;
  } else {
    switch (md.state) {
      case TxnState.PrepareCommit:
      case TxnState.PrepareAbort:
        validEpoch = retryOnEpochBump;
        break;
      case TxnState.CompleteCommit:
      case TxnState.CompleteAbort:
        validEpoch = isRetry || producerEpoch === md.producerEpoch;
        break;
      default:
        validEpoch = producerEpoch === md.producerEpoch;
    }
  }
  if (md.pendingTransitionInProgress && !fencing) return endFailure(ErrorCode.CONCURRENT_TRANSACTIONS);
  if (md.producerId !== producerId && !retryOnOverflow) return endFailure(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  if (!validEpoch) return endFailure(ErrorCode.PRODUCER_FENCED);
  // PrepareAbort/PrepareCommit, on a new producer id when this was the last epoch.
  const prepare = (next: TxnState, noPartitionAdded: boolean): EndTxnDecision => {
    const nextProducerId = !fencing && md.isProducerEpochExhausted ? newProducerId() : NO_PRODUCER_ID;
    const isEpochFence = next === TxnState.PrepareAbort && fencing;
    if (isEpochFence) takeFence(md, producerEpoch);
    return { transit: md.prepareAbortOrCommit(next, 2, nextProducerId, now, noPartitionAdded), isEpochFence };
  };
  switch (md.state) {
    case TxnState.Ongoing:
      return prepare(commit ? TxnState.PrepareCommit : TxnState.PrepareAbort, false);
    case TxnState.CompleteCommit:
      if (commit) return isRetry ? endDone(md) : endFailure(ErrorCode.INVALID_TXN_STATE);
      return isRetry ? endFailure(ErrorCode.INVALID_TXN_STATE) : prepare(TxnState.PrepareAbort, true);
    case TxnState.CompleteAbort:
      if (!commit) return isRetry ? endDone(md) : prepare(TxnState.PrepareAbort, true);
      return endFailure(ErrorCode.INVALID_TXN_STATE);
    case TxnState.PrepareCommit:
      return endFailure(commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
    case TxnState.PrepareAbort:
      return endFailure(!commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
    case TxnState.Empty:
      return commit ? endFailure(ErrorCode.INVALID_TXN_STATE) : prepare(TxnState.PrepareAbort, true);
    default:
      throw new IllegalTxnTransition(`${md.transactionalId} is ${md.state}: never a current state`);
  }
}

/** TV2: the client's EndTxn was answered with a bumped epoch and it retries with the one before. */
export function endTxnEpochBumped(md: TransactionMetadata, producerEpoch: number): boolean {
  return md.pendingState !== TxnState.PrepareEpochFence && supportsEpochBump(md.clientTransactionVersion) && md.producerEpoch === producerEpoch + 1;
}

/**
 * After PrepareCommit/PrepareAbort is written: the check before the markers go out (the
 * metadata may have moved meanwhile); NONE means send them.
 */
export function checkBeforeMarkers(md: TransactionMetadata, producerId: number, producerEpoch: number, commit: boolean): number {
  if (md.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (md.producerEpoch !== producerEpoch && !endTxnEpochBumped(md, producerEpoch)) return ErrorCode.PRODUCER_FENCED;
  if (md.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
  if (md.state === TxnState.PrepareCommit && commit) return ErrorCode.NONE;
  if (md.state === TxnState.PrepareAbort && !commit) return ErrorCode.NONE;
  return ErrorCode.INVALID_TXN_STATE;
}
