// The server-side assignors a consumer group may name (ConsumerGroupHeartbeat's ServerAssignor, the
// broker's group.consumer.assignors). Kafka's config lists them by class name, clients by short name.
import { RangeAssignor } from './range.js';
import { UniformAssignor } from './uniform.js';
import type { PartitionAssignor } from './types.js';

const uniform = new UniformAssignor();
const range = new RangeAssignor();

const byName = new Map<string, PartitionAssignor>([
  [uniform.name, uniform],
  ['org.apache.kafka.coordinator.group.assignor.UniformAssignor', uniform],
  [range.name, range],
  ['org.apache.kafka.coordinator.group.assignor.RangeAssignor', range],
]);

/** The assignor for a short name ("uniform", "range") or Kafka's class name; undefined when unknown. */
export function assignorByName(name: string): PartitionAssignor | undefined {
  return byName.get(name.trim());
}

export { PartitionAssignorError } from './assignor-error.js';
