// A consumer's Fetch v11 on a cluster as Kafka answers it off the leader: a broker that hosts no
// replica of an existing partition says NOT_LEADER_OR_FOLLOWER (the client refreshes metadata; it
// said UNKNOWN_TOPIC_OR_PARTITION), and a follower asked past its log end says OFFSET_OUT_OF_RANGE.
import t from 'tap';
import { createRequire } from 'node:module';
import { Kafka, logLevel } from 'kafkajs';
import { startCluster } from '../../src/node/cluster.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-var-requires */
const KjsCluster = require('kafkajs/src/cluster');
const { createLogger, LEVELS } = require('kafkajs/src/loggers');
const LoggerConsole = require('kafkajs/src/loggers/console');
const defaultSocketFactory = require('kafkajs/src/network/socketFactory');

t.setTimeout(180_000);

/** The partition error a broker's Fetch v11 answers, as kafkajs names it. */
async function fetchError(broker: { fetch(req: unknown): Promise<{ responses: { partitions: { errorCode: number }[] }[] }> }, topic: string, fetchOffset: number): Promise<string> {
  try {
    const r = await broker.fetch({ replicaId: -1, maxWaitTime: 100, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: String(fetchOffset), maxBytes: 1 << 20 }] }] });
    return `error code ${r.responses[0].partitions[0].errorCode}`;
  } catch (e) {
    return (e as { type?: string }).type ?? String(e);
  }
}

t.test('NOT_LEADER_OR_FOLLOWER from a broker without a replica, OFFSET_OUT_OF_RANGE past a follower\'s log end', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t) });
  t.teardown(() => c.close());
  await waitUntil('a quorum leader', 30_000, () => c.leader());
  const kafka = new Kafka({ brokers: c.bootstrap.split(','), clientId: 'ff-errors', logLevel: logLevel.NOTHING, connectionTimeout: 10_000 });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic: 'solo', numPartitions: 1, replicationFactor: 1 }, { topic: 'trio', numPartitions: 1, replicationFactor: 3 }] });
  const regs = await waitUntil('both topics led, in every image', 30_000, () => {
    const rs = ['solo', 'trio'].map((n) => c.node(1).node!.metadata.image.topics.get(n)?.registrations.get(0));
    if (rs.some((r) => !r || r.leader < 0 || r.isr.length !== r.replicas.length)) return undefined;
    if (!c.nodes.every((n) => n.node!.metadata.image.topics.get('solo') && n.node!.metadata.image.topics.get('trio'))) return undefined;
    return rs as NonNullable<(typeof rs)[number]>[];
  });
  const kc = new KjsCluster({ logger: createLogger({ level: LEVELS.NOTHING, logCreator: LoggerConsole }), socketFactory: defaultSocketFactory(), brokers: c.bootstrap.split(','), clientId: 'ff-raw', connectionTimeout: 10_000, requestTimeout: 10_000, retry: { retries: 0 } });
  await kc.connect();
  t.teardown(() => kc.disconnect());
  await kc.refreshMetadata();

  const stranger = c.nodes.find((n) => !regs[0].replicas.includes(n.nodeId))!.nodeId;
  // kafkajs still calls error 6 by its old name.
  t.equal(await fetchError(await kc.findBroker({ nodeId: String(stranger) }), 'solo', 0), 'NOT_LEADER_FOR_PARTITION');
  const follower = regs[1].replicas.find((id) => id !== regs[1].leader)!;
  await waitUntil('the follower following', 30_000, () => c.node(follower).node!.broker!.replicas!.checkFetch('trio', 0, -1, true).errorCode === 0);
  t.equal(await fetchError(await kc.findBroker({ nodeId: String(follower) }), 'trio', 5), 'OFFSET_OUT_OF_RANGE');
  t.equal(await fetchError(await kc.findBroker({ nodeId: String(stranger) }), 'nope', 0), 'UNKNOWN_TOPIC_OR_PARTITION', 'an unknown topic stays unknown');
});
