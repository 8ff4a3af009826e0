// The Persister (src/share/persister.ts) of this broker: a key whose __share_group_state partition
// is led here goes to the local share coordinator; otherwise its request (83-87) goes to the
// leader the metadata image names, over the inter-broker client the node wires in. Answers
// NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS and COORDINATOR_NOT_AVAILABLE (leadership moving,
// a partition loading, the topic being created), an unknown leader or an unreachable broker are
// retried after a growing backoff (Kafka's PersisterStateManager) until `maxAttempts`.
import { log } from '../../log.js';
import { ErrorCode, errorMessage } from '../../protocol/errors.js';
import type { Codec } from '../../protocol/generated/codec.js';
import { DeleteShareGroupStateRequest } from '../../protocol/generated/delete-share-group-state-request.js';
import { DeleteShareGroupStateResponse } from '../../protocol/generated/delete-share-group-state-response.js';
import { InitializeShareGroupStateRequest } from '../../protocol/generated/initialize-share-group-state-request.js';
import { InitializeShareGroupStateResponse } from '../../protocol/generated/initialize-share-group-state-response.js';
import { ReadShareGroupStateRequest } from '../../protocol/generated/read-share-group-state-request.js';
import { ReadShareGroupStateResponse } from '../../protocol/generated/read-share-group-state-response.js';
import { ReadShareGroupStateSummaryRequest } from '../../protocol/generated/read-share-group-state-summary-request.js';
import { ReadShareGroupStateSummaryResponse } from '../../protocol/generated/read-share-group-state-summary-response.js';
import { WriteShareGroupStateRequest } from '../../protocol/generated/write-share-group-state-request.js';
import { WriteShareGroupStateResponse } from '../../protocol/generated/write-share-group-state-response.js';
import type { Persister, ReadStateResult, ShareStateKey, WriteState } from '../../share/persister.js';
import type { ShareCoordinator } from './coordinator.js';
import { coordinatorKey } from './records.js';

/** The versions brokers send each other (Kafka 4.4's highest). */
export const SHARE_STATE_VERSIONS = { initialize: 0, read: 0, write: 1, delete: 0, summary: 1 } as const;

const RETRIABLE = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE]);

export type SendToBroker = <Req, Res>(brokerId: number, request: Codec<Req>, response: Codec<Res>, version: number, req: Req) => Promise<Res>;

export interface SharePersisterOptions {
  nodeId: number;
  coordinator: Pick<ShareCoordinator, 'activate' | 'coordinatorId' | 'initializeState' | 'readState' | 'writeState' | 'deleteState' | 'readSummary'>;
  /** Cluster mode: a request to another broker (rejects when it cannot be reached). */
  send?: SendToBroker;
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
}

type Outcome = { errorCode: number; errorMessage: string | null };

export class SharePersister implements Persister {
  private closed = false;
  private readonly sleeping = new Set<() => void>();

  constructor(private readonly o: SharePersisterOptions) {}

  /** Cluster mode (the node wires its inter-broker client in after the broker is built). */
  useRemote(send: SendToBroker): void {
    this.o.send = send;
  }

  close(): void {
    this.closed = true;
    for (const wake of [...this.sleeping]) wake();
  }

  initializeState(key: ShareStateKey, stateEpoch: number, startOffset: number): Promise<Outcome> {
    return this.run(
      key,
      () => this.o.coordinator.initializeState(key, stateEpoch, startOffset),
      async (broker) => {
        const res = await this.o.send!(broker, InitializeShareGroupStateRequest, InitializeShareGroupStateResponse, SHARE_STATE_VERSIONS.initialize, {
          groupId: key.groupId,
          topics: [{ topicId: key.topicId, partitions: [{ partition: key.partition, stateEpoch, startOffset }] }],
        });
        return outcome(pick(res.results, key));
      },
      (e) => e,
    );
  }

  readState(key: ShareStateKey, leaderEpoch: number): Promise<ReadStateResult> {
    return this.run(
      key,
      () => this.o.coordinator.readState(key, leaderEpoch),
      async (broker) => {
        const res = await this.o.send!(broker, ReadShareGroupStateRequest, ReadShareGroupStateResponse, SHARE_STATE_VERSIONS.read, {
          groupId: key.groupId,
          topics: [{ topicId: key.topicId, partitions: [{ partition: key.partition, leaderEpoch }] }],
        });
        const p = pick(res.results, key);
        // ReadShareGroupState does not carry the count of completed deliveries: unknown (-1) from a remote coordinator.
        return p ? { errorCode: p.errorCode, errorMessage: p.errorMessage, stateEpoch: p.stateEpoch, startOffset: p.startOffset, deliveryCompleteCount: -1, stateBatches: p.stateBatches } : { ...missing(), stateEpoch: 0, startOffset: -1, deliveryCompleteCount: -1, stateBatches: [] };
      },
      (e) => ({ ...e, stateEpoch: 0, startOffset: -1, deliveryCompleteCount: -1, stateBatches: [] }),
    );
  }

