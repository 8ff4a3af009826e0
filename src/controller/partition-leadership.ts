// Leadership and ISR changes that follow a broker's state (Kafka's generateLeaderAndIsrUpdates,
// all through the one change builder, src/controller/partition-change.ts). A broker leaving
// (fenced, shutting down, unregistered) leaves every ISR it is in and gives up its leaderships to
// another ISR member able to lead; with eligible leader replicas on (KIP-966) an ISR falling below
// min.insync.replicas hands the replicas it loses to the ELR and may become empty, without ELR the
// last ISR member stays. A broker unfenced may take the leaderless partitions whose ISR, or (ISR
// empty) ELR, holds it. Where the topic allows unclean elections any live replica may lead instead
// of none (the builder marks it RECOVERING).
import type { MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { acceptableLeaders, buildPartitionChange, uncleanEnabled, type ElectionOptions } from './partition-change.js';

const NO_LEADER = -1;
const NO_UNCLEAN: ElectionOptions = { nodeId: -1, uncleanDefault: false };

/** Whether the broker leads any partition (Kafka's BrokersToIsrs.hasLeaderships). */
export function hasLeaderships(image: MetadataImage, brokerId: number): boolean {
  for (const t of image.topics.byId.values()) for (const p of t.registrations.values()) if (p.leader === brokerId) return true;
  return false;
}

/** The records that take `brokerId` out of every ISR and leadership. */
export function removeFromIsrAndLeadership(image: MetadataImage, brokerId: number, o: ElectionOptions = NO_UNCLEAN): MetadataRecord[] {
  // The leaving broker may never lead, and leaves the ISR even were an unclean election to pick outside it.
  const able = acceptableLeaders(image, new Set([brokerId]));
  const out: MetadataRecord[] = [];
  for (const t of image.topics.byId.values()) {
    const unclean = uncleanEnabled(image, t.name, o.nodeId, o.uncleanDefault);
    for (const [id, p] of t.registrations) {
      if (!p.isr.includes(brokerId) && p.leader !== brokerId) continue;
      const rec = buildPartitionChange(image, t, id, p, { isr: p.isr.filter((r) => r !== brokerId), able, unclean });
      if (rec) out.push(rec);
    }
  }
  return out;
}

/** The records that elect leaders for leaderless partitions now that `brokerId` is unfenced (still fenced in `image`). */
export function electLeaderlessFor(image: MetadataImage, brokerId: number, o: ElectionOptions = NO_UNCLEAN): MetadataRecord[] {
  const able = acceptableLeaders(image).add(brokerId);
  const out: MetadataRecord[] = [];
  for (const t of image.topics.byId.values()) {
    let unclean: boolean | undefined;
    for (const [id, p] of t.registrations) {
      if (p.leader !== NO_LEADER) continue;
      unclean ??= uncleanEnabled(image, t.name, o.nodeId, o.uncleanDefault);
      const rec = buildPartitionChange(image, t, id, p, { able, unclean });
      if (rec) out.push(rec);
    }
  }
  return out;
}
