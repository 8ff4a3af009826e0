// Replica placement against Kafka 4.4.0 itself: every case in fixtures/striped-placement.json was
// placed by Kafka's StripedReplicaPlacer with `new Random(seed)` (compat/kafka/PlacementFixtures.java,
// run by compat/kafka/capture-placement.sh); samsa's placer with the same seed must answer the same
// replicas, or the same INVALID_REPLICATION_FACTOR message.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../src/protocol/errors.js';
import { JavaRandom } from '../../src/replica/java-random.js';
import { StripedReplicaPlacer, type UsableBroker } from '../../src/replica/placement.js';
import { KafkaError } from '../../src/storage/types.js';

interface Case {
  cluster: string;
  seed: number;
  partitions: number;
  replicationFactor: number;
  brokers: UsableBroker[];
  replicas?: number[][];
  error?: string;
  message?: string;
}

const cases: Case[] = JSON.parse(readFileSync(new URL('./fixtures/striped-placement.json', import.meta.url), 'utf8'));

t.test("java.util.Random's first draws, as the JDK documents its generator", async (t) => {
  // new Random(42).nextInt(10) five times on JDK 17 (jshell): 0 3 8 4 0.
  const r = new JavaRandom(42);
  t.same([0, 1, 2, 3, 4].map(() => r.nextInt(10)), [0, 3, 8, 4, 0]);
});

t.test('every Kafka placement case is placed identically', async (t) => {
  t.ok(cases.length > 500, `${cases.length} cases`);
  const differing: string[] = [];
  for (const c of cases) {
    const name = `${c.cluster} seed ${c.seed}: ${c.partitions} partitions x RF ${c.replicationFactor}`;
    let got: number[][] | KafkaError;
    try {
      got = new StripedReplicaPlacer(new JavaRandom(c.seed)).place({ numPartitions: c.partitions, numReplicas: c.replicationFactor }, c.brokers);
    } catch (e) {
      if (!(e instanceof KafkaError)) throw e;
      got = e;
    }
    if (c.replicas) {
      if (got instanceof KafkaError) differing.push(`${name}: ${got.message}`);
      else if (JSON.stringify(got) !== JSON.stringify(c.replicas)) differing.push(`${name}: ${JSON.stringify(got)} vs Kafka's ${JSON.stringify(c.replicas)}`);
    } else if (!(got instanceof KafkaError) || got.errorCode !== ErrorCode.INVALID_REPLICATION_FACTOR || got.message !== c.message) {
      differing.push(`${name}: ${got instanceof KafkaError ? got.message : JSON.stringify(got)} vs Kafka's ${c.message}`);
    }
  }
  t.same(differing.slice(0, 10), [], `${differing.length} of ${cases.length} differ`);
});

t.test('rack-aware: with three racks of three, every partition of RF 3 spans the three racks', async (t) => {
  const brokers = Array.from({ length: 9 }, (_, i) => ({ id: i, rack: 'abc'[i % 3], fenced: false }));
  const placed = new StripedReplicaPlacer().place({ numPartitions: 30, numReplicas: 3 }, brokers);
  t.same(placed.filter((r) => new Set(r.map((b) => b % 3)).size !== 3), []);
  const replicas = new Map<number, number>();
  for (const r of placed) for (const b of r) replicas.set(b, (replicas.get(b) ?? 0) + 1);
  t.same([...replicas.values()], Array(9).fill(10), 'ten replicas on every broker');
});
