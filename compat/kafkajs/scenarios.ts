// kafkajs (the project's dev dependency) against BOOTSTRAP: producer, admin API, partition reads through
// kafkajs's own Fetch codec, and consumer groups. Prints one PASS/FAIL/SKIP line per scenario.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Kafka, CompressionTypes, Partitioners, logLevel, type Admin, type Producer } from 'kafkajs';

const bootstrap = process.env.BOOTSTRAP; // host:port[,host:port...]
if (!bootstrap) throw new Error('BOOTSTRAP=host:port must be set');
const runId = process.env.RUN_ID ?? Date.now().toString(36);
const topicName = (s: string) => `compat-kafkajs-${s}-${runId}`;

const kafka = new Kafka({
  clientId: 'samsa-compat-kafkajs',
  brokers: bootstrap.split(","),
  logLevel: logLevel.NOTHING,
  connectionTimeout: 5000,
  requestTimeout: 15000,
  retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
});

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))),
  ]);
}

// Reading a partition without a consumer group: kafkajs's internal Broker.fetch (its own Fetch encoder and
// record-batch decoder), offset by offset until the high watermark.
const require = createRequire(import.meta.url);
async function readPartition(topic: string, partition: number, admin: Admin) {
  const Cluster = require('kafkajs/src/cluster');
  const { createLogger, LEVELS } = require('kafkajs/src/loggers');
  const cluster = new Cluster({
    logger: createLogger({ level: LEVELS.NOTHING, logCreator: require('kafkajs/src/loggers/console') }),
    socketFactory: require('kafkajs/src/network/socketFactory')(),
    brokers: bootstrap.split(","),
    clientId: 'samsa-compat-kafkajs-reader',
    connectionTimeout: 5000,
    requestTimeout: 15000,
    enforceRequestTimeout: true,
    metadataMaxAge: 300000,
    retry: { retries: 1 },
    allowAutoTopicCreation: false,
  });
  await cluster.connect();
  try {
    await cluster.addTargetTopic(topic);
    const meta = cluster.findTopicPartitionMetadata(topic).find((p: any) => p.partitionId === partition);
    const broker = await cluster.findBroker({ nodeId: String(meta.leader) });
    const high = Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === partition)!.high);
    const out: { offset: number; key: string; value: string; headers: Record<string, string> }[] = [];
    let offset = 0;
    while (offset < high) {
      const res = await broker.fetch({
        replicaId: -1,
        maxWaitTime: 100,
        minBytes: 1,
        maxBytes: 1 << 20,
        topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: 256 << 10 }] }],
      });
      const p = res.responses[0].partitions[0];
      check(p.errorCode === 0, `fetch at ${offset}: error code ${p.errorCode}`);
      const fresh = p.messages.filter((m: any) => Number(m.offset) >= offset && !m.isControlRecord);
      check(fresh.length > 0, `fetch at ${offset} returned nothing below the high watermark ${high}`);
      for (const m of fresh) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
        out.push({ offset: Number(m.offset), key: String(m.key), value: String(m.value), headers });
      }
      offset = out[out.length - 1].offset + 1;
    }
    return out;
  } finally {
    await cluster.disconnect();
  }
}

async function produceAndRead(name: string, producer: Producer, admin: Admin, compression: CompressionTypes) {
  const topic = topicName(name);
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  for (const partition of [0, 1, 2]) {
    const messages = Array.from({ length: 100 }, (_, i) => ({ partition, key: `k${partition}-${i}`, value: `v${partition}-${i}`, headers: { h: `p${partition}` } }));
    for (let i = 0; i < messages.length; i += 25) await producer.send({ topic, compression, acks: -1, messages: messages.slice(i, i + 25) });
  }
  for (const partition of [0, 1, 2]) {
    const got = await readPartition(topic, partition, admin);
    check(got.length === 100, `partition ${partition}: read ${got.length} of 100`);
    got.forEach((m, i) => {
      check(m.offset === i && m.key === `k${partition}-${i}` && m.value === `v${partition}-${i}` && m.headers.h === `p${partition}`,
        `partition ${partition} offset ${i}: got ${JSON.stringify(m)}`);
    });
  }
}

