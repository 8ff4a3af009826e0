// ElectLeaders on the controller (Kafka's ReplicationControlManager.electLeaders, every election
// through the change builder). Preferred: the first replica leads when it is in the ISR
// (or, ISR empty, in the ELR) and able to lead; else the current leader stays (nothing to write,
// PREFERRED_LEADER_NOT_AVAILABLE). Unclean: only a leaderless partition elects (src/controller/
// partition-change.ts): first from the ISR/ELR, then any live replica,
// which becomes the ISR alone and RECOVERING (KIP-704: data written only to the lost replicas is
// gone; the operator asked for it, so unclean.leader.election.enable is not consulted).
// A null partition list elects everywhere and leaves out partitions that needed no election.
import type { MetadataImage, PartitionRegistration, TopicImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import type { ControllerResult } from '../metadata/replication-control.js';
import { ErrorCode } from '../protocol/errors.js';
import { acceptableLeaders, buildPartitionChange } from './partition-change.js';

const NO_LEADER = -1;
const PREFERRED = 0;
const UNCLEAN = 1;

export interface ElectionPartitionResult {
  partitionId: number;
  errorCode: number;
  errorMessage: string | null;
}
export interface ElectionTopicResult {
  topic: string;
  partitionResult: ElectionPartitionResult[];
}

/** Kafka's ApiError messages (the exception's default message when the error carries none). */
const MESSAGES: Record<number, string | null> = {
  [ErrorCode.NONE]: null,
  [ErrorCode.ELECTION_NOT_NEEDED]: 'Leader election not needed for topic partition.',
  [ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE]: 'The preferred leader was not available.',
  [ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE]: 'Eligible topic partition leaders are not available.',
};

/** One partition's election: its error and, when the builder changes anything, the record (Kafka's electLeader). */
function electPartition(image: MetadataImage, topic: TopicImage, partitionId: number, p: PartitionRegistration, electionType: number, able: ReadonlySet<number>): { errorCode: number; record?: MetadataRecord } {
  if (electionType === PREFERRED ? p.replicas.length > 0 && p.leader === p.replicas[0] : p.leader !== NO_LEADER) return { errorCode: ErrorCode.ELECTION_NOT_NEEDED };
  const record = buildPartitionChange(image, topic, partitionId, p, electionType === UNCLEAN ? { unclean: true, able } : { preferred: true, able });
  if (!record) return { errorCode: electionType === PREFERRED ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE };
  return { errorCode: ErrorCode.NONE, record };
}

function result(partitionId: number, errorCode: number, errorMessage?: string): ElectionPartitionResult {
  return { partitionId, errorCode, errorMessage: errorMessage ?? MESSAGES[errorCode] ?? null };
}

/** ElectLeaders: per-partition results and the PartitionChangeRecords of the leaders elected. */
export function electLeaders(
  image: MetadataImage,
  electionType: number,
  topicPartitions: readonly { topic: string; partitions: readonly number[] }[] | null,
): ControllerResult<ElectionTopicResult[]> {
  const able = acceptableLeaders(image);
  const records: MetadataRecord[] = [];
  const response: ElectionTopicResult[] = [];
  if (topicPartitions === null) {
    for (const t of image.topics.byId.values()) {
      const partitionResult: ElectionPartitionResult[] = [];
      for (const id of [...t.registrations.keys()].sort((a, b) => a - b)) {
        const r = electPartition(image, t, id, t.registrations.get(id)!, electionType, able);
        if (r.record) records.push(r.record);
        if (r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED) partitionResult.push(result(id, r.errorCode));
      }
      response.push({ topic: t.name, partitionResult });
    }
    return { records, response };
  }
  for (const tp of topicPartitions) {
    const t = image.topics.get(tp.topic);
    response.push({
      topic: tp.topic,
      partitionResult: tp.partitions.map((id) => {
        if (!t) return result(id, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${tp.topic}`);
        const reg = t.registrations.get(id);
        if (!reg) return result(id, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${tp.topic}-${id}`);
        const r = electPartition(image, t, id, reg, electionType, able);
        if (r.record) records.push(r.record);
        return result(id, r.errorCode);
      }),
    });
  }
  return { records, response };
}

/**
 * auto.leader.rebalance.enable (Kafka's maybeBalancePartitionLeaders): the records that give each
 * partition led by another replica back to its preferred replica, where that one is in the ISR
 * and able to lead; at most `max` of them in one go.
 */
export function balancePartitionLeaders(image: MetadataImage, max = 1000): MetadataRecord[] {
  const able = acceptableLeaders(image);
  const records: MetadataRecord[] = [];
  for (const t of image.topics.byId.values()) {
    for (const [id, p] of t.registrations) {
      if (records.length >= max) return records;
      const preferred = p.replicas[0];
      if (preferred === undefined || p.leader === preferred || !p.isr.includes(preferred) || !able.has(preferred)) continue;
      const r = electPartition(image, t, id, p, PREFERRED, able);
      if (r.record) records.push(r.record);
    }
  }
  return records;
}
