// A reassignment's replica sets (Kafka's PartitionReassignmentReplicas and
// PartitionReassignmentRevert). While a partition moves, its replica list is the target followed
// by the replicas being removed; addingReplicas are the target's new ones. It completes once the
// ISR holds every replica that stays; a cancel goes back to the replicas it started from.
import type { PartitionRegistration } from '../metadata/image.js';
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';

export interface ReassignmentReplicas {
  /** The merged list: the target, then the replicas being removed. */
  replicas: number[];
  adding: number[];
  removing: number[];
}

const ascending = (ids: number[]) => ids.sort((a, b) => a - b);

/** The sets a move from `current` to `target` starts with (adding and removing in id order). */
export function reassignmentReplicas(current: readonly number[], target: readonly number[]): ReassignmentReplicas {
  const removing = ascending([...new Set(current)].filter((r) => !target.includes(r)));
  const adding = ascending([...new Set(target)].filter((r) => !current.includes(r)));
  return { replicas: [...target, ...removing], adding, removing };
}

export function reassignmentInProgress(reg: Pick<PartitionRegistration, 'addingReplicas' | 'removingReplicas'>): boolean {
  return reg.addingReplicas.length > 0 || reg.removingReplicas.length > 0;
}

/**
 * The replica list and ISR once the reassignment is done, if `isr` allows it: what stays of the
 * ISR (the removing replicas leave) holds every replica that stays. Null: not yet (or none in progress).
 */
export function completeReassignment(r: ReassignmentReplicas, isr: readonly number[]): { replicas: number[]; isr: number[] } | null {
  if (r.adding.length === 0 && r.removing.length === 0) return null;
  let newIsr = [...isr];
  let replicas = [...r.replicas];
  if (r.removing.length > 0) {
    newIsr = newIsr.filter((id) => !r.removing.includes(id));
    if (newIsr.length === 0) return null;
    replicas = replicas.filter((id) => !r.removing.includes(id));
    if (replicas.length === 0) return null;
  }
  if (!replicas.every((id) => newIsr.includes(id))) return null;
  return { replicas, isr: newIsr };
}

/** What a cancel goes back to: the original replicas, the ISR without the adding ones. */
export interface ReassignmentRevert {
  replicas: number[];
  isr: number[];
  /** Every ISR member was being added: the first original replica is made the ISR (an unclean election). */
  unclean: boolean;
}

export function revertReassignment(reg: PartitionRegistration): ReassignmentRevert {
  const replicas = reg.replicas.filter((id) => !reg.addingReplicas.includes(id));
  const isr = reg.isr.filter((id) => !reg.addingReplicas.includes(id));
  if (isr.length > 0) return { replicas, isr, unclean: false };
  // Unreachable unless the partition started with no replicas.
  if (replicas.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Invalid replica assignment: addingReplicas contains all replicas.');
  return { replicas, isr: [replicas[0]], unclean: true };
}
