// Exactly-once across broker crashes, as Kafka's system test transactions_test.py checks it: Apache Kafka
// 4.4.0's VerifiableProducer fills an input topic; Kafka's TransactionalMessageCopier copies it to a
// 3-partition output topic in transactions that also commit the consumer's offsets (sendOffsetsToTransaction
// with the group metadata); the broker is kill -9'ed and restarted (same port, same data) ROUNDS times while
// it copies (SAMSA_COPIER_ROUNDS, default 3); a read_committed console consumer then must see every input
// record exactly once.
// A copier that gives up on an error (it exits 1 when an abort fails) is started again, as the system test
// bounces copiers: the transactional id fences the old one and the committed offsets say where to resume.
// TXN_E2E_TARGET=kafka runs the same against Apache Kafka 4.4.0 (compat/kafka/broker.sh).
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { installKafkaJars, javaTool, startTarget, TARGET } from './target.js';

/** Broker kills (SAMSA_COPIER_ROUNDS for a longer run); 1500 records a round plus 1500. */
const ROUNDS = Number(process.env.SAMSA_COPIER_ROUNDS ?? 3);
const MESSAGES = 1500 * (ROUNDS + 1);
const missing = installKafkaJars();
t.setTimeout(120_000 + ROUNDS * 60_000);

t.test(`TransactionalMessageCopier while ${TARGET} is kill -9'ed ${ROUNDS} times: every input record once in the committed output`, async (t) => {
  if (missing) return t.fail(missing);
  const target = await startTarget(t);
  const input = 'copier-in';
  const output = 'copier-out';
  const admin = new Kafka({ brokers: [target.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: input, numPartitions: 1 }, { topic: output, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();

  const produced = await javaTool('org.apache.kafka.tools.VerifiableProducer', ['--bootstrap-server', target.bootstrap, '--topic', input, '--max-messages', String(MESSAGES), '--acks', '-1']).done;
  const acked = produced.out.split('\n').filter((l) => l.includes('"producer_send_success"')).map((l) => JSON.parse(l).value as string);
  t.equal(acked.length, MESSAGES, 'VerifiableProducer: every record acknowledged');

  // Progress = records committed overall: MESSAGES - the copier's `remaining` (counted from the committed
  // offset at its start).
  let progress = 0;
  let copiers = 0;
  const copierArgs = ['--broker-list', target.bootstrap, '--transactional-id', 'copier-1', '--input-topic', input, '--input-partition', '0',
    '--output-topic', output, '--consumer-group', 'copier-group', '--transaction-size', '100', '--transaction-timeout', '30000', '--use-group-metadata'];
  const startCopier = () => {
    copiers++;
    return javaTool('org.apache.kafka.tools.TransactionalMessageCopier', copierArgs, (line) => {
      if (!line.startsWith('{')) return;
      const s = JSON.parse(line) as { stage: string; remaining: number };
      if (s.stage === 'ProcessLoop' && s.remaining <= MESSAGES) progress = MESSAGES - s.remaining;
    }, 240_000);
  };
  let copier = startCopier();
  let exit: { code: number | null; out: string; err: string } | null = null;
  const watch = () => copier.done.then((r) => (exit = r));
  watch();

  const deadline = Date.now() + ROUNDS * 60_000;
  let kills = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const at = Math.floor((MESSAGES * round) / (ROUNDS + 1));
    while (progress < at && exit === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (exit !== null) break;
    await target.kill9();
    kills++;
    t.pass(`round ${round}: ${TARGET} killed with ${progress} of ${MESSAGES} records copied`);
    await new Promise((r) => setTimeout(r, 500));
    await target.restart();
  }
  // The copier runs to the end; one that gave up starts again (three runs at most).
  for (;;) {
    await copier.done;
    const e = exit as { code: number | null; out: string; err: string } | null;
    if (e?.code === 0 || copiers >= 3 || Date.now() > deadline) break;
    t.comment(`copier exited ${e?.code}: ${(e?.err ?? '').split('\n').find((l) => /Shutting down|Exception/.test(l)) ?? ''}`);
    exit = null;
    copier = startCopier();
    watch();
  }
  t.equal(kills, ROUNDS, `${TARGET} was killed ${ROUNDS} times while the copier ran`);
  const last = exit as { code: number | null; out: string; err: string } | null;
  t.equal(last?.code, 0, `the copier finished (${copiers} copier run(s))`, { err: last?.err.slice(-3000) });
  t.ok(copiers <= 2, `the copier survived the broker kills or needed one restart (${copiers} run(s))`);

  // Every committed output record: a read_committed consumer until 10 s pass without one.
  const read = await javaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', ['--bootstrap-server', target.bootstrap, '--topic', output,
    '--from-beginning', '--isolation-level', 'read_committed', '--timeout-ms', '10000', '--group', 'copier-check'], () => {}, 120_000).done;
  const values = read.out.split('\n').filter((l) => l !== '');
  const count = new Map<string, number>();
  for (const v of values) count.set(v, (count.get(v) ?? 0) + 1);
  const missingValues = acked.filter((v) => !count.has(v));
  const duplicated = [...count].filter(([, n]) => n > 1).map(([v]) => v);
  const unknown = [...count.keys()].filter((v) => !acked.includes(v));
  t.equal(values.length, MESSAGES, 'as many committed output records as input records', { err: read.err.slice(-2000) });
  t.same({ missing: missingValues.slice(0, 20), duplicated: duplicated.slice(0, 20), unknown: unknown.slice(0, 20) }, { missing: [], duplicated: [], unknown: [] },
    'every input record exactly once in the committed output');
  if (!t.passing()) t.comment(target.log().slice(-4000));
});
