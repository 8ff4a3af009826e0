// The counters the listeners keep (src/metrics/), written under the JMX exporter's names for
// Kafka's MBeans: BrokerTopicMetrics ...PerSec -> kafka_server_brokertopicmetrics_<name>_total
// (with and without topic), RequestMetrics -> kafka_network_requestmetrics_requests_total
// {request,version}, kafka_network_requestmetrics_totaltimems{request,quantile} and its _count.
import type { Exposition } from '../../metrics/exposition.js';
import type { BrokerMetrics } from '../../metrics/broker-metrics.js';
import type { TopicCounters } from '../../metrics/topic-metrics.js';
import { QUANTILE_LABELS } from '../../metrics/reservoir.js';
import { errorName } from '../../protocol/errors.js';

const TOPIC_FAMILIES: readonly [keyof TopicCounters, string, string][] = [
  ['messagesIn', 'messagesin', 'Records appended (MessagesInPerSec).'],
  ['bytesIn', 'bytesin', 'Record bytes appended from producers (BytesInPerSec).'],
  ['bytesOut', 'bytesout', 'Record bytes sent to consumers (BytesOutPerSec).'],
  ['totalProduceRequests', 'totalproducerequests', 'Produce requests, counted per partition (TotalProduceRequestsPerSec).'],
  ['failedProduceRequests', 'failedproducerequests', 'Failed produce requests, counted per partition (FailedProduceRequestsPerSec).'],
  ['totalFetchRequests', 'totalfetchrequests', 'Fetch requests, counted per partition (TotalFetchRequestsPerSec).'],
  ['failedFetchRequests', 'failedfetchrequests', 'Failed fetch requests, counted per partition (FailedFetchRequestsPerSec).'],
];

export function writeRequestFamilies(out: Exposition, metrics: BrokerMetrics, liveTopics: (name: string) => boolean): void {
  metrics.topics.retain(liveTopics);
  const topics = [...metrics.topics.topics()];
  for (const [key, short, help] of TOPIC_FAMILIES) {
    const name = `kafka_server_brokertopicmetrics_${short}_total`;
    out.family(name, 'counter', help);
    out.sample(name, metrics.topics.all[key]);
    for (const [topic, c] of topics) out.sample(name, c[key], { topic });
  }
  const apis = [...metrics.requests.requests()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  out.family('kafka_network_requestmetrics_requests_total', 'counter', 'Requests answered, by API and version (RequestsPerSec).');
  for (const s of apis) {
    const request = s.name;
    for (const [version, n] of [...s.byVersion].sort((a, b) => a[0] - b[0])) out.sample('kafka_network_requestmetrics_requests_total', n, { request, version });
  }
  // The exporter's emulated summary: quantile gauges ("0.50" from 50thPercentile) and a _count counter, no _sum.
  out.family('kafka_network_requestmetrics_totaltimems', 'gauge', 'Time from taking a request to its response, in ms (TotalTimeMs percentiles over the last 1028 requests).');
  for (const s of apis) {
    const request = s.name;
    if (s.totalTime.count === 0) continue;
    const q = s.totalTime.quantiles();
    QUANTILE_LABELS.forEach((quantile, i) => out.sample('kafka_network_requestmetrics_totaltimems', q[i], { request, quantile }));
  }
  out.family('kafka_network_requestmetrics_totaltimems_count', 'counter', 'Requests timed (TotalTimeMs count).');
  for (const s of apis) if (s.totalTime.count > 0) out.sample('kafka_network_requestmetrics_totaltimems_count', s.totalTime.count, { request: s.name });
  out.family('kafka_network_requestmetrics_errors_total', 'counter', 'Error codes in responses, NONE included (ErrorsPerSec).');
  for (const s of apis) {
    for (const [code, n] of [...s.errors].sort((a, b) => a[0] - b[0])) out.sample('kafka_network_requestmetrics_errors_total', n, { request: s.name, error: errorName(code) });
  }
}
