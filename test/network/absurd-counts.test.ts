// Absurd counts are refused before anything is allocated for them, with Kafka's answers, and the
// broker's memory does not jump. The expected errors are what Apache Kafka 4.4.0 answers to the
// same bytes (probed on a single-node KRaft broker):
// - CreateTopics asking for more than 10,000 partitions in all: every topic of the request gets
//   POLICY_VIOLATION "Excessively large number of partitions per request." (duplicates included);
// - CreateTopics whose records would pass 10,000 (a topic record, its configs and partitions):
//   every topic gets POLICY_VIOLATION "Unable to perform excessively large batch operation.";
// - CreatePartitions adding more than 10,000 partitions in all: every topic gets POLICY_VIOLATION
//   "Excessively large number of additional partitions per request.";
// - an array count beyond the bytes of the request: the connection is closed.
// Before this, CreateTopics of 20,000,000 partitions took the broker to 1.4 GiB for 20 s and
// 2,147,483,647 exhausted its heap.
import t from 'tap';
import { spawnBroker } from '../helpers/cli-broker.js';
import { rssMiB, sampleRss } from '../helpers/proc-memory.js';
import { Bytes, Cursor, WireConnection, metadataV1Body, parseMetadataV1Response, requestFrame } from '../helpers/wire.js';

const POLICY_VIOLATION = 44;
const TOO_MANY_PARTITIONS = 'Excessively large number of partitions per request.';
const TOO_MANY_ADDITIONAL = 'Excessively large number of additional partitions per request.';
const TOO_MANY_RECORDS = 'Unable to perform excessively large batch operation.';
const INT32_MAX = 2147483647;
/** RSS growth allowed for a refused request. */
const MAX_GROWTH_MIB = 32;

interface TopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

/** CreateTopics v3: [name, numPartitions, replicationFactor -1, no assignments, configs]. */
function createTopicsV3(topics: [string, number, Record<string, string>?][], validateOnly: boolean): Buffer {
  const b = new Bytes().int32(topics.length);
  for (const [name, partitions, configs = {}] of topics) {
    b.string(name).int32(partitions).int16(-1).int32(0).int32(Object.keys(configs).length);
    for (const [k, v] of Object.entries(configs)) b.string(k).string(v);
  }
  return b.int32(30_000).int8(validateOnly ? 1 : 0).build();
}

/** CreatePartitions v1: [name, count, assignments null]. */
function createPartitionsV1(topics: [string, number][], validateOnly: boolean): Buffer {
  const b = new Bytes().int32(topics.length);
  for (const [name, count] of topics) b.string(name).int32(count).int32(-1);
  return b.int32(30_000).int8(validateOnly ? 1 : 0).build();
}

/** Both responses start: correlation id, throttle, then [name, error code, error message, ...]. */
function parseResults(frame: Buffer): TopicResult[] {
  const c = new Cursor(frame);
  c.int32();
  c.int32();
  const out: TopicResult[] = [];
  for (let i = c.int32(); i > 0; i--) out.push({ name: c.string()!, errorCode: c.int16(), errorMessage: c.string() });
  return out;
}

