// Leadership and ISR changes that follow a broker's state (a simplified form of Kafka's
// generateLeaderAndIsrUpdates): a broker fenced, shutting down or unregistered leaves every ISR
// it is in (never the last member) and gives up its leaderships to another ISR member able to
// lead, or to none; a broker unfenced takes back the leaderless partitions whose ISR holds it.
import type { MetadataImage, PartitionRegistration } from '../metadata/image.js';
import { RecordType, type MetadataRecord } from '../metadata/records.js';

const NO_LEADER = -1;
/** PartitionChangeRecord as Kafka 4.4 writes it with eligible leader replicas on (v2). */
const PARTITION_CHANGE_VERSION = 2;

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

function change(topicId: string, partitionId: number, prev: PartitionRegistration, isr: number[], leader: number): MetadataRecord | null {
  const isrChanged = isr.length !== prev.isr.length || isr.some((id, i) => id !== prev.isr[i]);
  const leaderChanged = leader !== prev.leader;
  if (!isrChanged && !leaderChanged) return null;
  const data: Record<string, unknown> = { partitionId, topicId };
  if (isrChanged) data.isr = isr;
  if (leaderChanged) data.leader = leader;
  return { type: RecordType.PARTITION_CHANGE, version: PARTITION_CHANGE_VERSION, data };
}

/** The records that take `brokerId` out of every ISR and leadership. */
export function removeFromIsrAndLeadership(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const able = acceptableLeaders(image, new Set([brokerId]));
  const out: MetadataRecord[] = [];
  for (const t of image.topics.byId.values()) {
    for (const [id, p] of t.registrations) {
      if (!p.isr.includes(brokerId) && p.leader !== brokerId) continue;
      const shrunk = p.isr.filter((r) => r !== brokerId);
      const isr = shrunk.length > 0 ? shrunk : [...p.isr];
      const leader = p.leader !== brokerId && able.has(p.leader) ? p.leader : (isr.find((r) => able.has(r)) ?? NO_LEADER);
      const rec = change(t.topicId, id, p, isr, leader);
      if (rec) out.push(rec);
    }
  }
  return out;
}

/** The records that give an unfenced broker the leaderless partitions whose ISR holds it. */
export function electLeaderlessFor(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const t of image.topics.byId.values()) {
    for (const [id, p] of t.registrations) {
      if (p.leader !== NO_LEADER || !p.isr.includes(brokerId)) continue;
      const rec = change(t.topicId, id, p, [...p.isr], brokerId);
      if (rec) out.push(rec);
    }
  }
  return out;
}
