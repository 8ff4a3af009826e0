// Writing transaction markers into the partitions this broker leads, as a partition leader does for
// WriteTxnMarkers (Kafka's handleWriteTxnMarkersRequest): a control batch appended with acks=all
// semantics (min.insync.replicas checked, answered once the ISR has it), __consumer_offsets
// partitions handed to the group coordinator (it appends the marker after its own writes and
// completes the transaction's offsets). Errors per partition, as Kafka answers them.
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError, type PartitionLog } from '../../storage/types.js';
import { log } from '../../log.js';

const OFFSETS_TOPIC = '__consumer_offsets';

export interface MarkerSpec {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  /** KIP-1228: 2 (KIP-890) requires the marker's epoch above the data's (the coordinator bumped it); 0/1 legacy. */
  transactionVersion?: number;
}

export interface MarkerResult {
  topic: string;
  partition: number;
  errorCode: number;
}

/** What writing markers locally needs of the broker. */
export interface LocalMarkerHost {
  /** The partition's log on this broker, if it hosts a replica. */
  partitionLog(topic: string, partition: number): PartitionLog | undefined;
  /** Whether the current image has the partition (the replica layer decides about it then). */
  hasPartition(topic: string, partition: number): boolean;
  /** Cluster mode: leadership and min ISR for an acks=all append, and the wait for the ISR; null on a lone node. */
  replicas(): {
    checkProduce(topic: string, partition: number, acks: number): { errorCode: number };
    awaitReplication(topic: string, partition: number, endOffset: number, timeoutMs: number): Promise<number>;
  } | null;
  /** The group coordinator's marker path for __consumer_offsets partitions. */
  completeTransaction(partition: number, marker: MarkerSpec): Promise<number>;
  /** request.timeout.ms: how long an append waits for the ISR. */
  readonly timeoutMs: number;
}

/** Writes the marker to each partition here; resolves with one result per partition, in order. */
export function writeMarkersLocally(host: LocalMarkerHost, marker: MarkerSpec, partitions: { topic: string; partition: number }[]): Promise<MarkerResult[]> {
  return Promise.all(partitions.map(async ({ topic, partition }) => ({ topic, partition, errorCode: await writeOne(host, marker, topic, partition) })));
}

async function writeOne(host: LocalMarkerHost, marker: MarkerSpec, topic: string, partition: number): Promise<number> {
  const l = host.partitionLog(topic, partition);
  // Kafka answers a partition it hosts no replica of with UNKNOWN_TOPIC_OR_PARTITION.
  if (!l) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (topic === OFFSETS_TOPIC) return host.completeTransaction(partition, marker);
  const replicas = host.replicas();
  if (replicas && host.hasPartition(topic, partition)) {
    const c = replicas.checkProduce(topic, partition, -1);
    if (c.errorCode !== ErrorCode.NONE) return c.errorCode;
  }
  try {
    const appended = await l.appendMarker({ producerId: marker.producerId, producerEpoch: marker.producerEpoch, commit: marker.commit, coordinatorEpoch: marker.coordinatorEpoch, transactionVersion: marker.transactionVersion ?? 0, timestamp: Date.now() });
    if (!replicas || !l.replicated) return ErrorCode.NONE;
    return await replicas.awaitReplication(topic, partition, appended.lastOffset + 1, host.timeoutMs);
  } catch (e) {
    if (e instanceof KafkaError) return e.errorCode;
    log.error(`transaction marker append to ${topic}-${partition} failed: ${(e as Error)?.message ?? e}`);
    return ErrorCode.KAFKA_STORAGE_ERROR;
  }
}

/** The broker as a LocalMarkerHost (structural, so this module needs nothing of handlers/ or broker.ts). */
export function brokerMarkerHost(b: {
  partitionLog(topic: string, partition: number): PartitionLog | undefined;
  readonly topics: { get(name: string): { registrations: { has(partition: number): boolean } } | undefined };
  readonly replicas?: ReturnType<LocalMarkerHost['replicas']> | undefined;
  readonly groups: { completeTransaction(partition: number, marker: MarkerSpec): Promise<number> };
  readonly config: { number(name: string): number };
}): LocalMarkerHost {
  return {
    partitionLog: (topic, partition) => b.partitionLog(topic, partition),
    hasPartition: (topic, partition) => b.topics.get(topic)?.registrations.has(partition) ?? false,
    replicas: () => b.replicas ?? null,
    completeTransaction: (partition, marker) => b.groups.completeTransaction(partition, marker),
    timeoutMs: b.config.number('request.timeout.ms'),
  };
}
