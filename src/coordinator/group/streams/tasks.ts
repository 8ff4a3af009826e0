// Tasks of a streams group (KIP-1071): a task is a subtopology id and a partition. Active tasks a
// member holds carry the group epoch they were assigned in (Kafka 4.4's assignment epochs, which let
// an offset commit carry an older member epoch); standby and warm-up tasks are plain sets.
export type TaskSet = Map<string, Set<number>>;
export type TaskEpochs = Map<string, Map<number, number>>;

export interface TasksTuple {
  active: TaskSet;
  standby: TaskSet;
  warmup: TaskSet;
}

/** A member's tasks: active ones with their assignment epochs. */
export interface TasksWithEpochs {
  active: TaskEpochs;
  standby: TaskSet;
  warmup: TaskSet;
}

export interface TaskIds {
  subtopologyId: string;
  partitions: number[];
}

export function emptyTuple(): TasksTuple {
  return { active: new Map(), standby: new Map(), warmup: new Map() };
}

export function emptyWithEpochs(): TasksWithEpochs {
  return { active: new Map(), standby: new Map(), warmup: new Map() };
}

export function addTask(s: TaskSet, subtopologyId: string, partition: number): void {
  let p = s.get(subtopologyId);
  if (!p) s.set(subtopologyId, (p = new Set()));
  p.add(partition);
}

export function hasTask(s: TaskSet | TaskEpochs, subtopologyId: string, partition: number): boolean {
  return s.get(subtopologyId)?.has(partition) ?? false;
}

export function taskCount(s: TaskSet | TaskEpochs): number {
  let n = 0;
  for (const p of s.values()) n += p.size;
  return n;
}

export function* eachTask(s: TaskSet | TaskEpochs): Generator<[string, number]> {
  for (const [id, p] of s) for (const partition of p.keys()) yield [id, partition];
}

export function fromTaskIds(list: readonly TaskIds[] | null | undefined): TaskSet {
  const s: TaskSet = new Map();
  for (const t of list ?? []) for (const p of t.partitions) addTask(s, t.subtopologyId, p);
  return s;
}

export function fromTaskIdsWithEpochs(list: readonly (TaskIds & { assignmentEpochs?: number[] | null })[], fallbackEpoch: number): TaskEpochs {
  const s: TaskEpochs = new Map();
  for (const t of list) {
    let m = s.get(t.subtopologyId);
    if (!m) s.set(t.subtopologyId, (m = new Map()));
    t.partitions.forEach((p, i) => m!.set(p, t.assignmentEpochs?.[i] ?? fallbackEpoch));
  }
  return s;
}

/** Sorted by subtopology id and partition, as Kafka's records and responses list them. */
export function toTaskIds(s: TaskSet | TaskEpochs): TaskIds[] {
  return [...s.entries()]
    .filter(([, p]) => p.size > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([subtopologyId, p]) => ({ subtopologyId, partitions: [...p.keys()].sort((a, b) => a - b) }));
}

export function toTaskIdsWithEpochs(s: TaskEpochs): (TaskIds & { assignmentEpochs: number[] })[] {
  return toTaskIds(s).map((t) => ({ ...t, assignmentEpochs: t.partitions.map((p) => s.get(t.subtopologyId)!.get(p)!) }));
}

export function sameTaskSet(a: TaskSet | TaskEpochs, b: TaskSet | TaskEpochs): boolean {
  if (taskCount(a) !== taskCount(b)) return false;
  for (const [id, p] of eachTask(a)) if (!hasTask(b, id, p)) return false;
  return true;
}

export function sameTuple(a: TasksTuple | TasksWithEpochs, b: TasksTuple | TasksWithEpochs): boolean {
  return sameTaskSet(a.active, b.active) && sameTaskSet(a.standby, b.standby) && sameTaskSet(a.warmup, b.warmup);
}

export function copySet(s: TaskSet | TaskEpochs): TaskSet {
  const r: TaskSet = new Map();
  for (const [id, p] of eachTask(s)) addTask(r, id, p);
  return r;
}

