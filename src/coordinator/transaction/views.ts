// What DescribeTransactions and ListTransactions report of the coordinator's metadata (KIP-664),
// sans IO: one id's state, partitions and timings; the ids matching ListTransactions' filters.
import { ErrorCode } from '../../protocol/errors.js';
import { TXN_STATE_NAMES, TxnState, fromTpKey, type TransactionMetadata } from './txn-metadata.js';

export interface DescribedTransaction {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: number;
  producerId: number;
  producerEpoch: number;
  topics: { topic: string; partitions: number[] }[];
}

export interface ListedTransactions {
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: { transactionalId: string; producerId: number; transactionState: string }[];
}

export interface ListFilters {
  /** State names; empty: all. Unknown names are echoed back. */
  states: string[];
  /** Empty: all. */
  producerIds: number[];
  /** Only transactions running longer than this; -1: all. */
  durationMs: number;
  /** The whole id must match; null: all. */
  idPattern: RegExp | null;
}

/** An error answer carries the schema's defaults (zeros), as Kafka's does. */
export function describeError(transactionalId: string, errorCode: number): DescribedTransaction {
  return { errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: 0, producerId: 0, producerEpoch: 0, topics: [] };
}

export function describeTransaction(transactionalId: string, md: TransactionMetadata | undefined): DescribedTransaction {
  if (md === undefined || md.state === TxnState.Dead) return describeError(transactionalId, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  const byTopic = new Map<string, number[]>();
  for (const key of md.partitions) {
    const { topic, partition } = fromTpKey(key);
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push(partition);
  }
  return {
    errorCode: ErrorCode.NONE,
    transactionalId,
    transactionState: TXN_STATE_NAMES[md.state],
    transactionTimeoutMs: md.txnTimeoutMs,
    transactionStartTimeMs: md.txnStartTimestamp,
    producerId: md.producerId,
    producerEpoch: md.producerEpoch,
    topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
  };
}

/** Kafka's listTransactionStates: Dead ids never, the duration measured from the start timestamp (-1 before any transaction). */
export function listTransactions(all: Iterable<TransactionMetadata>, f: ListFilters, now: number): ListedTransactions {
  const unknownStateFilters: string[] = [];
  const states = new Set<number>();
  for (const name of f.states) {
    const i = TXN_STATE_NAMES.indexOf(name);
    if (i < 0) unknownStateFilters.push(name);
    else states.add(i);
  }
  const pids = new Set(f.producerIds);
  const transactionStates: ListedTransactions['transactionStates'] = [];
  for (const md of all) {
    if (md.state === TxnState.Dead) continue;
    if (pids.size > 0 && !pids.has(md.producerId)) continue;
    if (f.states.length > 0 && !states.has(md.state)) continue;
    if (f.durationMs >= 0 && now - md.txnStartTimestamp <= f.durationMs) continue;
    if (f.idPattern && !f.idPattern.test(md.transactionalId)) continue;
    transactionStates.push({ transactionalId: md.transactionalId, producerId: md.producerId, transactionState: TXN_STATE_NAMES[md.state] });
  }
  return { errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates };
}
