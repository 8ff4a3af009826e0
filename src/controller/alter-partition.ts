// AlterPartition as the controller decides it (Kafka's ReplicationControlManager.alterPartition): a
// partition leader asks for a new ISR. Checked in Kafka's order: the sender's broker epoch (the
// whole request: STALE_BROKER_EPOCH), then per partition the topic and partition, the leader epoch
// and partition epoch (either ahead of ours: NOT_CONTROLLER; leader epoch behind:
// FENCED_LEADER_EPOCH), that the sender leads it (INVALID_REQUEST), the partition epoch behind
// (INVALID_UPDATE_VERSION), an ISR of distinct replicas holding the leader and the leader recovery
// state (INVALID_REQUEST), then that every member is registered, not shutting down, unfenced and
// in the broker epoch the leader saw (INELIGIBLE_REPLICA). An accepted change goes through the
// change builder (src/controller/partition-change.ts) as Kafka's: the ISR asked for, the ELR
// filled below min.insync.replicas and cleared as the ISR grows back (KIP-966; the leader holds
// its high watermark meanwhile), the leader recovery state (a leader elected uncleanly answers
// RECOVERED), a reassignment completed when the ISR holds every adding replica. When that moves
// leadership off the sender the answer is NEW_LEADER_ELECTED, the record written all the same;
// otherwise the answer carries the partition as it will be.
import type { MetadataImage, PartitionRegistration, TopicImage } from '../metadata/image.js';
import type { ControllerResult } from '../metadata/replication-control.js';
import type { MetadataRecord } from '../metadata/records.js';
import { ErrorCode } from '../protocol/errors.js';
import type { AlterPartitionRequest } from '../protocol/generated/alter-partition-request.js';
import type { AlterPartitionResponse } from '../protocol/generated/alter-partition-response.js';
import { buildPartitionChange, uncleanEnabled } from './partition-change.js';

const RECOVERING = 1;

type PartitionAnswer = AlterPartitionResponse['topics'][number]['partitions'][number];
type PartitionData = AlterPartitionRequest['topics'][number]['partitions'][number];

/** A refused partition: Kafka sets only the index and error, the rest keeps the schema's defaults. */
function answer(partitionIndex: number, errorCode: number): PartitionAnswer {
  return { partitionIndex, errorCode, leaderId: 0, leaderEpoch: 0, isr: [], leaderRecoveryState: 0, partitionEpoch: 0 };
}

/** The new ISR with each member's broker epoch (-1: not checked), from v3's or v0-2's field. */
function newIsr(p: PartitionData): { brokerId: number; brokerEpoch: number }[] {
  return p.newIsrWithEpochs ?? (p.newIsr ?? []).map((brokerId) => ({ brokerId, brokerEpoch: -1 }));
}

/** Kafka's ineligibleReplicasForIsr: registered, not shutting down, unfenced, in the broker epoch the leader saw. */
function ineligible(image: MetadataImage, member: { brokerId: number; brokerEpoch: number }): boolean {
  const b = image.cluster.brokers.get(member.brokerId);
  if (!b || b.inControlledShutdown || b.fenced) return true;
  return member.brokerEpoch !== -1 && member.brokerEpoch !== b.epoch;
}

