// Exactly-once across broker crashes in a cluster, as Kafka's transactions_test.py (hard_bounce, brokers)
// checks it: three samsa processes, input and output topics with replication factor 3 and
// min.insync.replicas=2; Kafka 4.4.0's TransactionalMessageCopier copies a VerifiableProducer's topic while
// the broker coordinating its transactional id (FindCoordinator key type 1, the leader of its
// __transaction_state partition) is kill -9'ed; the copy must go on with that node down (the coordinator
// moves with the partition's leadership, markers go to the partitions' new leaders) before the node is
// restarted. A read_committed console consumer then must see every input record exactly once.
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startProcCluster, type ProcCluster } from '../helpers/cluster-procs.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { codecRequest } from '../metadata/helpers.js';
import { installKafkaJars, javaTool } from './target.js';

/** Coordinator kills (SAMSA_COPIER_ROUNDS for a longer run); 3000 records a round plus 3000. */
const ROUNDS = Number(process.env.SAMSA_COPIER_ROUNDS ?? 2);
const MESSAGES = 3000 * (ROUNDS + 1);
const TXN_ID = 'copier-cluster';
const missing = installKafkaJars();
t.setTimeout(150_000 + ROUNDS * 60_000);

/** The broker that coordinates TXN_ID, as a live broker answers FindCoordinator v4. */
async function coordinatorOf(c: ProcCluster): Promise<number> {
  return waitUntil(`a coordinator for ${TXN_ID}`, 60_000, async () => {
    for (const n of c.nodes.filter((x) => x.alive && x.spec.port !== null)) {
      const r = await codecRequest('127.0.0.1', n.spec.port!, 'FindCoordinator', 4, { keyType: 1, coordinatorKeys: [TXN_ID] }).catch(() => null);
      const co = r?.coordinators?.[0];
      if (co && co.errorCode === 0 && c.node(co.nodeId).alive) return co.nodeId as number;
    }
    return undefined;
  });
}

t.test(`TransactionalMessageCopier on 3 nodes while its coordinator is kill -9'ed ${ROUNDS} times: every input record once`, async (t) => {
  if (missing) return t.fail(missing);
  const c = await startProcCluster(t, { nodes: 3, config: { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500', 'replica.lag.time.max.ms': '3000' } });
  const input = 'copier-in';
  const output = 'copier-out';
  const admin = new Kafka({ brokers: c.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const configEntries = [{ name: 'min.insync.replicas', value: '2' }];
  await admin.createTopics({ topics: [{ topic: input, numPartitions: 1, replicationFactor: 3, configEntries }, { topic: output, numPartitions: 3, replicationFactor: 3, configEntries }], waitForLeaders: true });
  await admin.disconnect();

  const produced = await javaTool('org.apache.kafka.tools.VerifiableProducer', ['--bootstrap-server', c.bootstrap, '--topic', input, '--max-messages', String(MESSAGES), '--acks', '-1']).done;
  const acked = produced.out.split('\n').filter((l) => l.includes('"producer_send_success"')).map((l) => JSON.parse(l).value as string);
  t.equal(acked.length, MESSAGES, 'VerifiableProducer: every record acknowledged');

  let progress = 0;
  let copiers = 0;
  type Exit = { code: number | null; out: string; err: string };
  let exit: Exit | null = null;
  const copierArgs = ['--broker-list', c.bootstrap, '--transactional-id', TXN_ID, '--input-topic', input, '--input-partition', '0',
    '--output-topic', output, '--consumer-group', 'copier-cluster-group', '--transaction-size', '100', '--transaction-timeout', '30000', '--use-group-metadata'];
  const startCopier = () => {
    copiers++;
    const run = javaTool('org.apache.kafka.tools.TransactionalMessageCopier', copierArgs, (line) => {
      if (!line.startsWith('{')) return;
      const s = JSON.parse(line) as { stage: string; remaining: number };
      if (s.stage === 'ProcessLoop' && s.remaining <= MESSAGES) progress = MESSAGES - s.remaining;
    }, 300_000);
    run.done.then((r) => (exit = r));
    return run;
  };
  let copier = startCopier();

  const deadline = Date.now() + ROUNDS * 90_000;
  let kills = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const at = Math.floor((MESSAGES * round) / (ROUNDS + 1));
    // Looked up first: the copy is fast, the kill must land near `at`.
    const victim = await coordinatorOf(c);
    while (progress < at && exit === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (exit !== null) break;
    await c.node(victim).kill9();
    kills++;
    const before = progress;
    t.pass(`round ${round}: coordinator broker ${victim} killed with ${before} of ${MESSAGES} records copied`);
    // With the coordinator's node down the copy goes on: another broker takes its __transaction_state partition.
    await waitUntil(() => `round ${round}: transactions committed with broker ${victim} down (still ${progress})`, 90_000, () => exit !== null || progress >= Math.min(before + 300, MESSAGES));
    t.pass(`round ${round}: ${progress - before} more records committed with broker ${victim} down, coordinator now ${await coordinatorOf(c)}`);
    await c.node(victim).restart();
  }
  t.equal(kills, ROUNDS, `the coordinator was killed ${ROUNDS} times while the copier ran`);
  for (;;) {
    await copier.done;
    const e = exit as Exit | null;
    if (e?.code === 0 || copiers >= 3 || Date.now() > deadline) break;
    t.comment(`copier exited ${e?.code}: ${(e?.err ?? '').split('\n').find((l) => /Shutting down|Exception/.test(l)) ?? ''}`);
    exit = null;
    copier = startCopier();
  }
  const last = exit as Exit | null;
  t.equal(last?.code, 0, `the copier finished (${copiers} copier run(s))`, { err: last?.err.slice(-3000) });

  const read = await javaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', ['--bootstrap-server', c.bootstrap, '--topic', output,
    '--from-beginning', '--isolation-level', 'read_committed', '--timeout-ms', '10000', '--group', 'copier-cluster-check'], () => {}, 120_000).done;
  const values = read.out.split('\n').filter((l) => l !== '');
  const count = new Map<string, number>();
  for (const v of values) count.set(v, (count.get(v) ?? 0) + 1);
  const inInput = new Set(acked);
  t.equal(values.length, MESSAGES, 'as many committed output records as input records', { err: read.err.slice(-2000) });
  t.same({
    missing: acked.filter((v) => !count.has(v)).slice(0, 20),
    duplicated: [...count].filter(([, n]) => n > 1).map(([v]) => v).slice(0, 20),
    unknown: [...count.keys()].filter((v) => !inInput.has(v)).slice(0, 20),
  }, { missing: [], duplicated: [], unknown: [] }, 'every input record exactly once in the committed output');
  if (!t.passing()) for (const n of c.nodes) t.comment(`node ${n.nodeId}:\n${n.log().slice(-3000)}`);
});
