// The long Jepsen-style run of issue #14 (jepsen.test.ts is its bounded CI form): 3 samsa
// processes, Kafka 4.4.0's idempotent acks=all VerifiableProducer and a committing VerifiableConsumer,
// many rounds of leader kill -9, active-controller kill -9, a paused node and (--netns, root: each
// node in its own network namespace) a node cut off by a network partition; exits 1 on any anomaly.
//   node --import tsx test/cluster/jepsen-torture.ts [--rounds 30] [--seed N] [--netns]
import { describe } from '../helpers/jepsen-checker.js';
import { jepsenRun } from '../helpers/jepsen-run.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const rounds = arg('rounds', Number(process.env.SAMSA_JEPSEN_ROUNDS ?? 30));
const seed = arg('seed', Date.now() % 1_000_000);
const netns = process.argv.includes('--netns');
const teardowns: (() => unknown)[] = [];

async function main(): Promise<number> {
  process.stdout.write(`jepsen torture: ${rounds} rounds, seed ${seed}${netns ? ', network namespaces' : ''}\n`);
  const r = await jepsenRun({ teardown: (fn) => void teardowns.push(fn) }, { rounds, seed, netns, progress: (l) => process.stdout.write(`${l}\n`) });
  const problems: string[] = [];
  if (r.sendErrors.length) problems.push(`${r.sendErrors.length} sends failed: ${r.sendErrors.slice(0, 3).join('; ')}`);
  const found = describe(r.anomalies);
  if (found !== 'none') problems.push(`anomalies: ${found}`);
  for (const p of r.identical) if (!p.same) problems.push(`partition ${p.partition}: replicas' logs differ (${p.sizes.join('/')} bytes)`);
  process.stdout.write(`${r.acked} acknowledged, ${r.consumerEvents} consumer events, ${rounds} rounds\n`);
  if (problems.length === 0) {
    process.stdout.write('jepsen torture: no anomalies\n');
    return 0;
  }
  process.stdout.write(`FAIL seed ${seed}\n${r.faults.join('\n')}\n${problems.join('\n')}\n${r.nodeLogs()}\n`);
  return 1;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  process.stdout.write(`FAIL seed ${seed}: ${(e as Error).stack}\n`);
} finally {
  for (const fn of teardowns.reverse()) await Promise.resolve(fn()).catch(() => {});
}
process.exit(code);