function validate(image: MetadataImage, brokerId: number, reg: PartitionRegistration | undefined, p: PartitionData): number {
  if (!reg) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  // Epochs ahead of ours: this controller is behind (no longer active), the leader asks again.
  if (p.leaderEpoch > reg.leaderEpoch || p.partitionEpoch > reg.partitionEpoch) return ErrorCode.NOT_CONTROLLER;
  if (p.leaderEpoch < reg.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (brokerId !== reg.leader) return ErrorCode.INVALID_REQUEST;
  if (p.partitionEpoch < reg.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION;
  const isr = newIsr(p);
  const ids = isr.map((m) => m.brokerId);
  // Kafka's Replicas.validateIsr: replicas only, each once.
  if (new Set(ids).size !== ids.length || ids.some((id) => !reg.replicas.includes(id))) return ErrorCode.INVALID_REQUEST;
  if (!ids.includes(reg.leader)) return ErrorCode.INVALID_REQUEST;
  if (p.leaderRecoveryState === RECOVERING && isr.length > 1) return ErrorCode.INVALID_REQUEST;
  if (reg.leaderRecoveryState !== RECOVERING && p.leaderRecoveryState === RECOVERING) return ErrorCode.INVALID_REQUEST;
  if (isr.some((m) => ineligible(image, m))) return ErrorCode.INELIGIBLE_REPLICA;
  return ErrorCode.NONE;
}

/** The registration after a PartitionChangeRecord (as the image replays it), for the answer. */
function merged(reg: PartitionRegistration, data: Record<string, unknown>): PartitionRegistration {
  const leader = data.leader as number | undefined;
  return {
    ...reg,
    isr: (data.isr as number[] | undefined) ?? reg.isr,
    leader: leader ?? reg.leader,
    leaderEpoch: leader === undefined ? reg.leaderEpoch : reg.leaderEpoch + 1,
    partitionEpoch: reg.partitionEpoch + 1,
    leaderRecoveryState: (data.leaderRecoveryState as number | undefined) ?? reg.leaderRecoveryState,
  };
}

export interface AlterPartitionOptions {
  /** The controller's node id and the static unclean.leader.election.enable (Kafka's election type for the topic). */
  nodeId: number;
  uncleanDefault: boolean;
}

/**
 * The change through the builder (Kafka's PartitionChangeBuilder): the ISR asked for, the ELR below
 * min.insync.replicas (cleared once the ISR reaches it), a reassignment completed when the ISR
 * allows, leadership moved when the sender may no longer lead.
 */
function change(image: MetadataImage, topic: TopicImage, brokerId: number, reg: PartitionRegistration, p: PartitionData, o: AlterPartitionOptions, records: MetadataRecord[]): PartitionAnswer {
  const record = buildPartitionChange(image, topic, p.partitionIndex, reg, {
    isr: newIsr(p).map((m) => m.brokerId),
    leaderRecoveryState: p.leaderRecoveryState,
    unclean: uncleanEnabled(image, topic.name, o.nodeId, o.uncleanDefault),
  });
  let next = reg;
  if (record) {
    records.push(record);
    const data = record.data as Record<string, unknown>;
    // The sender no longer leads: it must learn the new metadata before asking again.
    if (data.leader !== undefined && data.leader !== brokerId) return answer(p.partitionIndex, ErrorCode.NEW_LEADER_ELECTED);
    next = merged(reg, data);
  }
  const { leader: leaderId, leaderEpoch, leaderRecoveryState, partitionEpoch } = next;
  return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, leaderId, leaderEpoch, isr: [...next.isr], leaderRecoveryState, partitionEpoch };
}

export function alterPartition(image: MetadataImage, req: AlterPartitionRequest, o: AlterPartitionOptions = { nodeId: -1, uncleanDefault: false }): ControllerResult<AlterPartitionResponse> {
  const b = image.cluster.brokers.get(req.brokerId);
  if (!b || b.epoch !== req.brokerEpoch) return { records: [], response: { throttleTimeMs: 0, errorCode: ErrorCode.STALE_BROKER_EPOCH, topics: [] } };
  const records: MetadataRecord[] = [];
  const topics = req.topics.map((t) => {
    const topic = image.topics.getById(t.topicId);
    const partitions = t.partitions.map((p): PartitionAnswer => {
      if (!topic) return answer(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_ID);
      const reg = topic.registrations.get(p.partitionIndex);
      const errorCode = validate(image, req.brokerId, reg, p);
      if (errorCode !== ErrorCode.NONE) return answer(p.partitionIndex, errorCode);
      return change(image, topic, req.brokerId, reg!, p, o, records);
    });
    return { topicId: t.topicId, partitions };
  });
  return { records, response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics } };
}
