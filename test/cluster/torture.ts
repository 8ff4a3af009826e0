// Cluster torture: a 3-node in-process cluster (startCluster) under random faults for as long as
// asked: the leader cut off (partitionRound's checks), any node killed and restarted, one direction
// of a link dropped, with metadata changes going on. After every step: no epoch had two leaders,
// no two nodes published different images at one offset, logs agree once settled.
//   node --import tsx test/cluster/torture.ts [--seconds 300] [--seed N]
import { startCluster } from '../../src/node/cluster.js';
import { createTopic } from '../helpers/cluster-admin.js';
import { ImageLedger } from '../helpers/cluster-images.js';
import { sleep } from '../helpers/timeout.js';
import { logDifferences, partitionRound, QuorumWatch, settled } from './partition-round.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const seconds = arg('seconds', Number(process.env.SAMSA_CLUSTER_TORTURE_SECONDS ?? 120));
const initialSeed = arg('seed', Date.now() % 1_000_000);
let seed = initialSeed;
// The fault schedule's own PRNG, so a run's sequence of faults can be asked for again (timing still varies).
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];

const failures: string[] = [];
const fail = (what: string) => {
  failures.push(what);
  process.stdout.write(`FAIL ${what}\n`);
};

async function main(): Promise<void> {
  process.stdout.write(`cluster torture: ${seconds} s, seed ${initialSeed}\n`);
  const ledger = new ImageLedger();
  const c = await startCluster({ nodes: 3, publishers: (id) => [ledger.publisher(id)] });
  const watch = new QuorumWatch(c);
  const counts = { partitions: 0, kills: 0, drops: 0, topics: 0 };
  const deadline = Date.now() + seconds * 1000;
  try {
    let step = 0;
    while (Date.now() < deadline && failures.length === 0) {
      step++;
      const fault = pick(['partition', 'kill', 'drop']);
      if (fault === 'partition') {
        const r = await partitionRound(c, `s${step}`);
        counts.partitions++;
        if (r.minorityHighWatermarkAfter > r.minorityEndOffsetAtCut) fail(`step ${step}: isolated leader ${r.oldLeader} committed past its cut (${r.minorityHighWatermarkAfter} > ${r.minorityEndOffsetAtCut})`);
        if (r.minorityTopicSeenOn.length > 0) fail(`step ${step}: the minority's change reached ${r.minorityTopicSeenOn}`);
        for (const d of r.logDifferences) fail(`step ${step}: ${d}`);
      } else if (fault === 'kill') {
        const victim = pick(c.nodes.filter((n) => n.running));
        await victim.kill();
        counts.kills++;
        const brokers = c.nodes.filter((n) => n.running && n.bootstrap).map((n) => n.bootstrap!);
        await createTopic(brokers, `k${step}`, 60_000);
        counts.topics++;
        await sleep(random() * 1000);
        await victim.restart();
        await settled(c, 60_000);
        for (const d of await logDifferences(c)) fail(`step ${step}: ${d}`);
      } else {
        const [a, b] = [pick(c.nodes), pick(c.nodes)];
        if (a === b) continue;
        c.faults.drop(a.nodeId, b.nodeId);
        counts.drops++;
        const brokers = c.nodes.filter((n) => n.running && n.bootstrap).map((n) => n.bootstrap!);
        await createTopic(brokers, `d${step}`, 60_000);
        counts.topics++;
        c.faults.heal();
        await settled(c, 60_000);
        for (const d of await logDifferences(c)) fail(`step ${step}: ${d}`);
      }
      for (const d of watch.doubleLeaders()) fail(`epoch ${d.epoch} had leaders ${d.leaders}`);
      for (const d of ledger.disagreements()) fail(`offset ${d.offset}: nodes published different images ${JSON.stringify(d.versions)}`);
      process.stdout.write(`step ${step} (${fault}) ok\n`);
    }
  } finally {
    watch.stop();
    await c.close();
  }
  process.stdout.write(
    `cluster torture: ${counts.partitions} partitions, ${counts.kills} kills, ${counts.drops} dropped links, ` +
      `${counts.topics + counts.partitions} topics; ${watch.samples} quorum samples, ${ledger.sharedOffsets()} offsets compared; ` +
      `${failures.length} failures (seed ${initialSeed})\n`,
  );
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((e) => {
  process.stdout.write(`cluster torture crashed: ${(e as Error).stack}\n`);
  process.exit(1);
});
