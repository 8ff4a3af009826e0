// Issue #14's Jepsen-style check, bounded for CI: 3 samsa processes, RF=3 and min.insync.replicas=2,
// Kafka 4.4.0's idempotent acks=all VerifiableProducer and a committing VerifiableConsumer group,
// while a partition leader and the active controller are kill -9'ed and restarted and a node is
// paused and resumed (SAMSA_JEPSEN_ROUNDS rounds, 3 by default; SAMSA_JEPSEN_SEED picks partitions).
import t from 'tap';
import { describe } from '../helpers/jepsen-checker.js';
import { jepsenRun } from '../helpers/jepsen-run.js';

const ROUNDS = Number(process.env.SAMSA_JEPSEN_ROUNDS ?? 3);
const SEED = Number(process.env.SAMSA_JEPSEN_SEED ?? Date.now() % 1_000_000);

t.setTimeout(240_000 + ROUNDS * 60_000);

t.test(`acks=all under leader/controller kill -9 and a paused node (seed ${SEED}): nothing lost, doubled or moved; offsets forward; logs identical`, async (t) => {
  const r = await jepsenRun(t, { rounds: ROUNDS, seed: SEED, progress: (l) => t.comment(l) });
  const ctx = `seed ${SEED}; ${r.faults.join('; ')}`;
  t.ok(r.producerExit === 0 || r.producerExit === 143, `the producer closed cleanly on SIGTERM (exit ${r.producerExit})`);
  t.ok(r.acked > 0 && r.sendErrors.length === 0, `${r.acked} acknowledged, ${r.sendErrors.length} failed ${r.sendErrors.slice(0, 3).join('; ')}`);
  t.ok(r.consumerEvents > 0, 'the consumer reported polls and commits');
  const a = r.anomalies;
  const failed = Object.values(a).some((v) => v.length > 0);
  t.same(a.lost, [], `no acknowledged write lost (${ctx})`);
  t.same(a.duplicates, [], 'no duplicates');
  t.same(a.moved, [], 'every acknowledged write at its acknowledged offset, in the log and as polled');
  t.same(a.pollBackwards, [], "a consumer's polled offsets never go backwards within an assignment");
  t.same(a.commitBackwards, [], "the consumer's committed offsets never go backwards");
  t.same(a.unseen, [], 'the consumer polled every acknowledged write');
  for (const p of r.identical) t.ok(p.same, `partition ${p.partition}: every replica's log files hold the same bytes (${p.sizes.join('/')})`);
  if (failed || r.identical.some((p) => !p.same)) t.comment(`anomalies: ${describe(a)}\n${r.nodeLogs()}`);
});
