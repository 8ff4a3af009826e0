// Issue #14's Jepsen-style check with network partitions: as jepsen.test.ts, but each samsa process
// runs in its own network namespace (root and iproute2 needed), so besides leader and controller
// kill -9s and a paused node, the leader of a partition is cut off from nodes and clients (its link
// down) and healed (SAMSA_JEPSEN_ROUNDS rounds, 4 by default; SAMSA_JEPSEN_SEED picks partitions).
import t from 'tap';
import { describe } from '../helpers/jepsen-checker.js';
import { jepsenRun } from '../helpers/jepsen-run.js';

const ROUNDS = Number(process.env.SAMSA_JEPSEN_ROUNDS ?? 4);
const SEED = Number(process.env.SAMSA_JEPSEN_SEED ?? Date.now() % 1_000_000);

t.setTimeout(240_000 + ROUNDS * 60_000);

t.test(`acks=all under kill -9s, a network partition and a pause (seed ${SEED}): nothing lost, doubled or moved; offsets forward; logs identical`, async (t) => {
  const r = await jepsenRun(t, { rounds: ROUNDS, seed: SEED, netns: true, progress: (l) => t.comment(l) });
  const ctx = `seed ${SEED}; ${r.faults.join('; ')}`;
  t.ok(r.faults.some((f) => f.includes('partition ') && f.includes(': partition')), 'a network partition was among the faults');
  t.ok(r.producerExit === 0 || r.producerExit === 143, `the producer closed cleanly on SIGTERM (exit ${r.producerExit})`);
  t.ok(r.acked > 0 && r.sendErrors.length === 0, `${r.acked} acknowledged, ${r.sendErrors.length} failed ${r.sendErrors.slice(0, 3).join('; ')}`);
  const a = r.anomalies;
  t.same(a.lost, [], `no acknowledged write lost (${ctx})`);
  t.same(a.duplicates, [], 'no duplicates');
  t.same(a.moved, [], 'every acknowledged write at its acknowledged offset, in the log and as polled');
  t.same(a.pollBackwards, [], "a consumer's polled offsets never go backwards within an assignment");
  t.same(a.commitBackwards, [], "the consumer's committed offsets never go backwards");
  t.same(a.unseen, [], 'the consumer polled every acknowledged write');
  for (const p of r.identical) t.ok(p.same, `partition ${p.partition}: every replica's log files hold the same bytes (${p.sizes.join('/')})`);
  if (Object.values(a).some((v) => v.length > 0) || r.identical.some((p) => !p.same)) t.comment(`anomalies: ${describe(a)}\n${r.nodeLogs()}`);
});