t.test('absurd partition counts and array lengths', async (t) => {
  const broker = await spawnBroker(t, ['--memory', '--port', '0']);
  const pid = broker.proc.pid!;
  const conn = await WireConnection.connect(broker.host, broker.port);
  t.teardown(() => conn.destroy());
  const createTopics = async (topics: [string, number, Record<string, string>?][], validateOnly = false) =>
    parseResults(await conn.request(19, 3, createTopicsV3(topics, validateOnly), { timeoutMs: 20_000 }));
  const createPartitions = async (topics: [string, number][], validateOnly = false) =>
    parseResults(await conn.request(37, 1, createPartitionsV1(topics, validateOnly), { timeoutMs: 20_000 }));
  const all = (names: string[], errorCode: number, errorMessage: string | null) => names.map((name) => ({ name, errorCode, errorMessage }));

  t.same(await createTopics([['small1', 1], ['small2', 1]]), all(['small1', 'small2'], 0, null), 'two small topics are created');
  const baseline = rssMiB(pid);
  const rss = sampleRss(pid, 5);

  t.same(await createTopics([['huge', INT32_MAX]]), all(['huge'], POLICY_VIOLATION, TOO_MANY_PARTITIONS), 'CreateTopics of 2,147,483,647 partitions');
  t.same(await createTopics([['huge', 20_000_000]]), all(['huge'], POLICY_VIOLATION, TOO_MANY_PARTITIONS), 'CreateTopics of 20,000,000 partitions');
  t.same(await createTopics([['huge', 10_001]], true), all(['huge'], POLICY_VIOLATION, TOO_MANY_PARTITIONS), '10,001 partitions');
  t.same(
    await createTopics([['a', INT32_MAX], ['b', INT32_MAX], ['c', 2]]),
    all(['a', 'b', 'c'], POLICY_VIOLATION, TOO_MANY_PARTITIONS),
    'counts whose int32 sum wraps are still too many, and fail the whole request',
  );
  t.same(
    await createTopics([['a', 1], ['a', 1], ['b', 20_000]]),
    all(['a', 'a', 'b'], POLICY_VIOLATION, TOO_MANY_PARTITIONS),
    'every topic named in the request is answered, duplicates too',
  );
  t.same(await createTopics([['small1', 20_000]], true), all(['small1'], POLICY_VIOLATION, TOO_MANY_PARTITIONS), 'an existing topic counts too');
  t.same(await createTopics([['a', 5000], ['b', 5000]], true), all(['a', 'b'], POLICY_VIOLATION, TOO_MANY_RECORDS), '10,000 partitions of two topics are 10,002 records');
  t.same(await createTopics([['a', 9999, { 'retention.ms': '100000' }]], true), all(['a'], POLICY_VIOLATION, TOO_MANY_RECORDS), '9,999 partitions and a config are 10,001 records');
  t.same(await createTopics([['a', 9999]], true), all(['a'], 0, null), '9,999 partitions and the topic record are 10,000 records: allowed');

  t.same(await createPartitions([['small1', INT32_MAX]]), all(['small1'], POLICY_VIOLATION, TOO_MANY_ADDITIONAL), 'CreatePartitions to 2,147,483,647');
  t.same(await createPartitions([['small1', 20_000_000]]), all(['small1'], POLICY_VIOLATION, TOO_MANY_ADDITIONAL), 'CreatePartitions to 20,000,000');
  t.same(
    await createPartitions([['small1', 6001], ['small2', 6001]], true),
    all(['small1', 'small2'], POLICY_VIOLATION, TOO_MANY_ADDITIONAL),
    '6,000 more for each of two topics fail both',
  );
  t.same(
    await createPartitions([['small1', 2], ['small1', 2], ['small2', 20_000]], true),
    all(['small1', 'small1', 'small2'], POLICY_VIOLATION, TOO_MANY_ADDITIONAL),
    'every topic named in the request is answered, duplicates too',
  );
  t.same(
    await createPartitions([['small1', 5001], ['small2', 5001]], true),
    all(['small1', 'small2'], 0, null),
    '5,000 more for each of two topics (10,000 in all) are allowed',
  );
  t.same(
    await createPartitions([['missing', INT32_MAX], ['small2', 2]], true),
    [{ name: 'missing', errorCode: 3, errorMessage: null }, { name: 'small2', errorCode: 0, errorMessage: null }],
    'a topic that does not exist adds nothing to the count',
  );

  // An array count the request's bytes cannot hold closes the connection, as in Kafka.
  const liar = await WireConnection.connect(broker.host, broker.port);
  t.teardown(() => liar.destroy());
  liar.write(requestFrame(3, 1, 9, new Bytes().int32(INT32_MAX).string('x').build()));
  t.ok(await liar.closesWithin(5000), 'a Metadata request whose topics array claims 2^31-1 entries closes its connection');
  const flexLiar = await WireConnection.connect(broker.host, broker.port);
  t.teardown(() => flexLiar.destroy());
  flexLiar.write(requestFrame(3, 12, 9, new Bytes().uvarint(INT32_MAX).raw(Buffer.alloc(17)).int8(0).int8(0).tags().build(), { headerVersion: 2 }));
  t.ok(await flexLiar.closesWithin(5000), 'so does a compact array count of 2^31-2 in Metadata v12');

  const peak = rss.stop();
  t.ok(peak - baseline < MAX_GROWTH_MIB, `broker RSS ${baseline.toFixed(0)} -> peak ${peak.toFixed(0)} MiB over the refused requests (bound +${MAX_GROWTH_MIB} MiB)`);
  const md = parseMetadataV1Response(await conn.request(3, 1, metadataV1Body(['small1', 'small2'])));
  t.same(
    md.topics.map((x) => [x.name, x.partitions.length]),
    [['small1', 1], ['small2', 1]],
    'the broker serves on, and validate_only changed nothing',
  );
});
