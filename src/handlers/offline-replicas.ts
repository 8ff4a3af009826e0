// Which of a partition's replicas Metadata and DescribeTopicPartitions call offline: as Kafka's
// KRaft metadata cache, a replica whose broker is unregistered, fenced or has no endpoint on the
// listener the request came in on.
import type { ClusterImage } from '../metadata/image.js';

export function offlineReplicas(cluster: ClusterImage, replicas: readonly number[], listenerName: string): number[] {
  const out: number[] = [];
  for (const id of replicas) {
    const b = cluster.brokers.get(id);
    if (!b || b.fenced || !b.endpoints.some((e) => e.name === listenerName)) out.push(id);
  }
  return out;
}
