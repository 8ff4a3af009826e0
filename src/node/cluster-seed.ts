// startCluster({ topics }): the seed topics created through a broker (which asks the active
// controller) and their records produced with acks=all to each partition's leader through its own
// Produce handler, so leader epochs, replication and the high watermark are those of a client's
// produce. Resolves once every running broker's metadata has the topics.
import type { Broker } from '../broker.js';
import { HANDLERS } from '../handlers/registry.js';
import { inProcessRequests } from '../http/console/source.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import type { ProduceResponse } from '../protocol/generated/produce-response.js';
import { buildBatch } from '../protocol/records/records.js';
import { seedRecordsByPartition, type SeedTopic } from '../seed.js';
import { KafkaError } from '../storage/types.js';

/** Errors that mean nothing was appended yet: the leader is moving or not ready, ask again. */
const NOT_YET = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_CONTROLLER,
]);

const RETRY_MS = 100;

export interface ClusterSeedOptions {
  /** The running brokers (broker role of the running nodes). */
  brokers(): Broker[];
  /** Replication factor of topics that name none; undefined leaves it to default.replication.factor. */
  replicationFactor: number | undefined;
  /** How long seeding may take in all. */
  timeoutMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function seedCluster(o: ClusterSeedOptions, topics: readonly SeedTopic[]): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  /** Runs `step` until it returns a value, retrying on NOT_YET errors until the deadline. */
  const retry = async <T>(what: string, step: () => Promise<T | undefined>): Promise<T> => {
    let last = 'no broker is running';
    for (;;) {
      try {
        const v = await step();
        if (v !== undefined) return v;
      } catch (e) {
        if (!(e instanceof KafkaError) || !NOT_YET.has(e.errorCode)) throw e;
        last = e.message;
      }
      if (Date.now() > deadline) throw new Error(`seed: ${what} not done within ${o.timeoutMs} ms (${last})`);
      await sleep(RETRY_MS);
    }
  };
  const anyBroker = () => o.brokers()[0];

  for (const t of topics) {
    const partitions = await retry(`creating ${t.name}`, async () => {
      const b = anyBroker();
      if (!b) return undefined;
      const n = t.partitions ?? b.config.number('num.partitions');
      await b.createTopic(t.name, n, t.configs ?? {}, t.replicationFactor ?? o.replicationFactor);
      return n;
    });
    for (const [p, records] of seedRecordsByPartition(t, partitions)) {
      const batch = buildBatch({ records });
      await retry(`producing to ${t.name}-${p}`, async () => {
        const leaderId = anyBroker()?.image.topics.get(t.name)?.registrations.get(p)?.leader ?? -1;
        const leader = o.brokers().find((b) => b.nodeId === leaderId);
        if (!leader) return undefined;
        const produce = inProcessRequests(leader, () => HANDLERS, () => leader.advertisedEndpoints[0].name);
        const res = await produce<ProduceResponse>(0, 12, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 30_000,
          topicData: [{ name: t.name, partitionData: [{ index: p, records: batch }] }],
        });
        const r = res.responses[0].partitionResponses[0];
        if (r.errorCode === ErrorCode.NONE) return true;
        throw new KafkaError(r.errorCode, `${t.name}-${p}: ${errorName(r.errorCode)}${r.errorMessage ? `: ${r.errorMessage}` : ''}`);
      });
    }
  }
  // Any broker a client bootstraps from knows the seeded topics.
  await retry('every broker seeing the seeded topics', async () => (o.brokers().every((b) => topics.every((t) => b.image.topics.get(t.name) !== undefined)) ? true : undefined));
}
