// Which share partitions of a group have their state in __share_group_state (Kafka's
// ShareGroupStatePartitionMetadata handling): partitions of newly subscribed topics become
// "initializing" (Persister.initializeState is then asked), then "initialized" once it answered, or
// are dropped from initializing when it failed; only initialized partitions are assigned.
import { emptyStateMetadata, type InitTopic, type StatePartitionMetadata } from './group.js';

/** Kafka's group.share.initialize.retry.interval.ms default: an initialization older than this is asked again. */
export const INITIALIZE_RETRY_INTERVAL_MS = 30_000;

export type InitMap = Map<string, InitTopic>;

function cloneMap(m: InitMap): InitMap {
  return new Map([...m].map(([k, v]) => [k, { name: v.name, partitions: new Set(v.partitions), timestamp: v.timestamp }]));
}

export function cloneState(s: StatePartitionMetadata | null): StatePartitionMetadata {
  if (!s) return emptyStateMetadata();
  return { initializing: cloneMap(s.initializing), initialized: cloneMap(s.initialized), deleting: new Map(s.deleting) };
}

/** Kafka's combineInitMaps: partitions unioned; name and timestamp from `b` where it has the topic. */
export function combine(a: InitMap, b: InitMap): InitMap {
  const out = cloneMap(a);
  for (const [id, v] of b) {
    const cur = out.get(id);
    if (!cur) out.set(id, { name: v.name, partitions: new Set(v.partitions), timestamp: v.timestamp });
    else out.set(id, { name: v.name, partitions: new Set([...cur.partitions, ...v.partitions]), timestamp: v.timestamp });
  }
  return out;
}

export interface TopicLookup {
  byName(name: string): { topicId: string; partitions: number } | undefined;
}

/**
 * Subscribed topics' partitions still to initialize (Kafka's subscribedTopicsChangeMap): neither
 * initialized nor initializing for less than the retry interval.
 */
export function partitionsToInitialize(s: StatePartitionMetadata | null, subscribed: Iterable<string>, topics: TopicLookup, now: number): InitMap {
  const out: InitMap = new Map();
  const fresh = new Map([...(s?.initializing ?? [])].filter(([, v]) => now - v.timestamp < INITIALIZE_RETRY_INTERVAL_MS));
  const known = combine(s?.initialized ?? new Map(), fresh);
  for (const name of subscribed) {
    const t = topics.byName(name);
    if (!t || out.has(t.topicId)) continue;
    const done = known.get(t.topicId)?.partitions ?? new Set<number>();
    if (done.size > 0 && done.size >= t.partitions) continue;
    const partitions = new Set<number>();
    for (let p = 0; p < t.partitions; p++) if (!done.has(p)) partitions.add(p);
    out.set(t.topicId, { name, partitions, timestamp: now });
  }
  return out;
}

/** The metadata with `add` initializing (Kafka's addInitializingTopicsRecords); a topic initializing again stops being deleted. */
export function withInitializing(s: StatePartitionMetadata | null, add: InitMap): StatePartitionMetadata {
  const next = cloneState(s);
  next.initializing = combine(next.initializing, add);
  for (const id of add.keys()) next.deleting.delete(id);
  return next;
}

/** The metadata once `done` is initialized (Kafka's initializeShareGroupState). */
export function withInitialized(s: StatePartitionMetadata | null, done: Map<string, Set<number>>, nameOf: (topicId: string) => string, now: number): StatePartitionMetadata {
  const next = cloneState(s);
  const add: InitMap = new Map([...done].map(([id, ps]) => [id, { name: nameOf(id), partitions: new Set(ps), timestamp: now }]));
  next.initialized = combine(next.initialized, add);
  for (const [id, ps] of done) {
    const cur = next.initializing.get(id);
    if (!cur) continue;
    for (const p of ps) cur.partitions.delete(p);
    if (cur.partitions.size === 0) next.initializing.delete(id);
  }
  return next;
}

/** The metadata with `failed` no longer initializing (Kafka's uninitializeShareGroupState). */
export function withoutInitializing(s: StatePartitionMetadata | null, failed: Map<string, Set<number>>): StatePartitionMetadata {
  const next = cloneState(s);
  for (const [id, ps] of failed) {
    const cur = next.initializing.get(id);
    if (!cur) continue;
    for (const p of ps) cur.partitions.delete(p);
    if (cur.partitions.size === 0) next.initializing.delete(id);
  }
  return next;
}

/**
 * The metadata without topics no longer in the metadata image (Kafka drops a deleted topic from all
 * three lists when the deletion is published); null when none is gone.
 */
export function withoutDeletedTopics(s: StatePartitionMetadata | null, exists: (topicId: string) => boolean): StatePartitionMetadata | null {
  if (!s) return null;
  const gone = [...s.initializing.keys(), ...s.initialized.keys(), ...s.deleting.keys()].filter((id) => !exists(id));
  if (gone.length === 0) return null;
  const next = cloneState(s);
  for (const id of gone) {
    next.initializing.delete(id);
    next.initialized.delete(id);
    next.deleting.delete(id);
  }
  return next;
}
