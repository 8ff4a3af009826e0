// The server-side task assignor of streams groups ("sticky", group.streams.assignors): active tasks
// stay with the member that runs them (or move to one whose process keeps a standby copy) while
// loads stay balanced; the rest go to the least loaded member. Each task with state then gets
// group.streams.num.standby.replicas standbys on other processes, previous holders first.
import { addTask, emptyTuple, hasTask, taskCount, type TaskSet, type TasksTuple } from './tasks.js';

export interface AssignorMember {
  memberId: string;
  processId: string;
  /** What the member holds now (target or current), for stickiness. */
  active: TaskSet;
  standby: TaskSet;
}

export interface AssignorInput {
  members: AssignorMember[];
  /** Number of tasks (partitions) per subtopology. */
  subtopologies: Map<string, number>;
  /** The subtopologies with state (changelog topics): only their tasks get standbys. */
  stateful: ReadonlySet<string>;
  numStandbyReplicas: number;
}

export function assignTasks(input: AssignorInput): Map<string, TasksTuple> {
  const result = new Map<string, TasksTuple>();
  const members = [...input.members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  for (const m of members) result.set(m.memberId, emptyTuple());
  if (members.length === 0) return result;
  // Partition-major order (0-0, 1-0, 0-1, ...): a member keeping or taking a share gets a mix of subtopologies, so state spreads.
  const tasks: [string, number][] = [];
  const ids = [...input.subtopologies.keys()].sort();
  const most = Math.max(0, ...input.subtopologies.values());
  for (let p = 0; p < most; p++) for (const id of ids) if (p < input.subtopologies.get(id)!) tasks.push([id, p]);
  const quota = Math.ceil(tasks.length / members.length);
  const load = new Map(members.map((m) => [m.memberId, 0]));
  const assign = (m: AssignorMember, [id, p]: [string, number]) => {
    addTask(result.get(m.memberId)!.active, id, p);
    load.set(m.memberId, load.get(m.memberId)! + 1);
  };
  const unassigned: [string, number][] = [];
  // 1. Previous active owners keep their tasks up to the quota.
  for (const t of tasks) {
    const owner = members.find((m) => hasTask(m.active, t[0], t[1]) && load.get(m.memberId)! < quota);
    if (owner) assign(owner, t);
    else unassigned.push(t);
  }
  // 2. The rest: a member of a process with a standby copy when under quota, else the least loaded.
  const leastLoaded = (candidates: AssignorMember[]) => candidates.reduce((best, m) => (load.get(m.memberId)! < load.get(best.memberId)! ? m : best));
  for (const t of unassigned) {
    const warm = members.filter((m) => hasTask(m.standby, t[0], t[1]) && load.get(m.memberId)! < quota);
    assign(warm.length > 0 ? leastLoaded(warm) : leastLoaded(members), t);
  }
  if (input.numStandbyReplicas <= 0) return result;
  // 3. Standbys: never on the active task's process nor twice on one process.
  const total = new Map(members.map((m) => [m.memberId, taskCount(result.get(m.memberId)!.active)]));
  const processOf = new Map(members.map((m) => [m.memberId, m.processId]));
  for (const [id, p] of tasks) {
    if (!input.stateful.has(id)) continue;
    const activeOwner = members.find((m) => hasTask(result.get(m.memberId)!.active, id, p))!;
    const used = new Set([processOf.get(activeOwner.memberId)!]);
    for (let r = 0; r < input.numStandbyReplicas; r++) {
      const eligible = members.filter((m) => !used.has(m.processId));
      if (eligible.length === 0) break;
      const previous = eligible.filter((m) => hasTask(m.standby, id, p) || hasTask(m.active, id, p));
      const pool = previous.length > 0 ? previous : eligible;
      const pick = pool.reduce((best, m) => (total.get(m.memberId)! < total.get(best.memberId)! ? m : best));
      addTask(result.get(pick.memberId)!.standby, id, p);
      total.set(pick.memberId, total.get(pick.memberId)! + 1);
      used.add(pick.processId);
    }
  }
  return result;
}
