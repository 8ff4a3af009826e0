// Interactive Queries' routing (KIP-1071): for every member with a user endpoint, the source topic
// partitions (repartition topics included) of the tasks it runs, active and standby (warm-ups count as
// standbys). One entry per member; clients union the entries of one endpoint.
import type { StreamsGroupHeartbeatResponseEndpointToPartitions, StreamsGroupHeartbeatResponseTopicPartition } from '../../../protocol/generated/streams-group-heartbeat-response.js';
import type { StreamsGroup } from './group.js';
import type { TaskSet, TaskEpochs } from './tasks.js';
import type { PartitionCounts } from './topology.js';

export function endpointToPartitions(group: StreamsGroup, partitionsOf: PartitionCounts): StreamsGroupHeartbeatResponseEndpointToPartitions[] {
  const out: StreamsGroupHeartbeatResponseEndpointToPartitions[] = [];
  for (const m of group.members.values()) {
    if (m.userEndpoint === null) continue;
    const standby = new Map<string, Set<number>>();
    for (const s of [m.assigned.standby, m.assigned.warmup]) for (const [id, p] of s) standby.set(id, new Set([...(standby.get(id) ?? []), ...p]));
    out.push({
      userEndpoint: { host: m.userEndpoint.host, port: m.userEndpoint.port },
      activePartitions: topicPartitions(group, m.assigned.active, partitionsOf),
      standbyPartitions: topicPartitions(group, standby, partitionsOf),
    });
  }
  return out;
}

function topicPartitions(group: StreamsGroup, tasks: TaskSet | TaskEpochs, partitionsOf: PartitionCounts): StreamsGroupHeartbeatResponseTopicPartition[] {
  const byTopic = new Map<string, Set<number>>();
  for (const s of group.topology?.subtopologies ?? []) {
    const partitions = tasks.get(s.subtopologyId);
    if (!partitions) continue;
    const sources = [...s.sourceTopics, ...s.repartitionSourceTopics.map((t) => t.name)];
    for (const topic of sources) {
      const count = partitionsOf(topic) ?? 0;
      for (const p of partitions.keys()) {
        if (p >= count) continue;
        let set = byTopic.get(topic);
        if (!set) byTopic.set(topic, (set = new Set()));
        set.add(p);
      }
    }
  }
  return [...byTopic].sort(([a], [b]) => (a < b ? -1 : 1)).map(([topic, p]) => ({ topic, partitions: [...p].sort((a, b) => a - b) }));
}
