// The records of __transaction_state, in Kafka's layouts: key = int16 version 0 + TransactionLogKey
// (the transactional id); value = int16 version + TransactionLogValue (v1, flexible, when the
// transaction.version feature is 1+, else v0); a null value (tombstone) removes an expired id.
// v1's tagged fields: 0 PreviousProducerId int64, 1 NextProducerId int64, 2 ClientTransactionVersion
// int16, 3 NextProducerEpoch int16, each written only when not its default (-1, -1, 0, -1).
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import type { TaggedField } from '../../protocol/reader.js';
import { TransactionLogKey } from '../../protocol/generated/transaction-log-key.js';
import { TransactionLogValue } from '../../protocol/generated/transaction-log-value.js';
import { partitionFor } from '../group/records.js';
import { NO_PRODUCER_EPOCH, NO_PRODUCER_ID, TransactionMetadata, TxnState, fromTpKey, tpKey, type TxnTransit } from './txn-metadata.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

const TAG_PREVIOUS_PRODUCER_ID = 0;
const TAG_NEXT_PRODUCER_ID = 1;
const TAG_CLIENT_TRANSACTION_VERSION = 2;
const TAG_NEXT_PRODUCER_EPOCH = 3;

export function encodeTxnKey(transactionalId: string): Buffer {
  const w = new Writer(8 + transactionalId.length * 3);
  w.int16(0);
  TransactionLogKey.encode(w, 0, { transactionalId });
  return w.toBuffer();
}

/** The transactional id of a key, or null for a key version this broker does not know. */
export function decodeTxnKey(buf: Buffer): string | null {
  const r = new Reader(buf);
  const version = r.int16();
  if (version !== 0) return null;
  return TransactionLogKey.decode(r, 0).transactionalId;
}

/** Transaction version (feature level) -> the TransactionLogValue version Kafka writes. */
export function valueVersionFor(transactionVersion: number): number {
  return transactionVersion >= 1 ? 1 : 0;
}

export function encodeTxnValue(t: TxnTransit, version: number): Buffer {
  if (t.state === TxnState.Empty && t.partitions.size > 0) throw new Error('an Empty transaction has no partitions');
  let transactionPartitions: { topic: string; partitionIds: number[] }[] | null = null;
  if (t.state !== TxnState.Empty) {
    const byTopic = new Map<string, number[]>();
    for (const key of t.partitions) {
      const { topic, partition } = fromTpKey(key);
      let ids = byTopic.get(topic);
      if (!ids) byTopic.set(topic, (ids = []));
      ids.push(partition);
    }
    transactionPartitions = [...byTopic].map(([topic, partitionIds]) => ({ topic, partitionIds }));
  }
  const tagged: TaggedField[] = [];
  if (version >= 1) {
    if (t.prevProducerId !== NO_PRODUCER_ID) tagged.push({ tag: TAG_PREVIOUS_PRODUCER_ID, data: int64(t.prevProducerId) });
    if (t.nextProducerId !== NO_PRODUCER_ID) tagged.push({ tag: TAG_NEXT_PRODUCER_ID, data: int64(t.nextProducerId) });
    if (t.clientTransactionVersion !== 0) tagged.push({ tag: TAG_CLIENT_TRANSACTION_VERSION, data: int16(t.clientTransactionVersion) });
  }
  const w = new Writer(64);
  w.int16(version);
  TransactionLogValue.encode(w, version, {
    producerId: t.producerId,
    producerEpoch: t.producerEpoch,
    transactionTimeoutMs: t.txnTimeoutMs,
    transactionStatus: t.state,
    transactionPartitions,
    transactionLastUpdateTimestampMs: t.txnLastUpdateTimestamp,
    transactionStartTimestampMs: t.txnStartTimestamp,
    _tagged: tagged.length > 0 ? tagged : undefined,
  });
  return w.toBuffer();
}

/** The metadata a value describes (Kafka's readTxnRecordValue); throws on an unknown version. */
export function decodeTxnValue(transactionalId: string, buf: Buffer): TransactionMetadata {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0 || version > 1) throw new Error(`unknown TransactionLogValue version ${version}`);
  const v = TransactionLogValue.decode(r, version);
  let previousProducerId = NO_PRODUCER_ID;
  let nextProducerId = NO_PRODUCER_ID;
  let clientTransactionVersion = 0;
  let nextProducerEpoch = NO_PRODUCER_EPOCH;
  for (const f of v._tagged ?? []) {
    if (f.tag === TAG_PREVIOUS_PRODUCER_ID) previousProducerId = Number(f.data.readBigInt64BE(0));
    else if (f.tag === TAG_NEXT_PRODUCER_ID) nextProducerId = Number(f.data.readBigInt64BE(0));
    else if (f.tag === TAG_CLIENT_TRANSACTION_VERSION) clientTransactionVersion = f.data.readInt16BE(0);
    else if (f.tag === TAG_NEXT_PRODUCER_EPOCH) nextProducerEpoch = f.data.readInt16BE(0);
  }
  void nextProducerEpoch;
  const state = v.transactionStatus;
  if (state < 0 || state > 7) throw new Error(`unknown transaction state ${state}`);
  const partitions: string[] = [];
  if (state !== TxnState.Empty) for (const s of v.transactionPartitions ?? []) for (const p of s.partitionIds) partitions.push(tpKey(s.topic, p));
  return new TransactionMetadata(transactionalId, {
    producerId: v.producerId,
    previousProducerId,
    nextProducerId,
    producerEpoch: v.producerEpoch,
    txnTimeoutMs: v.transactionTimeoutMs,
    state: state as TxnState,
    partitions,
    txnStartTimestamp: v.transactionStartTimestampMs,
    txnLastUpdateTimestamp: v.transactionLastUpdateTimestampMs,
    clientTransactionVersion,
  });
}

function int64(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
}

function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

/** The __transaction_state partition of a transactional id: Utils.abs(id.hashCode()) % partitions, as for group ids. */
export function txnPartitionFor(transactionalId: string, partitions: number): number {
  return partitionFor(transactionalId, partitions);
}
