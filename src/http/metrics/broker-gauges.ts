// Gauges read from the metadata image and the local logs at scrape time: Kafka's ReplicaManager
// and KafkaController gauges as the JMX exporter names them, and kafka_exporter's consumer-group
// lag (kafka_consumergroup_lag: the partition's high watermark minus the group's committed offset).
import type { Exposition } from '../../metrics/exposition.js';
import type { HttpContext } from '../context.js';
import type { MetadataImage } from '../../metadata/image.js';

export function writeReplicaGauges(out: Exposition, ctx: HttpContext): void {
  const image = ctx.image();
  const me = ctx.nodeId;
  let partitions = 0;
  let leaders = 0;
  let underReplicated = 0;
  let underMinIsr = 0;
  for (const topic of image.topics.all()) {
    for (const [, r] of topic.registrations) {
      if (!r.replicas.includes(me)) continue;
      partitions++;
      if (r.leader !== me) continue;
      leaders++;
      if (r.isr.length < r.replicas.length) underReplicated++;
      if (r.isr.length < ctx.minInsyncReplicas(topic.name)) underMinIsr++;
    }
  }
  const gauge = (name: string, help: string, value: number) => out.family(name, 'gauge', help).sample(name, value);
  gauge('kafka_server_replicamanager_partitioncount', 'Partitions with a replica on this broker.', partitions);
  gauge('kafka_server_replicamanager_leadercount', 'Partitions this broker leads.', leaders);
  gauge('kafka_server_replicamanager_underreplicatedpartitions', 'Partitions this broker leads whose ISR is smaller than their replicas.', underReplicated);
  gauge('kafka_server_replicamanager_underminisrpartitioncount', 'Partitions this broker leads whose ISR is below min.insync.replicas.', underMinIsr);
  writeControllerGauges(out, image, ctx.activeController());
}

/** KafkaController's gauges of the cluster's metadata (a broker's and a controller-only node's /metrics). */
export function writeControllerGauges(out: Exposition, image: MetadataImage, active: boolean): void {
  let offline = 0;
  let globalPartitions = 0;
  let globalTopics = 0;
  for (const topic of image.topics.all()) {
    globalTopics++;
    for (const [, r] of topic.registrations) {
      globalPartitions++;
      if (r.leader < 0) offline++;
    }
  }
  const gauge = (name: string, help: string, value: number) => out.family(name, 'gauge', help).sample(name, value);
  // The controller gauges count on the active controller only (0 elsewhere), as Kafka's do.
  gauge('kafka_controller_kafkacontroller_activecontrollercount', 'Whether this node is the active controller.', active ? 1 : 0);
  gauge('kafka_controller_kafkacontroller_offlinepartitionscount', 'Partitions without a leader (on the active controller).', active ? offline : 0);
  gauge('kafka_controller_kafkacontroller_globaltopiccount', 'Topics in the cluster (on the active controller).', active ? globalTopics : 0);
  gauge('kafka_controller_kafkacontroller_globalpartitioncount', 'Partitions in the cluster (on the active controller).', active ? globalPartitions : 0);
  let fenced = 0;
  let unfenced = 0;
  for (const b of image.cluster.brokers.values()) {
    if (b.fenced) fenced++;
    else unfenced++;
  }
  gauge('kafka_controller_kafkacontroller_activebrokercount', 'Registered brokers that are not fenced (on the active controller).', active ? unfenced : 0);
  gauge('kafka_controller_kafkacontroller_fencedbrokercount', 'Registered brokers that are fenced (on the active controller).', active ? fenced : 0);
}

/** kafka_exporter's topic and consumer-group families, for the partitions whose log is on this broker. */
export function writeOffsetGauges(out: Exposition, ctx: HttpContext): void {
  const image = ctx.image();
  out.family('kafka_topic_partitions', 'gauge', 'Number of partitions for this Topic');
  for (const topic of image.topics.all()) out.sample('kafka_topic_partitions', topic.partitions, { topic: topic.name });
  out.family('kafka_topic_partition_current_offset', 'gauge', 'Current Offset of a Broker at Topic/Partition');
  const oldest: [string, number, number][] = [];
  for (const topic of image.topics.all()) {
    for (const [partition, r] of topic.registrations) {
      if (r.leader !== ctx.nodeId) continue;
      const o = ctx.partitionOffsets(topic.name, partition);
      if (o === null) continue;
      out.sample('kafka_topic_partition_current_offset', o.highWatermark, { topic: topic.name, partition });
      oldest.push([topic.name, partition, o.logStartOffset]);
    }
  }
  out.family('kafka_topic_partition_oldest_offset', 'gauge', 'Oldest Offset of a Broker at Topic/Partition');
  for (const [topic, partition, offset] of oldest) out.sample('kafka_topic_partition_oldest_offset', offset, { topic, partition });

  const current: [string, string, number, number][] = [];
  const lag: [string, string, number, number][] = [];
  const lagSum = new Map<string, { group: string; topic: string; sum: number }>();
  for (const c of ctx.committedOffsets()) {
    if (c.offset < 0) continue;
    current.push([c.group, c.topic, c.partition, c.offset]);
    const o = ctx.partitionOffsets(c.topic, c.partition);
    if (o === null) continue;
    const l = Math.max(0, o.highWatermark - c.offset);
    lag.push([c.group, c.topic, c.partition, l]);
    const key = `${c.group}\u0000${c.topic}`;
    const s = lagSum.get(key) ?? { group: c.group, topic: c.topic, sum: 0 };
    s.sum += l;
    lagSum.set(key, s);
  }
  out.family('kafka_consumergroup_current_offset', 'gauge', 'Current Offset of a ConsumerGroup at Topic/Partition');
  for (const [consumergroup, topic, partition, v] of current) out.sample('kafka_consumergroup_current_offset', v, { consumergroup, topic, partition });
  out.family('kafka_consumergroup_lag', 'gauge', 'Current Approximate Lag of a ConsumerGroup at Topic/Partition');
  for (const [consumergroup, topic, partition, v] of lag) out.sample('kafka_consumergroup_lag', v, { consumergroup, topic, partition });
  out.family('kafka_consumergroup_lag_sum', 'gauge', 'Current Approximate Lag of a ConsumerGroup at Topic for all partitions');
  for (const s of lagSum.values()) out.sample('kafka_consumergroup_lag_sum', s.sum, { consumergroup: s.group, topic: s.topic });
}
