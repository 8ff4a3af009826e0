// A partition leader's check of a transactional produce (KIP-890, Kafka's
// transaction.partition.verification.enable): before the first batch of a producer's transaction
// is appended to a partition, the transaction coordinator confirms the partition is in the
// transaction (AddPartitionsToTxn v4+ verifyOnly, Produce v3-11) or adds it (Produce v12+,
// transaction version 2). The coordinator is asked in-process when this broker leads the
// transactional id's __transaction_state partition, else with AddPartitionsToTxn v5 to its broker.
// Requests of one tick for one transaction go together. A producer whose transaction is already
// open on the partition needs no check. Appends of a partition that waits for a check keep their
// order (one chain per partition). Errors as Kafka 4.4 turns them into produce errors (produceError):
// a partition not in the transaction is TRANSACTION_ABORTABLE (INVALID_TXN_STATE before Produce
// v11), PRODUCER_FENCED is INVALID_PRODUCER_EPOCH, retriable coordinator errors NOT_ENOUGH_REPLICAS.
import { log } from '../../log.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { AddPartitionsToTxnRequest } from '../../protocol/generated/add-partitions-to-txn-request.js';
import type { AddPartitionsToTxnResponse } from '../../protocol/generated/add-partitions-to-txn-response.js';
import { ATTRIBUTES, BATCH_HEADER_SIZE, PRODUCER_EPOCH, PRODUCER_ID, isTransactional, readInt64 } from '../../protocol/records/batch.js';
import { KafkaError, type AppendResult, type PartitionLog } from '../../storage/types.js';

/** The AddPartitionsToTxn version a leader sends its coordinator (v4+ is the brokers' batched form). */
export const ADD_PARTITIONS_TO_TXN_VERSION = 5;

type PartitionError = { topic: string; partition: number; errorCode: number };

export interface TxnVerifierOptions {
  nodeId: number;
  /** transaction.partition.verification.enable */
  enabled(): boolean;
  /** The broker leading the id's __transaction_state partition (-1: none); null: ask the local coordinator. */
  coordinatorId(transactionalId: string): number | null;
  /** This broker's transaction coordinator. */
  verifyOrAdd(transactionalId: string, producerId: number, producerEpoch: number, partitions: { topic: string; partition: number }[], add: boolean): Promise<PartitionError[]>;
  /** Cluster mode: AddPartitionsToTxn to another broker (rejects when it cannot be reached). */
  send?: (brokerId: number, req: AddPartitionsToTxnRequest) => Promise<AddPartitionsToTxnResponse>;
}

/**
 * The producer of a transactional produce's records, or null when they are not transactional
 * (judged by the first batch: a producer's batches for one partition are all in its transaction or not).
 */
export function transactionalProducer(records: Buffer | null): { producerId: number; producerEpoch: number } | null {
  // Only the attributes of a plain produce are read (every request passes here).
  if (records === null || records.length < BATCH_HEADER_SIZE || !isTransactional(records.readInt16BE(ATTRIBUTES))) return null;
  const producerId = readInt64(records, PRODUCER_ID);
  return producerId >= 0 ? { producerId, producerEpoch: records.readInt16BE(PRODUCER_EPOCH) } : null;
}

interface Waiting {
  partitions: { topic: string; partition: number; resolve: (errorCode: number) => void }[];
}

