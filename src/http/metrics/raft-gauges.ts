// The quorum's gauges (Kafka's KafkaRaftMetrics, JMX kafka.server:type=raft-metrics) as the JMX
// exporter's default naming writes them: kafka_server_raft_metrics_<attribute, '-' as '_'>.
import type { Exposition } from '../../metrics/exposition.js';
import type { RaftStatus } from '../../raft/messages.js';

const GAUGES: readonly [keyof RaftStatus, string, string][] = [
  ['leaderId', 'current_leader', "The current quorum leader's id; -1 indicates unknown."],
  ['votedId', 'current_vote', 'The current voted id; -1 indicates not voted for anyone.'],
  ['epoch', 'current_epoch', 'The current quorum epoch.'],
  ['highWatermark', 'high_watermark', 'The high watermark maintained on this member; -1 if it is unknown.'],
  ['endOffset', 'log_end_offset', 'The current raft log end offset.'],
];

export function writeRaftGauges(out: Exposition, status: RaftStatus | null): void {
  if (status === null) return;
  for (const [field, attr, help] of GAUGES) {
    const name = `kafka_server_raft_metrics_${attr}`;
    out.family(name, 'gauge', help).sample(name, status[field] as number);
  }
}
