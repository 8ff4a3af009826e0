// kill -9 of the samsa process after admin changes, and in the middle of a stream of them: the
// restarted broker serves the same topics, topic ids, partitions and configs; every acknowledged
// creation is there whole, an unacknowledged one is there whole or not at all; producer ids
// handed out before the kill are never handed out again.
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { tempDir } from '../helpers/tmp.js';
import { spawnBroker, type CliBroker } from '../helpers/cli-broker.js';
import { Bytes, Cursor, WireConnection } from '../helpers/wire.js';
import { wireTopics } from '../metadata/helpers.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

function start(t: Test, dir: string): Promise<CliBroker> {
  return spawnBroker(t, ['--port', '0', '--data-dir', dir, '--config', 'offsets.topic.num.partitions=2']);
}

function admin(b: CliBroker) {
  return new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
}

async function describeState(b: CliBroker) {
  const conn = await WireConnection.connect(b.host, b.port);
  const topics = await wireTopics(conn).finally(() => conn.destroy());
  const a = admin(b);
  await a.connect();
  try {
    const user = topics.filter((x) => !x.name.startsWith('__'));
    const res = await a.describeConfigs({
      includeSynonyms: true,
      resources: [...user.map((x) => ({ type: ConfigResourceTypes.TOPIC, name: x.name })), { type: ConfigResourceTypes.BROKER, name: '1' }],
    });
    const configs = res.resources.map((r) => ({
      resource: `${r.resourceType}:${r.resourceName}`,
      overrides: r.configEntries
        .filter((e) => e.configSource !== 5 && e.configSource !== 4)
        .map((e) => [e.configName, e.configValue, e.configSource])
        .sort(),
    }));
    return { topics, configs };
  } finally {
    await a.disconnect();
  }
}

async function initProducerId(b: CliBroker): Promise<number> {
  const conn = await WireConnection.connect(b.host, b.port);
  try {
    const c = new Cursor(await conn.request(22, 0, new Bytes().string(null).int32(60000).build()));
    c.int32();
    c.int32();
    const errorCode = c.int16();
    if (errorCode !== 0) throw new Error(`InitProducerId error ${errorCode}`);
    return c.int64();
  } finally {
    conn.destroy();
  }
}

t.test('kill -9 after admin changes loses none of them', async (t) => {
  const dir = tempDir(t);
  let b = await start(t, dir);
  const a = admin(b);
  await a.connect();
  await a.createTopics({
    topics: [
      { topic: 'k-a', numPartitions: 4, configEntries: [{ name: 'retention.ms', value: '60000' }, { name: 'max.message.bytes', value: '500000' }] },
      { topic: 'k-b', numPartitions: 1 },
      { topic: 'k-c', numPartitions: 2 },
    ],
  });
  await a.createPartitions({ topicPartitions: [{ topic: 'k-b', count: 3 }] });
  await a.deleteTopics({ topics: ['k-c'] });
  await a.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'log.retention.bytes', value: '123456789' }] }] });
  await a.disconnect();
  const ids = [await initProducerId(b), await initProducerId(b)];
  const before = await describeState(b);
  t.same(before.topics.filter((x) => x.name.startsWith('k-')).map((x) => [x.name, x.partitions.length]), [['k-a', 4], ['k-b', 3]]);

  await b.stop('SIGKILL');
  b = await start(t, dir);
  const after = await describeState(b);
  t.same(after, before, 'same topics, topic ids, partitions and configs after kill -9');
  const next = await initProducerId(b);
  t.notOk(ids.includes(next), `producer id ${next} was not handed out before the kill (${ids})`);
  t.ok(next > Math.max(...ids), 'ids keep growing');
  t.notOk(existsSync(path.join(dir, 'k-c-0')), 'the deleted topic stays deleted');
  await b.stop('SIGTERM');
});

t.test('kill -9 in the middle of a stream of CreateTopics', async (t) => {
  const dir = tempDir(t);
  let b = await start(t, dir);
  const a = admin(b);
  await a.connect();
  const acked: string[] = [];
  let stop = false;
  let killer: NodeJS.Timeout | undefined;
  for (let i = 0; !stop; i++) {
    try {
      if (await a.createTopics({ waitForLeaders: false, topics: [{ topic: `s-${i}`, numPartitions: 3, configEntries: [{ name: 'segment.ms', value: String(1000 + i) }] }] })) {
        acked.push(`s-${i}`);
      }
      // The kill lands mid-stream once creations are flowing (a fixed delay from the start raced a slow first one).
      killer ??= setTimeout(() => {
        stop = true;
        b.proc.kill('SIGKILL');
      }, 300);
    } catch {
      break;
    }
  }
  clearTimeout(killer);
  await a.disconnect().catch(() => undefined);
  await b.exited;
  t.ok(acked.length > 0, `${acked.length} creations acknowledged before the kill`);

  b = await start(t, dir);
  const { topics, configs } = await describeState(b);
  const found = new Map(topics.map((x) => [x.name, x]));
  for (const name of acked) {
    t.equal(found.get(name)?.partitions.length, 3, `${name} is there with 3 partitions`);
  }
  const extra = topics.filter((x) => x.name.startsWith('s-') && !acked.includes(x.name));
  t.ok(extra.length <= 1, 'at most the one unacknowledged creation');
  for (const x of extra) t.equal(x.partitions.length, 3, `${x.name}, unacknowledged, is whole`);
  for (const x of topics.filter((y) => y.name.startsWith('s-'))) {
    const i = Number(x.name.slice(2));
    const c = configs.find((r) => r.resource === `2:${x.name}`)!;
    // Beside its own, the cluster-wide min.insync.replicas a new cluster keeps with eligible leader replicas on.
    t.same(c.overrides, [['min.insync.replicas', '1', 3], ['segment.ms', String(1000 + i), 1]], `${x.name} kept its config`);
    for (let p = 0; p < 3; p++) t.ok(existsSync(path.join(dir, `${x.name}-${p}`)), `${x.name}-${p} has a log`);
  }
  await b.stop('SIGTERM');
});
