// GET /metrics parsed with a Prometheus text-format parser (parse-prometheus-text-format, which
// follows prom2json): kafkajs produces N records in several batches and the per-topic messages-in
// counter equals N, bytes in > 0, request counts per API and version, request-time summaries, a
// consumer's bytes out, the replica and controller gauges, and kafka_exporter's lag for a group
// that committed behind the end.
import t from 'tap';
import http from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startBroker } from '../../src/index.js';

interface Sample { value?: string; labels?: Record<string, string>; quantiles?: Record<string, string>; count?: string; sum?: string }
interface Family { name: string; help: string; type: string; metrics: Sample[] }

function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}

async function scrape(port: number): Promise<Map<string, Family>> {
  const r = await get(port, '/metrics');
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  const families = parsePrometheusTextFormat(r.body) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

/** The value of the sample whose labels are exactly `labels`. */
function value(m: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const f = m.get(name);
  const s = f?.metrics.find((x) => JSON.stringify(x.labels ?? {}) === JSON.stringify(labels));
  return s?.value === undefined ? undefined : Number(s.value);
}

function sum(m: Map<string, Family>, name: string, match: Record<string, string>): number {
  const f = m.get(name);
  return (f?.metrics ?? []).filter((s) => Object.entries(match).every(([k, v]) => s.labels?.[k] === v)).reduce((a, s) => a + Number(s.value), 0);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

t.test('/metrics counts what kafkajs produced and consumed, and lag of a group behind the end', async (t) => {
  const b = await startBroker({ port: 0, memory: true, httpPort: 0, config: { 'num.partitions': '2' } });
  t.teardown(() => b.close());
  t.ok(b.httpPort !== null && b.httpPort > 0, `HTTP port ${b.httpPort}`);
  const port = b.httpPort!;

  const kafka = new Kafka({ clientId: 'metrics-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'metered', numPartitions: 2 }], waitForLeaders: true });

  const before = await scrape(port);
  t.equal(value(before, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'metered' }) ?? 0, 0, 'nothing in before producing');
  t.equal(before.get('kafka_server_brokertopicmetrics_messagesin_total')?.type, 'COUNTER', 'messages in is a counter');

  // 3 sends of 7, 11 and 13 records, spread over both partitions: several batches per request.
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const sizes = [7, 11, 13];
  let n = 0;
  for (const size of sizes) {
    await producer.send({ topic: 'metered', messages: Array.from({ length: size }, (_, i) => ({ key: `k${n + i}`, value: `value-${n + i}` })) });
    n += size;
  }

  const after = await scrape(port);
  t.equal(value(after, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'metered' }), n, `messages in for the topic = ${n} records produced`);
  t.equal(value(after, 'kafka_server_brokertopicmetrics_messagesin_total'), n, 'and for all topics (no other topic had records yet)');
  const bytesIn = value(after, 'kafka_server_brokertopicmetrics_bytesin_total', { topic: 'metered' })!;
  t.ok(bytesIn > sizes.length * 61, `bytes in (${bytesIn}) counts whole batches (61-byte headers, at least one per send)`);
  const produceRequests = value(after, 'kafka_server_brokertopicmetrics_totalproducerequests_total', { topic: 'metered' })!;
  t.ok(produceRequests >= sizes.length && produceRequests <= sizes.length * 2, `total produce requests per partition (${produceRequests}) for ${sizes.length} sends over 2 partitions`);
  t.equal(value(after, 'kafka_server_brokertopicmetrics_failedproducerequests_total', { topic: 'metered' }), 0, 'none failed');

  const requests = after.get('kafka_network_requestmetrics_requests_total')!;
  t.equal(requests.type, 'COUNTER');
  const produceCount = sum(after, 'kafka_network_requestmetrics_requests_total', { request: 'Produce' });
  t.equal(produceCount, sizes.length, 'one Produce request per send (one broker leads both partitions)');
  const produceVersions = requests.metrics.filter((s) => s.labels?.request === 'Produce').map((s) => s.labels!.version);
  t.ok(produceVersions.length >= 1 && produceVersions.every((v) => /^\d+$/.test(v)), `Produce counted by version (${produceVersions})`);
  t.ok(sum(after, 'kafka_network_requestmetrics_requests_total', { request: 'Metadata' }) >= 1, 'Metadata requests counted');
  t.ok(sum(after, 'kafka_network_requestmetrics_requests_total', { request: 'ApiVersions' }) >= 1, 'ApiVersions requests counted');
  t.equal(sum(after, 'kafka_network_requestmetrics_requests_total', { request: 'CreateTopics' }), 1, 'one CreateTopics');

  // Request time as the exporter writes Kafka's TotalTimeMs histogram: quantile gauges and a _count counter.
  t.equal(value(after, 'kafka_network_requestmetrics_errors_total', { request: 'Produce', error: 'NONE' }), produceRequests, 'ErrorsPerSec: NONE once per partition answered');
  t.equal(await admin.createTopics({ topics: [{ topic: 'metered', numPartitions: 2 }] }), false, 'creating the topic again');
  t.equal(value(await scrape(port), 'kafka_network_requestmetrics_errors_total', { request: 'CreateTopics', error: 'TOPIC_ALREADY_EXISTS' }), 1, 'counted under its error name');

  const time = after.get('kafka_network_requestmetrics_totaltimems')!;
  t.equal(time.type, 'GAUGE', 'request time percentiles are gauges');
  const produceQuantiles = time.metrics.filter((s) => s.labels?.request === 'Produce');
  t.same(produceQuantiles.map((s) => s.labels!.quantile), ['0.50', '0.75', '0.95', '0.98', '0.99', '0.999'], 'Kafka\'s percentiles');
  const q = produceQuantiles.map((s) => Number(s.value));
  t.ok(q.every((v, i) => v >= 0 && (i === 0 || v >= q[i - 1])), `non-decreasing (${q})`);
  t.equal(value(after, 'kafka_network_requestmetrics_totaltimems_count', { request: 'Produce' }), produceCount, 'the count equals the Produce requests');
  t.equal(after.get('kafka_network_requestmetrics_totaltimems_count')!.type, 'COUNTER');

  // A group that commits behind the end: lag = high watermark - committed offset, per partition.
  const ends = await admin.fetchTopicOffsets('metered');
  const end0 = Number(ends.find((p) => p.partition === 0)!.high);
  const end1 = Number(ends.find((p) => p.partition === 1)!.high);
  t.equal(end0 + end1, n, 'the two partitions hold every record');
  await admin.setOffsets({ groupId: 'behind', topic: 'metered', partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: String(end1) }] });
  const lagged = await scrape(port);
  t.equal(value(lagged, 'kafka_consumergroup_lag', { consumergroup: 'behind', topic: 'metered', partition: '0' }), end0 - 1, `partition 0 lags ${end0 - 1}`);
  t.equal(value(lagged, 'kafka_consumergroup_lag', { consumergroup: 'behind', topic: 'metered', partition: '1' }), 0, 'partition 1 is at the end');
  t.equal(value(lagged, 'kafka_consumergroup_lag_sum', { consumergroup: 'behind', topic: 'metered' }), end0 - 1, 'lag summed over the topic');
  t.equal(value(lagged, 'kafka_consumergroup_current_offset', { consumergroup: 'behind', topic: 'metered', partition: '0' }), 1, 'the committed offset');
  t.equal(value(lagged, 'kafka_topic_partition_current_offset', { topic: 'metered', partition: '0' }), end0, 'the partition\'s high watermark');
  t.ok(sum(lagged, 'kafka_network_requestmetrics_requests_total', { request: 'OffsetCommit' }) >= 1, 'OffsetCommit counted');

  // A consumer reads everything: bytes out and fetch requests for the topic.
  const consumer = kafka.consumer({ groupId: 'reader', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'metered', fromBeginning: true });
  let consumed = 0;
  await consumer.run({ eachMessage: async () => void consumed++ });
  await until('the consumer to read every record', async () => (consumed >= n ? true : undefined));
  const read = await until('bytes out', async () => {
    const m = await scrape(port);
    return (value(m, 'kafka_server_brokertopicmetrics_bytesout_total', { topic: 'metered' }) ?? 0) > 0 ? m : undefined;
  });
  t.ok(value(read, 'kafka_server_brokertopicmetrics_bytesout_total', { topic: 'metered' })! >= bytesIn, 'bytes out covers at least what came in (every record read once)');
  t.ok(value(read, 'kafka_server_brokertopicmetrics_totalfetchrequests_total', { topic: 'metered' })! >= 2, 'fetch requests counted per partition');
  const fetches = sum(read, 'kafka_network_requestmetrics_requests_total', { request: 'Fetch' });
  t.ok(fetches >= 1, 'Fetch requests counted');
  // As Kafka's RequestChannel: a consumer's fetch counts under Fetch and FetchConsumer.
  t.equal(sum(read, 'kafka_network_requestmetrics_requests_total', { request: 'FetchConsumer' }), fetches, 'and each under FetchConsumer');
  t.equal(sum(read, 'kafka_network_requestmetrics_requests_total', { request: 'FetchFollower' }), 0, 'none under FetchFollower on a lone broker');
  t.equal(value(read, 'kafka_network_requestmetrics_totaltimems_count', { request: 'FetchConsumer' }), fetches, 'FetchConsumer timed');
  t.ok(sum(read, 'kafka_network_requestmetrics_requests_total', { request: 'JoinGroup' }) >= 1, 'JoinGroup requests counted');

  // Gauges: a lone broker leads every partition and is the active controller.
  t.equal(value(read, 'kafka_controller_kafkacontroller_activecontrollercount'), 1, 'the lone broker is the active controller');
  t.equal(value(read, 'kafka_controller_kafkacontroller_offlinepartitionscount'), 0, 'no offline partitions');
  t.equal(value(read, 'kafka_server_replicamanager_underreplicatedpartitions'), 0, 'none under-replicated');
  const image = b.broker.image;
  const partitions = [...image.topics.all()].reduce((a, x) => a + x.partitions, 0);
  t.equal(value(read, 'kafka_server_replicamanager_partitioncount'), partitions, `partition count = every partition (${partitions}, __consumer_offsets included)`);
  t.equal(value(read, 'kafka_server_replicamanager_leadercount'), partitions, 'and it leads them all');
  t.equal(value(read, 'kafka_topic_partitions', { topic: 'metered' }), 2);
  t.ok(value(read, 'process_resident_memory_bytes')! > 1e6, 'process resident memory');
  t.ok(value(read, 'nodejs_heap_size_used_bytes')! > 0, 'Node.js heap used');
  t.equal(read.get('process_cpu_seconds_total')?.type, 'COUNTER');
});

t.test('a deleted topic\'s counters leave /metrics; a broker without httpPort opens no HTTP port', async (t) => {
  const b = await startBroker({ port: 0, memory: true, httpPort: 0 });
  t.teardown(() => b.close());
  const kafka = new Kafka({ clientId: 'metrics-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'gone', numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'gone', messages: [{ value: 'a' }, { value: 'b' }] });
  t.equal(value(await scrape(b.httpPort!), 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'gone' }), 2);
  await admin.deleteTopics({ topics: ['gone'] });
  const m = await scrape(b.httpPort!);
  t.equal(value(m, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'gone' }), undefined, 'no sample for a deleted topic');
  t.equal(value(m, 'kafka_server_brokertopicmetrics_messagesin_total'), 2, 'the all-topics counter keeps it');

  const plain = await startBroker({ port: 0, memory: true });
  t.teardown(() => plain.close());
  t.equal(plain.httpPort, null, 'no HTTP port unless asked');
});
