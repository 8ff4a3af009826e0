// The TxnMarkerWriter (Kafka's TransactionMarkerChannelManager role): a transaction's marker goes
// to the leader of each of its partitions. Partitions led here are written locally
// (local-markers.ts); the others are grouped per leader into one WriteTxnMarkers (v2) each, sent
// over the inter-broker client. Retriable answers (Kafka's list: UNKNOWN_TOPIC_OR_PARTITION,
// NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT,
// KAFKA_STORAGE_ERROR), an unknown leader or an unreachable broker are retried after a backoff with
// the leader the image names then; a partition whose topic the image no longer has is done with
// UNKNOWN_TOPIC_OR_PARTITION (a deleted topic needs no marker), as is UNSUPPORTED_FOR_MESSAGE_FORMAT.
import { log } from '../../log.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { WriteTxnMarkersRequest } from '../../protocol/generated/write-txn-markers-request.js';
import type { WriteTxnMarkersResponse } from '../../protocol/generated/write-txn-markers-response.js';
import { writeMarkersLocally, type LocalMarkerHost, type MarkerResult } from './local-markers.js';
import type { TxnMarkerWriter } from './marker-writer.js';

/** The WriteTxnMarkers version brokers send each other (v2 carries the transaction version, KIP-1228). */
export const WRITE_TXN_MARKERS_VERSION = 2;

const RETRIABLE = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

export interface MarkerChannelOptions {
  nodeId: number;
  local: LocalMarkerHost;
  /** The partition's leader in the current image: -1 while it has none, null when the image has no such partition. */
  leaderOf(topic: string, partition: number): number | null;
  /** Cluster mode: sends a WriteTxnMarkers to a broker (rejects when it cannot be reached). */
  send?: (brokerId: number, req: WriteTxnMarkersRequest) => Promise<WriteTxnMarkersResponse>;
  /** Between rounds of retries (Kafka's retry.backoff.ms, 100). */
  retryBackoffMs?: number;
}

export type MarkerWriteRequest = Parameters<TxnMarkerWriter['write']>[0] & {
  /** Checked before each retry: true stops it (the coordinator lost the transaction's partition); the rest answer NOT_COORDINATOR. */
  cancelled?: () => boolean;
};

export class TxnMarkerChannel implements TxnMarkerWriter {
  private closed = false;
  private readonly backoffMs: number;
  private readonly sleeping = new Set<() => void>();

  constructor(private readonly o: MarkerChannelOptions) {
    this.backoffMs = o.retryBackoffMs ?? 100;
  }

  /** Cluster mode (the node wires its inter-broker client in after the broker is built). */
  useRemote(send: NonNullable<MarkerChannelOptions['send']>): void {
    this.o.send = send;
  }

  async write(req: MarkerWriteRequest): Promise<MarkerResult[]> {
    const results = new Map<string, MarkerResult>();
    const key = (t: string, p: number) => `${t}\0${p}`;
    let pending = req.partitions;
    for (let round = 0; pending.length > 0; round++) {
      if (round > 0) {
        if (this.closed || req.cancelled?.()) {
          for (const p of pending) results.set(key(p.topic, p.partition), { ...p, errorCode: ErrorCode.NOT_COORDINATOR });
          break;
        }
        await this.sleep(this.backoffMs);
      }
      const local: { topic: string; partition: number }[] = [];
      const byBroker = new Map<number, { topic: string; partition: number }[]>();
      const retry: { topic: string; partition: number }[] = [];
      for (const p of pending) {
        const leader = this.o.leaderOf(p.topic, p.partition);
        if (leader === null) results.set(key(p.topic, p.partition), { ...p, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        else if (leader < 0) retry.push(p);
        else if (leader === this.o.nodeId || !this.o.send) local.push(p);
        else {
          let list = byBroker.get(leader);
          if (!list) byBroker.set(leader, (list = []));
          list.push(p);
        }
      }
      const answers = await Promise.all([
        writeMarkersLocally(this.o.local, req, local),
        ...[...byBroker].map(([broker, partitions]) => this.sendTo(broker, req, partitions)),
      ]);
      for (const r of answers.flat()) {
        if (RETRIABLE.has(r.errorCode)) retry.push({ topic: r.topic, partition: r.partition });
        else results.set(key(r.topic, r.partition), r);
      }
      if (retry.length > 0 && round % 50 === 49) log.info(`transaction markers of producer ${req.producerId} still pending on ${retry.length} partition(s) after ${round + 1} rounds`);
      pending = retry;
    }
    return req.partitions.map((p) => results.get(key(p.topic, p.partition)) ?? { ...p, errorCode: ErrorCode.NOT_COORDINATOR });
  }

  /** One WriteTxnMarkers to the leader; an unreachable broker fails every partition retriably. */
  private async sendTo(broker: number, req: MarkerWriteRequest, partitions: { topic: string; partition: number }[]): Promise<MarkerResult[]> {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) {
      let list = byTopic.get(p.topic);
      if (!list) byTopic.set(p.topic, (list = []));
      list.push(p.partition);
    }
    const request: WriteTxnMarkersRequest = {
      markers: [
        {
          producerId: req.producerId,
          producerEpoch: req.producerEpoch,
          transactionResult: req.commit,
          coordinatorEpoch: req.coordinatorEpoch,
          transactionVersion: req.transactionVersion,
          topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
        },
      ],
    };
    try {
      const res = await this.o.send!(broker, request);
      const answered = new Map<string, number>();
      for (const m of res.markers) for (const t of m.topics) for (const p of t.partitions) answered.set(`${t.name}\0${p.partitionIndex}`, p.errorCode);
      // A partition the answer leaves out is retried.
      return partitions.map((p) => ({ ...p, errorCode: answered.get(`${p.topic}\0${p.partition}`) ?? ErrorCode.REQUEST_TIMED_OUT }));
    } catch (e) {
      log.debug(`WriteTxnMarkers to broker ${broker} failed: ${(e as Error)?.message ?? e}`);
      return partitions.map((p) => ({ ...p, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER }));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.sleeping.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.sleeping.add(done);
    });
  }

  /** Stops retrying: writes in progress end with NOT_COORDINATOR for what is still pending. */
  close(): void {
    this.closed = true;
    for (const wake of [...this.sleeping]) wake();
  }
}
