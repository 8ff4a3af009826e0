// The Apache Kafka 4.4.0 Java client against samsa at the newest versions both speak: its producer
// sends Produce v13 (topics by id, KIP-516) and asks Metadata v13; kafka-consumer-groups asks
// DescribeGroups v6, DescribeCluster v2 and ListOffsets v11. Every handler is watched for the
// versions it is called with, so the test fails if a client falls back to an older version, as
// well as if the records or offsets do not come back. (The classic consumer and the admin client
// commit and fetch offsets at v9, by name, against Kafka too: only the KIP-848 consumer sends
// OffsetCommit/OffsetFetch v10, and its ConsumerGroupHeartbeat is not served yet.)
// Needs java and Maven (compat/kafka/broker.sh fetches the jars; .ci/run installs both).
import t from 'tap';
import { startBroker } from '../../src/index.js';
import { HANDLERS } from '../../src/handlers/registry.js';
import type { Handler } from '../../src/handlers/handler.js';
import { kafkaToolIO as tool } from '../helpers/kafka-tool.js';

t.setTimeout(300_000);

/** Records every (api key, version) the broker's handlers are called with until teardown. */
function watchVersions(t: { teardown(fn: () => void): void }): Map<number, Set<number>> {
  const seen = new Map<number, Set<number>>();
  for (const h of HANDLERS.values() as IterableIterator<Handler>) {
    const handle = h.handle;
    h.handle = (ctx, req) => {
      let s = seen.get(ctx.apiKey);
      if (!s) seen.set(ctx.apiKey, (s = new Set()));
      s.add(ctx.apiVersion);
      return handle.call(h, ctx, req);
    };
    t.teardown(() => (h.handle = handle));
  }
  return seen;
}

t.test('Kafka 4.4 producer, consumer and group tool at their newest versions', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' } });
  t.teardown(() => b.close());
  await b.broker.createTopic('jv', 2, {});
  const seen = watchVersions(t);
  const B = ['--bootstrap-server', b.bootstrap];

  const lines = Array.from({ length: 20 }, (_, i) => `k${i}:value-${i}`);
  const produced = await tool(
    'org.apache.kafka.tools.ConsoleProducer',
    [...B, '--topic', 'jv', '--property', 'parse.key=true', '--property', 'key.separator=:', '--producer-property', 'acks=all'],
    lines.join('\n') + '\n',
  );
  t.equal(produced.code, 0, 'console producer exits 0');
  t.ok(seen.get(0)?.has(13), `the producer sent Produce v13 (saw ${[...(seen.get(0) ?? [])]})`);
  const logEnd = [0, 1].map((p) => b.broker.partitionLog('jv', p)!.highWatermark);
  t.equal(logEnd[0] + logEnd[1], 20, 'all 20 records are in the log');

  const consumed = await tool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
    ...B, '--topic', 'jv', '--group', 'jv-group', '--from-beginning', '--max-messages', '20', '--timeout-ms', '60000',
    '--formatter-property', 'print.key=true', '--formatter-property', 'key.separator=:',
  ]);
  t.equal(consumed.code, 0, 'console consumer exits 0');
  t.same(consumed.out.trim().split('\n').sort(), [...lines].sort(), 'every record comes back with its key');
  t.ok(seen.get(3)?.has(13), `Metadata v13 (saw ${[...(seen.get(3) ?? [])]})`);
  const committed = new Map(b.broker.groups.fetchOffsets('jv-group', null).topics.find((x) => x.name === 'jv')?.partitions.map((p) => [p.partitionIndex, p.committedOffset]));
  for (const p of [0, 1]) if (logEnd[p] > 0) t.equal(committed.get(p), logEnd[p], `partition ${p}: the committed offset is the log end`);

  // The group tool reads them back (OffsetFetch through the admin client) and lists the log ends (ListOffsets).
  const described = await tool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', [...B, '--describe', '--group', 'jv-group', '--offsets']);
  t.equal(described.code, 0, 'kafka-consumer-groups --describe exits 0');
  for (const p of [0, 1]) {
    if (logEnd[p] === 0) continue;
    t.match(described.out, new RegExp(`jv-group\\s+jv\\s+${p}\\s+${logEnd[p]}\\s+${logEnd[p]}\\s+0\\s`), `partition ${p}: current offset = log end, lag 0`);
  }
  t.ok(seen.get(2)?.has(11), `ListOffsets v11 (saw ${[...(seen.get(2) ?? [])]})`);
  t.ok(seen.get(15)?.has(6), `DescribeGroups v6 (saw ${[...(seen.get(15) ?? [])]})`);
  t.ok(seen.get(60)?.has(2), `DescribeCluster v2 (saw ${[...(seen.get(60) ?? [])]})`);
});
