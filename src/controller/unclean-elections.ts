// The controller's own unclean elections (Kafka's maybeElectUncleanLeaders, KIP-704): a
// leaderless partition whose topic allows unclean.leader.election.enable takes any live replica
// once no ISR or ELR member can lead; the builder gives it the ISR alone and RECOVERING. Run
// periodically (unclean.leader.election.interval.ms) and when the setting is turned on.
import type { MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import type { ControllerResult } from '../metadata/replication-control.js';
import { buildPartitionChange, uncleanEnabled, type ElectionOptions } from './partition-change.js';

const NO_LEADER = -1;
/** Kafka's maxElectionsPerImbalance: at most this many elections in one operation. */
export const MAX_ELECTIONS = 1000;

/** Whether some partition has no leader (Kafka's areSomePartitionsLeaderless). */
export function someLeaderless(image: MetadataImage): boolean {
  for (const t of image.topics.byId.values()) for (const p of t.registrations.values()) if (p.leader === NO_LEADER) return true;
  return false;
}

export interface UncleanPass {
  /** The cap was reached: more may be due at once. */
  more: boolean;
  /** "topic-partition" of each partition given a leader (Kafka logs each, at ERROR). */
  elected: string[];
}

/** The elections' records and what they did. */
export function electUncleanLeaders(image: MetadataImage, o: ElectionOptions, max = MAX_ELECTIONS): ControllerResult<UncleanPass> {
  const records: MetadataRecord[] = [];
  const elected: string[] = [];
  for (const t of image.topics.byId.values()) {
    let enabled: boolean | undefined;
    for (const [id, p] of t.registrations) {
      if (records.length >= max) return { records, response: { more: true, elected } };
      if (p.leader !== NO_LEADER) continue;
      enabled ??= uncleanEnabled(image, t.name, o.nodeId, o.uncleanDefault);
      if (!enabled) break;
      const rec = buildPartitionChange(image, t, id, p, { unclean: true });
      if (!rec) continue;
      records.push(rec);
      const leader = (rec.data as { leader?: number }).leader;
      if (leader !== undefined && leader !== NO_LEADER) elected.push(`${t.name}-${id}`);
    }
  }
  return { records, response: { more: records.length >= max, elected } };
}
