// Kafka's PartitionChangeBuilder, the one place partition changes are decided: from a partition's
// registration and the targets asked for (ISR, replica list, adding and removing replicas, leader
// recovery state, election type, who may lead), the one PartitionChangeRecord (v2) that gets
// there, or null when nothing changes. Elections, fencing and unfencing, AlterPartition,
// reassignments and the controller's unclean elections all come here. Kafka's steps in Kafka's
// order: complete a reassignment the target ISR allows (every adding replica in it; the removing
// replicas leave the ISR and the replica list), keep the eligible leader replicas below
// min.insync.replicas (KIP-966), elect (preferred: the first replica when valid; else the current
// leader while valid, else the first valid target replica; unclean if asked: the ISR alone and
// RECOVERING, KIP-704), bump the leader epoch when a replica leaves the list, then write only the
// fields that differ.
import type { MetadataImage, PartitionRegistration, TopicImage } from '../metadata/image.js';
import { ELR_VERSION } from '../metadata/features.js';
import { defaultDir } from '../metadata/replication-control.js';
import { RecordType, ResourceType, type MetadataRecord } from '../metadata/records.js';
import { completeReassignment } from './reassignment-replicas.js';

const NO_LEADER = -1;
/** PartitionChangeRecord as Kafka 4.4 writes it (eligible leader replicas on). */
const PARTITION_CHANGE_VERSION = 2;
const RECOVERING = 1;
const MIN_ISR = 'min.insync.replicas';
const UNCLEAN = 'unclean.leader.election.enable';

export interface PartitionTargets {
  isr?: readonly number[];
  replicas?: readonly number[];
  adding?: readonly number[];
  removing?: readonly number[];
  leaderRecoveryState?: number;
  /** Election.UNCLEAN: a live replica outside the ISR may lead when no clean one can. */
  unclean?: boolean;
  /** Election.PREFERRED: the first replica when it may lead, else the current leader while valid, else the next valid replica. */
  preferred?: boolean;
  /** Who may lead, when not the image's unfenced brokers (fencing leaves one out, unfencing lets one in). */
  able?: ReadonlySet<number>;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((id, i) => id === b[i]);
const ascending = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);

/** Brokers that may lead: registered, unfenced, not shutting down (Kafka's ClusterControlManager.isActive). */
export function acceptableLeaders(image: MetadataImage, leaving: ReadonlySet<number> = new Set()): Set<number> {
  const ids = new Set<number>();
  for (const b of image.cluster.brokers.values()) if (!b.fenced && !b.inControlledShutdown && !leaving.has(b.id)) ids.add(b.id);
  return ids;
}

/** What elections outside ElectLeaders consult: the controller's node id and the static unclean.leader.election.enable. */
export interface ElectionOptions {
  nodeId: number;
  uncleanDefault: boolean;
}

/** Kafka's getTopicEffectiveMinIsr: min.insync.replicas, at most the replication factor of partition 0. */
export function effectiveMinIsr(image: MetadataImage, topic: TopicImage): number {
  const v = image.configs.get(ResourceType.TOPIC, topic.name).get(MIN_ISR) ?? image.configs.get(ResourceType.BROKER, '').get(MIN_ISR);
  const minIsr = v === undefined ? 1 : Number(v);
  const rf = topic.registrations.get(0)?.replicas.length ?? minIsr;
  return Math.min(minIsr, rf);
}

/** Kafka's uncleanLeaderElectionEnabledForTopic: the topic's setting, the node's, the cluster's, then the static one. */
export function uncleanEnabled(image: MetadataImage, topic: string, nodeId: number, staticValue: boolean): boolean {
  const v =
    image.configs.get(ResourceType.TOPIC, topic).get(UNCLEAN) ??
    image.configs.get(ResourceType.BROKER, String(nodeId)).get(UNCLEAN) ??
    image.configs.get(ResourceType.BROKER, '').get(UNCLEAN);
  return v === undefined ? staticValue : v === 'true';
}