export class TxnVerifier {
  /** Checks of this tick, by transaction. */
  private batch = new Map<string, Waiting & { transactionalId: string; producerId: number; producerEpoch: number; add: boolean }>();
  /** Per partition: the last append that waited for a check (later transactional appends go after it). */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private o: TxnVerifierOptions) {}

  /** Cluster mode (the node wires its inter-broker client in after the broker is built). */
  useRemote(send: NonNullable<TxnVerifierOptions['send']>): void {
    this.o = { ...this.o, send };
  }

  /**
   * The coordinator's word on one partition of the transaction, as its error code (NONE: in the
   * transaction, or already open here, or verification is off). `add`: add it if missing (KIP-890).
   */
  async verify(req: { transactionalId: string; producerId: number; producerEpoch: number; topic: string; partition: number; add: boolean }, l: PartitionLog): Promise<number> {
    if (!this.o.enabled() || hasOngoingTransaction(l, req.producerId, req.producerEpoch)) return ErrorCode.NONE;
    return this.request(req);
  }

  /**
   * Appends a transactional produce's records after the check when one is needed; rejects with a
   * KafkaError carrying the produce error when the coordinator refuses.
   */
  append(
    req: { transactionalId: string; producerId: number; producerEpoch: number; topic: string; partition: number; produceVersion: number },
    l: PartitionLog,
    doAppend: () => Promise<AppendResult>,
  ): Promise<AppendResult> {
    const key = `${req.topic}\0${req.partition}`;
    const chained = this.chains.get(key);
    if (!this.o.enabled() || (!chained && hasOngoingTransaction(l, req.producerId, req.producerEpoch))) return doAppend();
    const run = async (): Promise<AppendResult> => {
      const code = produceError(await this.verify({ ...req, add: req.produceVersion >= 12 }, l), req.produceVersion);
      if (code !== ErrorCode.NONE) throw new KafkaError(code, verificationMessage(code));
      return doAppend();
    };
    const next = (chained ?? Promise.resolve()).then(run, run);
    const tail = next.catch(() => {});
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next;
  }

  private request(req: { transactionalId: string; producerId: number; producerEpoch: number; topic: string; partition: number; add: boolean }): Promise<number> {
    const add = req.add;
    const id = `${req.transactionalId}\0${req.producerId}\0${req.producerEpoch}\0${add}`;
    return new Promise((resolve) => {
      let w = this.batch.get(id);
      if (!w) {
        w = { transactionalId: req.transactionalId, producerId: req.producerId, producerEpoch: req.producerEpoch, add, partitions: [] };
        if (this.batch.size === 0) queueMicrotask(() => this.flush());
        this.batch.set(id, w);
      }
      w.partitions.push({ topic: req.topic, partition: req.partition, resolve });
    });
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = new Map();
    for (const w of batch.values()) {
      this.ask(w).then(
        (errors) => {
          const byKey = new Map(errors.map((e) => [`${e.topic}\0${e.partition}`, e.errorCode]));
          for (const p of w.partitions) p.resolve(byKey.get(`${p.topic}\0${p.partition}`) ?? ErrorCode.NONE);
        },
        (e) => {
          log.debug(`transaction verification of ${w.transactionalId} failed: ${(e as Error)?.message ?? e}`);
          for (const p of w.partitions) p.resolve(ErrorCode.NETWORK_EXCEPTION);
        },
      );
    }
  }

  private async ask(w: { transactionalId: string; producerId: number; producerEpoch: number; add: boolean; partitions: { topic: string; partition: number }[] }): Promise<PartitionError[]> {
    const partitions = w.partitions.map((p) => ({ topic: p.topic, partition: p.partition }));
    const coordinator = this.o.coordinatorId(w.transactionalId);
    if (coordinator === null || coordinator === this.o.nodeId || !this.o.send) {
      return this.o.verifyOrAdd(w.transactionalId, w.producerId, w.producerEpoch, partitions, w.add);
    }
    if (coordinator < 0) return partitions.map((p) => ({ ...p, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }));
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) {
      let list = byTopic.get(p.topic);
      if (!list) byTopic.set(p.topic, (list = []));
      list.push(p.partition);
    }
    const res = await this.o.send(coordinator, {
      transactions: [
        {
          transactionalId: w.transactionalId,
          producerId: w.producerId,
          producerEpoch: w.producerEpoch,
          verifyOnly: !w.add,
          topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps })),
        },
      ],
    });
    // A top-level error (CLUSTER_AUTHORIZATION_FAILED is INVALID_TXN_STATE to the client) fails every partition.
    if (res.errorCode !== undefined && res.errorCode !== ErrorCode.NONE) {
      const code = res.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ? ErrorCode.INVALID_TXN_STATE : res.errorCode;
      return partitions.map((p) => ({ ...p, errorCode: code }));
    }
    const out: PartitionError[] = [];
    for (const r of res.resultsByTransaction ?? []) {
      if (r.transactionalId !== w.transactionalId) continue;
      for (const t of r.topicResults) for (const p of t.resultsByPartition) out.push({ topic: t.name, partition: p.partitionIndex, errorCode: p.partitionErrorCode });
    }
    return out;
  }
}

/**
 * The same for TxnOffsetCommit's check of its __consumer_offsets partition (Kafka 4.4's
 * txnOffsetCommitRequestVersionToTransactionSupportedOperation: v4 knows TRANSACTION_ABORTABLE,
 * v5+ adds the partition); the group coordinator then maps it as any failed write.
 */
export function txnOffsetCommitError(errorCode: number, apiVersion: number): number {
  const asProduce = apiVersion >= 5 ? 12 : apiVersion === 4 ? 11 : 10;
  return produceError(errorCode, asProduce);
}

function verificationMessage(code: number): string {
  if (code === ErrorCode.INVALID_TXN_STATE) return 'Partition was not added to the transaction';
  if (code === ErrorCode.NOT_ENOUGH_REPLICAS) return 'Unable to verify the partition has been added to the transaction';
  return `Transaction verification failed (error ${code})`;
}

/** Whether the producer's transaction (in this epoch) is already open on the partition. */
function hasOngoingTransaction(l: PartitionLog, producerId: number, producerEpoch: number): boolean {
  const p = l.activeProducers().find((a) => a.producerId === producerId);
  return p !== undefined && p.producerEpoch === producerEpoch && p.currentTxnStartOffset >= 0;
}

/**
 * Kafka 4.4's translation of a verification error into the produce response's (ReplicaManager,
 * AddPartitionsToTxnManager): TRANSACTION_ABORTABLE only for clients that know it (Produce v11+),
 * CONCURRENT_TRANSACTIONS kept for v12+ (they retry it), the other retriable ones NOT_ENOUGH_REPLICAS.
 */
export function produceError(errorCode: number, produceVersion: number): number {
  switch (errorCode) {
    case ErrorCode.NONE:
      return ErrorCode.NONE;
    case ErrorCode.PRODUCER_FENCED:
      return ErrorCode.INVALID_PRODUCER_EPOCH;
    case ErrorCode.TRANSACTION_ABORTABLE:
      return produceVersion >= 11 ? ErrorCode.TRANSACTION_ABORTABLE : ErrorCode.INVALID_TXN_STATE;
    case ErrorCode.CONCURRENT_TRANSACTIONS:
      return produceVersion >= 12 ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.NOT_ENOUGH_REPLICAS;
    case ErrorCode.NETWORK_EXCEPTION:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      return ErrorCode.NOT_ENOUGH_REPLICAS;
    default:
      return errorCode;
  }
}