async function consumeAll(groupId: string, topic: string, want: number, fromBeginning: boolean, client = kafka): Promise<string[]> {
  const consumer = client.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500, rebalanceTimeout: 10000 });
  const seen: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.CRASH, (e: any) => reject(e.payload.error));
        consumer.run({
          autoCommitInterval: 100,
          eachMessage: async ({ message }) => {
            seen.push(String(message.value));
            if (seen.length >= want) resolve();
          },
        }).catch(reject);
      }),
      30000,
      `group ${groupId} consuming ${want} records (got ${seen.length})`,
    );
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

// The SASL_SSL listener compat/run.ts sets up (compat/security.ts): TLS trusting its test CA, SCRAM as its user.
class Skip extends Error {}
function saslSslClient(mechanism: 'scram-sha-256' | 'scram-sha-512', password = process.env.SCRAM_PASSWORD!): Kafka {
  const { SASL_SSL_BOOTSTRAP, SSL_CA, SCRAM_USER } = process.env;
  if (!SASL_SSL_BOOTSTRAP || !SSL_CA || !SCRAM_USER) throw new Skip('no SASL_SSL listener (SASL_SSL_BOOTSTRAP, SSL_CA, SCRAM_USER unset)');
  return new Kafka({
    clientId: `samsa-compat-kafkajs-${mechanism}`,
    brokers: SASL_SSL_BOOTSTRAP.split(','),
    ssl: { ca: [readFileSync(SSL_CA, 'utf8')] },
    sasl: { mechanism, username: SCRAM_USER, password } as any,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

const scenarios: Record<string, (p: Producer, a: Admin) => Promise<void | string>> = {
  'admin-create-list-topics': async (_p, admin) => {
    const topic = topicName('create');
    check(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }), 'createTopics returned false');
    check((await admin.listTopics()).includes(topic), 'listTopics misses the new topic');
    const again = await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    check(again === false, 'creating an existing topic again should report false (TOPIC_ALREADY_EXISTS)');
  },
  'admin-fetch-topic-metadata': async (_p, admin) => {
    const topic = topicName('meta');
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    check(topics.length === 1 && topics[0].partitions.length === 4, `metadata: ${JSON.stringify(topics)}`);
    check(topics[0].partitions.every((p) => p.leader >= 0 && p.replicas.length === 1), 'every partition needs a leader and one replica');
  },
  'admin-describe-cluster': async (_p, admin) => {
    const c = await admin.describeCluster();
    check(c.brokers.length === bootstrap!.split(',').length && c.controller !== null && !!c.clusterId, `describeCluster: ${JSON.stringify(c)}`);
  },
  'produce-fetch-by-partition': (p, a) => produceAndRead('plain', p, a, CompressionTypes.None),
  'produce-fetch-gzip': (p, a) => produceAndRead('gzip', p, a, CompressionTypes.GZIP),
  'idempotent-producer': async (_p, admin) => {
    const topic = topicName('idem');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (let i = 0; i < 5; i++) await producer.send({ topic, messages: Array.from({ length: 20 }, (_, j) => ({ partition: 0, value: `m${i * 20 + j}` })) });
    } finally {
      await producer.disconnect();
    }
    const got = await readPartition(topic, 0, admin);
    check(got.length === 100 && got.every((m, i) => m.value === `m${i}`), `read ${got.length} of 100 in order`);
  },
  'admin-fetch-topic-offsets': async (producer, admin) => {
    const topic = topicName('offsets');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await producer.send({ topic, messages: Array.from({ length: 7 }, (_, i) => ({ partition: 1, value: `${i}` })) });
    const offs = await admin.fetchTopicOffsets(topic);
    const p1 = offs.find((o) => o.partition === 1)!;
    const p0 = offs.find((o) => o.partition === 0)!;
    check(p1.high === '7' && p1.low === '0' && p0.high === '0', `offsets: ${JSON.stringify(offs)}`);
  },
  'admin-fetch-offsets-by-timestamp': async (producer, admin) => {
    const topic = topicName('bytime');
    const base = Date.now() - 100_000;
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `${i}`, timestamp: String(base + i * 1000) })) });
    const [at] = await admin.fetchTopicOffsetsByTimestamp(topic, base + 4500);
    check(at.offset === '5', `first offset at or after the 5th timestamp should be 5, got ${at.offset}`);
  },
  'admin-create-partitions': async (_p, admin) => {
    const topic = topicName('grow');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    check(topics[0].partitions.length === 3, `partitions after createPartitions: ${topics[0].partitions.length}`);
  },
  'admin-describe-configs': async (_p, admin) => {
    const topic = topicName('configs');
    await admin.createTopics({ topics: [{ topic, configEntries: [{ name: 'retention.ms', value: '123456' }] }], waitForLeaders: true });
    const res = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['retention.ms', 'cleanup.policy'] }], includeSynonyms: false });
    const entries = res.resources[0].configEntries;
    const get = (n: string) => entries.find((e) => e.configName === n)?.configValue;
    check(get('retention.ms') === '123456' && get('cleanup.policy') === 'delete', `configs: ${JSON.stringify(entries)}`);
  },
  'admin-alter-configs': async (_p, admin) => {
    const topic = topicName('alter');
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '777777' }] }] });
    const res = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }], includeSynonyms: false });
    check(res.resources[0].configEntries[0]?.configValue === '777777', `after alterConfigs: ${JSON.stringify(res.resources[0].configEntries)}`);
  },
  'admin-delete-records': async (producer, admin) => {
    const topic = topicName('delrec');
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `${i}` })) });
    await admin.fetchTopicMetadata({ topics: [topic] }); // deleteTopicRecords finds leaders in cached metadata only
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] });
    const [o] = await admin.fetchTopicOffsets(topic);
    check(o.low === '4' && o.high === '10', `after deleteRecords: ${JSON.stringify(o)}`);
  },
  'admin-delete-topics': async (_p, admin) => {
    const topic = topicName('delete');
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    await admin.deleteTopics({ topics: [topic], timeout: 10000 });
    // Deletion reaches the metadata cache a moment after the answer.
    for (let i = 0; (await admin.listTopics()).includes(topic); i++) {
      check(i < 100, 'topic still listed 20 s after deleteTopics');
      await new Promise((r) => setTimeout(r, 200));
    }
  },
  'consumer-group-consume': async (producer) => {
    const topic = topicName('group');
    await producer.send({ topic, messages: Array.from({ length: 30 }, (_, i) => ({ value: `g${i}` })) });
    const seen = await consumeAll(`compat-kafkajs-g1-${runId}`, topic, 30, true);
    check(seen.length === 30 && new Set(seen).size === 30, `consumed ${seen.length}, ${new Set(seen).size} distinct`);
  },
  'consumer-group-commit-resume': async (producer, admin) => {
    const topic = topicName('resume');
    const groupId = `compat-kafkajs-g2-${runId}`;
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `a${i}` })) });
    await consumeAll(groupId, topic, 10, true);
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    check(committed[0].partitions[0].offset === '10', `committed offset ${JSON.stringify(committed)}`);
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `b${i}` })) });
    const seen = await consumeAll(groupId, topic, 5, true);
    check(seen.join(',') === 'b0,b1,b2,b3,b4', `after resume: ${seen.join(',')}`);
  },
  'admin-list-describe-groups': async (producer, admin) => {
    const topic = topicName('groups');
    const groupId = `compat-kafkajs-g3-${runId}`;
    await producer.send({ topic, messages: [{ value: 'x' }] });
    await consumeAll(groupId, topic, 1, true);
    const { groups } = await admin.listGroups();
    check(groups.some((g) => g.groupId === groupId && g.protocolType === 'consumer'), `listGroups: ${JSON.stringify(groups)}`);
    const d = await admin.describeGroups([groupId]);
    check(d.groups[0].state === 'Empty', `describeGroups: ${JSON.stringify(d.groups[0])}`);
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] });
    const after = await admin.fetchOffsets({ groupId, topics: [topic] });
    check(after[0].partitions[0].offset === '0', `after setOffsets: ${JSON.stringify(after)}`);
    await admin.deleteGroups([groupId]);
  },
  'transactional-producer': async (_p, admin) => {
    const topic = topicName('txn');
    const producer = kafka.producer({ transactionalId: `compat-kafkajs-txn-${runId}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({ topic, messages: [{ partition: 0, value: 'committed' }] });
      await txn.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ partition: 0, value: 'aborted' }] });
      await aborted.abort();
      const last = await producer.transaction();
      await last.send({ topic, messages: [{ partition: 0, value: 'last' }] });
      await last.commit();
    } finally {
      await producer.disconnect();
    }
    // Three records and three markers; the coordinator writes the markers after answering EndTxn, so the
    // high watermark gets there a moment later.
    let high = '';
    for (let i = 0; i < 50 && high !== '6'; i++) {
      if (i) await new Promise((r) => setTimeout(r, 200));
      high = (await admin.fetchTopicOffsets(topic))[0].high;
    }
    check(high === '6', `high watermark 10 s after commit, abort, commit: ${high}`);
    // kafkajs consumers read committed (Fetch isolation_level 1) and drop aborted records by the
    // AbortedTransactions list of the fetch response.
    const seen = await consumeAll(`compat-kafkajs-txn-${runId}`, topic, 2, true);
    check(seen.join(',') === 'committed,last', `read_committed consumer saw ${seen.join(',')}`);
  },
  // Last: the first group a fresh Kafka sees may answer GROUP_LOAD_IN_PROGRESS while __consumer_offsets loads.
  // Each SCRAM mechanism: create a topic, produce over TLS, consume it with a group, all authenticated.
  'sasl-ssl-scram-produce-consume': async () => {
    for (const mechanism of ['scram-sha-256', 'scram-sha-512'] as const) {
      const client = saslSslClient(mechanism);
      const topic = topicName(`sasl-${mechanism}`);
      const admin = client.admin();
      const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await Promise.all([admin.connect(), producer.connect()]);
      try {
        check(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }), `${mechanism}: createTopics returned false`);
        const values = Array.from({ length: 20 }, (_, i) => `${mechanism}-${i}`);
        await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ key: `k${i}`, value })) });
        const seen = await consumeAll(`compat-kafkajs-sasl-${mechanism}-${runId}`, topic, values.length, true, client);
        check(seen.sort().join() === [...values].sort().join(), `${mechanism}: consumed ${seen.length} of ${values.length}: ${seen.join(',')}`);
      } finally {
        await Promise.allSettled([admin.disconnect(), producer.disconnect()]);
      }
    }
  },
  // A wrong password is refused with SASL_AUTHENTICATION_FAILED (kafkajs: KafkaJSSASLAuthenticationError).
  'sasl-ssl-scram-bad-password': async () => {
    const admin = saslSslClient('scram-sha-512', 'not-the-password').admin();
    try {
      await admin.connect();
      throw new Error('connected with a wrong password');
    } catch (e) {
      check((e as Error).name === 'KafkaJSSASLAuthenticationError', `expected KafkaJSSASLAuthenticationError, got ${(e as Error).name}: ${(e as Error).message}`);
    } finally {
      await admin.disconnect();
    }
  },
};

async function main() {
  const only = process.argv.slice(2);
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  await withTimeout(Promise.all([admin.connect(), producer.connect()]), 30000, 'connect');
  for (const [name, fn] of Object.entries(scenarios)) {
    if (only.length && !only.includes(name)) continue;
    try {
      await withTimeout(Promise.resolve(fn(producer, admin)), 45000, name);
      console.log(`PASS ${name}`);
    } catch (e) {
      if (e instanceof Skip) {
        console.log(`SKIP ${name} ${e.message}`);
        continue;
      }
      const err = e as Error & { type?: string; errors?: Error[]; partitions?: { error: Error & { type?: string } }[] };
      const inner = [...(err.errors ?? []), ...(err.partitions ?? []).map((p) => p.error)].map((x: any) => x.type ?? x.message).join(', ');
      console.log(`FAIL ${name} ${(err.type ? err.type + ': ' : '') + err.message}${inner ? ` (${inner})` : ''}`.replace(/\s+/g, ' ').slice(0, 400));
    }
  }
  await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  // A consumer left in a broken state can keep the event loop alive.
  process.exit(0);
}

main().catch((e) => {
  console.log(`FAIL connect ${(e as Error).message}`);
  process.exit(0);
});