/** The PartitionChangeRecord that takes `reg` to the targets, or null when it would change nothing. */
export function buildPartitionChange(image: MetadataImage, topic: TopicImage, partitionId: number, reg: PartitionRegistration, targets: PartitionTargets): MetadataRecord | null {
  const withElr = image.features.level(ELR_VERSION) >= 1;
  const able = targets.able ?? acceptableLeaders(image);
  const regElr = reg.elr ?? [];
  const regLastKnownElr = reg.lastKnownElr ?? [];
  let isr = [...(targets.isr ?? reg.isr)];
  let replicas = [...(targets.replicas ?? reg.replicas)];
  let adding = [...(targets.adding ?? reg.addingReplicas)];
  let removing = [...(targets.removing ?? reg.removingReplicas)];
  let elr = [...regElr];
  const leaderRecoveryState = targets.leaderRecoveryState ?? reg.leaderRecoveryState;

  const completed = completeReassignment({ replicas, adding, removing }, isr);
  if (completed) {
    ({ isr, replicas } = completed);
    adding = [];
    removing = [];
  }

  if (withElr) {
    // Below min.insync.replicas the replicas leaving the ISR stay eligible to lead.
    if (isr.length >= effectiveMinIsr(image, topic)) elr = [];
    else elr = ascending(new Set([...elr, ...reg.isr])).filter((r) => !isr.includes(r));
  }

  const data: Record<string, unknown> = { partitionId, topicId: topic.topicId };
  const valid = (r: number) => (isr.includes(r) || (isr.length === 0 && elr.includes(r))) && able.has(r);
  let leader = NO_LEADER;
  let unclean = false;
  if (targets.preferred && replicas.length > 0 && valid(replicas[0])) leader = replicas[0];
  else if (valid(reg.leader)) leader = reg.leader;
  else {
    const online = (targets.preferred ? replicas.slice(1) : replicas).find(valid);
    if (online !== undefined) leader = online;
    else if (withElr && isr.length === 0 && elr.length === 0 && regLastKnownElr.length === 1 && able.has(regLastKnownElr[0])) {
      [leader, unclean] = [regLastKnownElr[0], true];
    } else if (targets.unclean && !targets.preferred) {
      const live = replicas.find((r) => able.has(r));
      if (live !== undefined) [leader, unclean] = [live, true];
    }
  }
  if (leader !== reg.leader) {
    if (elr.includes(leader)) {
      isr = [leader];
      elr = elr.filter((r) => r !== leader);
    }
    data.leader = leader;
    if (unclean) {
      // The new leader is the only replica known to hold what it leads with.
      data.isr = [leader];
      if (reg.leaderRecoveryState !== RECOVERING) data.leaderRecoveryState = RECOVERING;
    }
  }
  // A replica leaving the list must see a new leader epoch (it stops following).
  if (data.leader === undefined && !reg.replicas.every((r) => replicas.includes(r))) data.leader = reg.leader;

  if (data.isr !== undefined || !withElr) elr = [];
  if (!same(elr, regElr)) data.eligibleLeaderReplicas = elr;
  if (data.isr === undefined && (isr.length > 0 || withElr) && !same(isr, reg.isr)) data.isr = isr;

  if (withElr) {
    // The last known leader (KIP-966): kept when the ISR empties, cleared once a leader is back.
    const newIsr = data.isr as number[] | undefined;
    const newLeader = data.leader as number | undefined;
    if (newIsr !== undefined && newIsr.length === 0 && !(regLastKnownElr.length === 1 && regLastKnownElr[0] === reg.leader)) data.lastKnownElr = [reg.leader];
    else if (((newLeader ?? -2) >= 0 || (reg.leader !== NO_LEADER && newLeader !== NO_LEADER)) && regLastKnownElr.length > 0) data.lastKnownElr = [];
  }

  if (replicas.length > 0) {
    const dirOf = new Map(reg.replicas.map((r, i) => [r, reg.directories[i]]));
    const directories = replicas.map((r) => dirOf.get(r) ?? defaultDir(image, r));
    if (directories.length !== reg.directories.length || directories.some((d, i) => d !== reg.directories[i])) data.directories = directories;
    if (!same(replicas, reg.replicas)) data.replicas = replicas;
  }
  if (!same(removing, reg.removingReplicas)) data.removingReplicas = removing;
  if (!same(adding, reg.addingReplicas)) data.addingReplicas = adding;
  if (leaderRecoveryState !== reg.leaderRecoveryState) data.leaderRecoveryState = leaderRecoveryState;

  if (Object.keys(data).length === 2) return null;
  return { type: RecordType.PARTITION_CHANGE, version: PARTITION_CHANGE_VERSION, data };
}
