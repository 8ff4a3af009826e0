// Kafka's PartitionAssignorException: the assignor could not compute a target assignment (a member
// subscribes to a topic missing from the metadata). The coordinator turns it into an error response.
export class PartitionAssignorError extends Error {
  override readonly name = 'PartitionAssignorError';
}

/** Every member with an empty assignment (Kafka returns no entry; our interface wants one each). */
export function emptyAssignments(members: Iterable<string>): Map<string, Map<string, Set<number>>> {
  const out = new Map<string, Map<string, Set<number>>>();
  for (const id of members) out.set(id, new Map());
  return out;
}

/** A member's assignment copied so it can be changed without touching the group spec. */
export function copyAssignment(a: ReadonlyMap<string, ReadonlySet<number>>): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const [t, ps] of a) out.set(t, new Set(ps));
  return out;
}
