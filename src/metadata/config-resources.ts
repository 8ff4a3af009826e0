// Kafka refuses a config resource named twice in one alter request, answering each entry.
import { ErrorCode } from '../protocol/errors.js';

export function duplicateResources<R extends { resourceType: number; resourceName: string }>(resources: R[]) {
  const key = (r: R) => `${r.resourceType}:${r.resourceName}`;
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return {
    unique: resources.filter((r) => counts.get(key(r)) === 1),
    duplicates: resources
      .filter((r) => counts.get(key(r))! > 1)
      .map((r) => ({
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'Each resource must appear at most once.',
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      })),
  };
}
