// Leadership and ISR changes that follow a broker's state (the part of Kafka's
// PartitionChangeBuilder that fencing, controlled shutdown and unfencing drive). A broker leaving
// (fenced, shutting down, unregistered) leaves every ISR it is in and gives up its leaderships to
// another ISR member able to lead, or to none. With eligible leader replicas on (KIP-966, a fresh
// Kafka 4.4 cluster) an ISR that falls below min.insync.replicas hands the replicas it loses to
// the ELR and may become empty; the ELR as it stood when the partition lost its last leader is
// kept as its last known ELR. Without ELR the last ISR member stays. A broker unfenced takes back
// the leaderless partitions whose ISR, or (ISR empty) ELR, holds it.
import type { MetadataImage, PartitionRegistration } from '../metadata/image.js';
import { ELR_VERSION } from '../metadata/features.js';
import { RecordType, ResourceType, type MetadataRecord } from '../metadata/records.js';

const NO_LEADER = -1;
/** PartitionChangeRecord as Kafka 4.4 writes it with eligible leader replicas on (v2). */
const PARTITION_CHANGE_VERSION = 2;
const MIN_ISR = 'min.insync.replicas';

/** Brokers that may lead: registered, unfenced, not shutting down. */
export function acceptableLeaders(image: MetadataImage, leaving: ReadonlySet<number> = new Set()): Set<number> {
  const ids = new Set<number>();
  for (const b of image.cluster.brokers.values()) if (!b.fenced && !b.inControlledShutdown && !leaving.has(b.id)) ids.add(b.id);
  return ids;
}

/** Whether the broker leads any partition (Kafka's BrokersToIsrs.hasLeaderships). */
export function hasLeaderships(image: MetadataImage, brokerId: number): boolean {
  for (const t of image.topics.byId.values()) for (const p of t.registrations.values()) if (p.leader === brokerId) return true;
  return false;
}

function elrEnabled(image: MetadataImage): boolean {
  return image.features.level(ELR_VERSION) >= 1;
}

/** The topic's min.insync.replicas: its own, else the cluster's (ELR keeps it cluster-wide), else Kafka's default 1. */
function minIsr(image: MetadataImage, topic: string): number {
  const v = image.configs.get(ResourceType.TOPIC, topic).get(MIN_ISR) ?? image.configs.get(ResourceType.BROKER, '').get(MIN_ISR);
  return v === undefined ? 1 : Number(v);
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((id, i) => id === b[i]);

interface Target {
  isr: number[];
  leader: number;
  elr: number[];
  lastKnownElr: number[];
}

function change(topicId: string, partitionId: number, prev: PartitionRegistration, next: Target): MetadataRecord | null {
  const data: Record<string, unknown> = { partitionId, topicId };
  if (!same(next.isr, prev.isr)) data.isr = next.isr;
  if (next.leader !== prev.leader) data.leader = next.leader;
  if (!same(next.elr, prev.elr ?? [])) data.eligibleLeaderReplicas = next.elr;
  if (!same(next.lastKnownElr, prev.lastKnownElr ?? [])) data.lastKnownElr = next.lastKnownElr;
  if (Object.keys(data).length === 2) return null;
  return { type: RecordType.PARTITION_CHANGE, version: PARTITION_CHANGE_VERSION, data };
}

/** The records that take `brokerId` out of every ISR and leadership. */
export function removeFromIsrAndLeadership(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const able = acceptableLeaders(image, new Set([brokerId]));
  const withElr = elrEnabled(image);
  const out: MetadataRecord[] = [];
  for (const t of image.topics.byId.values()) {
    const min = withElr ? minIsr(image, t.name) : 0;
    for (const [id, p] of t.registrations) {
      if (!p.isr.includes(brokerId) && p.leader !== brokerId) continue;
      let isr = p.isr.filter((r) => r !== brokerId);
      let elr = [...(p.elr ?? [])];
      if (withElr) {
        // Below min.insync.replicas the replicas leaving the ISR stay eligible to lead.
        if (isr.length < min) for (const r of p.isr) if (!isr.includes(r) && !elr.includes(r)) elr.push(r);
      } else if (isr.length === 0) isr = [...p.isr];
      // Kafka's electAnyLeader: the leader stays while valid, else the first valid replica in replica order.
      const leader = p.leader !== brokerId && able.has(p.leader) && isr.includes(p.leader) ? p.leader : (p.replicas.find((r) => isr.includes(r) && able.has(r)) ?? NO_LEADER);
      const lastKnownElr = withElr && leader === NO_LEADER && isr.length === 0 ? [...elr] : [...(p.lastKnownElr ?? [])];
      const rec = change(t.topicId, id, p, { isr, leader, elr, lastKnownElr });
      if (rec) out.push(rec);
    }
  }
  return out;
}

/** The records that give an unfenced broker the leaderless partitions whose ISR, or ELR, holds it. */
export function electLeaderlessFor(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const t of image.topics.byId.values()) {
    for (const [id, p] of t.registrations) {
      if (p.leader !== NO_LEADER) continue;
      let target: Target | null = null;
      if (p.isr.includes(brokerId)) target = { isr: [...p.isr], leader: brokerId, elr: [...(p.elr ?? [])], lastKnownElr: [...(p.lastKnownElr ?? [])] };
      else if (p.isr.length === 0 && (p.elr ?? []).includes(brokerId)) {
        // Elected from the ELR: it leads with itself as the ISR, and no ELR is known any more.
        target = { isr: [brokerId], leader: brokerId, elr: (p.elr ?? []).filter((r) => r !== brokerId), lastKnownElr: [] };
      }
      const rec = target && change(t.topicId, id, p, target);
      if (rec) out.push(rec);
    }
  }
  return out;
}
