// The committed offsets of the groups a coordinator holds, flattened for the lag gauges.

interface OffsetsView {
  groups(): Iterable<string>;
  all(group: string): { topic: string; partition: number; offset: { committedOffset: number } }[];
}

export function* committedOffsets(coordinator: { offsets: OffsetsView }): Generator<{ group: string; topic: string; partition: number; offset: number }> {
  for (const group of coordinator.offsets.groups()) {
    for (const o of coordinator.offsets.all(group)) yield { group, topic: o.topic, partition: o.partition, offset: o.offset.committedOffset };
  }
}