  writeState(key: ShareStateKey, state: WriteState): Promise<Outcome> {
    return this.run(
      key,
      () => this.o.coordinator.writeState(key, state),
      async (broker) => {
        const res = await this.o.send!(broker, WriteShareGroupStateRequest, WriteShareGroupStateResponse, SHARE_STATE_VERSIONS.write, {
          groupId: key.groupId,
          topics: [{ topicId: key.topicId, partitions: [{ partition: key.partition, stateEpoch: state.stateEpoch, leaderEpoch: state.leaderEpoch, startOffset: state.startOffset, deliveryCompleteCount: state.deliveryCompleteCount, stateBatches: state.stateBatches }] }],
        });
        return outcome(pick(res.results, key));
      },
      (e) => e,
    );
  }

  deleteState(key: ShareStateKey): Promise<Outcome> {
    return this.run(
      key,
      () => this.o.coordinator.deleteState(key),
      async (broker) => {
        const res = await this.o.send!(broker, DeleteShareGroupStateRequest, DeleteShareGroupStateResponse, SHARE_STATE_VERSIONS.delete, {
          groupId: key.groupId,
          topics: [{ topicId: key.topicId, partitions: [{ partition: key.partition }] }],
        });
        return outcome(pick(res.results, key));
      },
      (e) => e,
    );
  }

  readSummary(key: ShareStateKey, leaderEpoch: number): ReturnType<Persister['readSummary']> {
    return this.run(
      key,
      () => this.o.coordinator.readSummary(key),
      async (broker) => {
        const res = await this.o.send!(broker, ReadShareGroupStateSummaryRequest, ReadShareGroupStateSummaryResponse, SHARE_STATE_VERSIONS.summary, {
          groupId: key.groupId,
          topics: [{ topicId: key.topicId, partitions: [{ partition: key.partition, leaderEpoch }] }],
        });
        const p = pick(res.results, key);
        return p ? { errorCode: p.errorCode, errorMessage: p.errorMessage, stateEpoch: p.stateEpoch, startOffset: p.startOffset, leaderEpoch: p.leaderEpoch, deliveryCompleteCount: p.deliveryCompleteCount ?? -1 } : { ...missing(), stateEpoch: 0, startOffset: -1, leaderEpoch: 0, deliveryCompleteCount: -1 };
      },
      (e) => ({ ...e, stateEpoch: 0, startOffset: -1, leaderEpoch: 0, deliveryCompleteCount: -1 }),
    );
  }

  /** One key's operation at its coordinator, retried while the coordinator is moving or loading. */
  private async run<R extends Outcome>(key: ShareStateKey, local: () => Promise<R>, remote: (broker: number) => Promise<R>, error: (e: Outcome) => R): Promise<R> {
    const attempts = this.o.maxAttempts ?? 20;
    let backoff = this.o.backoffMs ?? 100;
    let last: Outcome = { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: errorMessage(ErrorCode.COORDINATOR_NOT_AVAILABLE) };
    for (let attempt = 0; attempt < attempts && !this.closed; attempt++) {
      if (attempt > 0) {
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.o.maxBackoffMs ?? 1000);
      }
      // The first need creates __share_group_state (as FindCoordinator key type 2 does in Kafka).
      await this.o.coordinator.activate().catch(() => {});
      const leader = this.o.coordinator.coordinatorId(coordinatorKey(key));
      let r: R;
      if (leader === null || leader === this.o.nodeId || !this.o.send) r = await local();
      else if (leader < 0) {
        last = { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: errorMessage(ErrorCode.COORDINATOR_NOT_AVAILABLE) };
        continue;
      } else {
        try {
          r = await remote(leader);
        } catch (e) {
          log.debug(`share state request to broker ${leader} failed: ${(e as Error)?.message ?? e}`);
          last = { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: errorMessage(ErrorCode.COORDINATOR_NOT_AVAILABLE) };
          continue;
        }
      }
      if (!RETRIABLE.has(r.errorCode)) return r;
      last = r;
    }
    return error(last);
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
}

function pick<P extends { partition: number }>(results: { topicId: string; partitions: P[] }[], key: ShareStateKey): P | undefined {
  return results.find((t) => t.topicId === key.topicId)?.partitions.find((p) => p.partition === key.partition);
}

function outcome(p: Outcome | undefined): Outcome {
  return p ? { errorCode: p.errorCode, errorMessage: p.errorMessage } : missing();
}

function missing(): Outcome {
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'The share coordinator left the partition out of its answer.' };
}
