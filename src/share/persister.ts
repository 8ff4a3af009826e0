// What a share partition needs of the share coordinator's durable state (Kafka's Persister, KIP-932):
// the share-partition state of (group, topic id, partition) in __share_group_state. The share
// coordinator implements it in-process when it leads the state partition, else over the network
// (Initialize/Read/Write/Delete/ReadSummaryShareGroupState to the leader found by FindCoordinator key type 2).

/** Delivery states as persisted (Kafka's RecordState ids; ACQUIRED is never written). */
export const DeliveryState = { AVAILABLE: 0, ACKNOWLEDGED: 2, ARCHIVED: 4 } as const;

export interface PersisterStateBatch {
  firstOffset: number;
  lastOffset: number;
  deliveryState: number;
  deliveryCount: number;
}

export interface ShareStateKey {
  groupId: string;
  topicId: string;
  partition: number;
}

export interface ReadStateResult {
  /** NONE, or e.g. UNKNOWN_TOPIC_OR_PARTITION when never initialized, COORDINATOR_NOT_AVAILABLE / NOT_COORDINATOR to retry. */
  errorCode: number;
  errorMessage: string | null;
  stateEpoch: number;
  /** The share-partition start offset, -1 when not yet initialized (share.auto.offset.reset decides). */
  startOffset: number;
  /** Records delivered to completion (accepted, rejected or archived) below the end, as Kafka 4.4 keeps it. */
  deliveryCompleteCount: number;
  stateBatches: PersisterStateBatch[];
}

export interface WriteState {
  stateEpoch: number;
  leaderEpoch: number;
  startOffset: number;
  deliveryCompleteCount: number;
  stateBatches: PersisterStateBatch[];
}

export interface Persister {
  initializeState(key: ShareStateKey, stateEpoch: number, startOffset: number): Promise<{ errorCode: number; errorMessage: string | null }>;
  readState(key: ShareStateKey, leaderEpoch: number): Promise<ReadStateResult>;
  writeState(key: ShareStateKey, state: WriteState): Promise<{ errorCode: number; errorMessage: string | null }>;
  deleteState(key: ShareStateKey): Promise<{ errorCode: number; errorMessage: string | null }>;
  readSummary(key: ShareStateKey, leaderEpoch: number): Promise<{ errorCode: number; errorMessage: string | null; stateEpoch: number; startOffset: number; leaderEpoch: number; deliveryCompleteCount: number }>;
}
