// One round of "cut the leader off, let the majority go on, heal" on an in-process cluster, with
// what the checks need measured; shared by partition.test.ts (a few rounds) and torture.ts (many).
import type { ClusterNode, RunningCluster } from '../../src/node/cluster.js';
import { createTopic, createTopicOnce } from '../helpers/cluster-admin.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { sleep } from '../helpers/timeout.js';

/** Samples every running node's quorum view and remembers which nodes led each epoch. */
export class QuorumWatch {
  private readonly leaders = new Map<number, Set<number>>();
  samples = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly c: RunningCluster, everyMs = 20) {
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    this.samples++;
    for (const n of this.c.nodes) {
      const s = n.status();
      if (s?.role !== 'Leader') continue;
      let ids = this.leaders.get(s.epoch);
      if (!ids) this.leaders.set(s.epoch, (ids = new Set()));
      ids.add(n.nodeId);
    }
  }

  /** Epochs in which more than one node was seen leading. */
  doubleLeaders(): { epoch: number; leaders: number[] }[] {
    return [...this.leaders].filter(([, ids]) => ids.size > 1).map(([epoch, ids]) => ({ epoch, leaders: [...ids] }));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

/** Each running node's committed data batches as comparable strings, from `from` to below `to`. */
async function committedBatches(n: ClusterNode, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  await n.node!.metadata.metadataLog.read(from, (b) => {
    if (b.lastOffset < to) out.push(json({ baseOffset: b.baseOffset, lastOffset: b.lastOffset, epoch: b.epoch, records: b.records }));
  });
  return out;
}

/** Where the running nodes' logs differ below the high watermark they all reached (and how many batches were compared). */
export async function compareLogs(c: RunningCluster): Promise<{ differences: string[]; batches: number }> {
  const running = c.nodes.filter((n) => n.running);
  const to = Math.min(...running.map((n) => n.status()!.highWatermark));
  const from = Math.max(...running.map((n) => n.status()!.logStartOffset));
  const logs = await Promise.all(running.map((n) => committedBatches(n, from, to)));
  const diffs: string[] = [];
  for (let i = 1; i < logs.length; i++) {
    const a = logs[0];
    const b = logs[i];
    if (a.length !== b.length) diffs.push(`node ${running[0].nodeId} has ${a.length} batches in [${from}, ${to}), node ${running[i].nodeId} ${b.length}`);
    for (let k = 0; k < Math.min(a.length, b.length); k++) {
      if (a[k] !== b[k]) {
        diffs.push(`nodes ${running[0].nodeId} and ${running[i].nodeId} differ at batch ${k}: ${a[k].slice(0, 200)} vs ${b[k].slice(0, 200)}`);
        break;
      }
    }
  }
  return { differences: diffs, batches: logs[0].length };
}

export async function logDifferences(c: RunningCluster): Promise<string[]> {
  return (await compareLogs(c)).differences;
}

/** Waits until every running node has replayed what the leader committed, and they agree on the leader. */
export async function settled(c: RunningCluster, timeoutMs = 30_000): Promise<ClusterNode> {
  const view = () => c.nodes.map((n) => (n.running ? `${n.nodeId}: ${JSON.stringify(n.status())} replayed ${n.node!.metadata.replayedOffset}` : `${n.nodeId}: down`)).join('\n');
  return waitUntil(() => `the cluster settled; now:\n${view()}`, timeoutMs, () => {
    const leader = c.leader();
    const s = leader?.status();
    if (!leader || !s || s.highWatermark <= 0) return undefined;
    for (const n of c.nodes) {
      if (!n.running) continue;
      const ns = n.status()!;
      if (ns.leaderId !== leader.nodeId || ns.epoch !== s.epoch) return undefined;
      if (ns.highWatermark < s.highWatermark || n.node!.metadata.replayedOffset < s.highWatermark - 1) return undefined;
    }
    return leader;
  });
}

export interface RoundResult {
  oldLeader: number;
  oldEpoch: number;
  newLeader: number;
  newEpoch: number;
  /** The isolated leader's log end when cut off, and its high watermark just before healing. */
  minorityEndOffsetAtCut: number;
  minorityHighWatermarkAfter: number;
  /** The error code of the change sent to the isolated leader (-1: connection failed, -2: no answer in 20 s). */
  minorityCreateError: number;
  minorityTopicSeenOn: number[];
  logDifferences: string[];
  /** How many committed batches the comparison covered. */
  batchesCompared: number;
}

export async function partitionRound(c: RunningCluster, tag: string): Promise<RoundResult> {
  const old = await settled(c);
  const oldEpoch = old.status()!.epoch;
  // Entries the leader had before the cut may still commit (a follower may already hold them);
  // nothing appended after it may.
  const endBefore = old.status()!.endOffset;
  old.isolate();
  const minorityTopic = `minority-${tag}`;
  // Straight to its controller listener: no broker forwarding that would retry it after healing.
  const minorityCreate = old.controller
    ? Promise.race([createTopicOnce(old.controller, minorityTopic, 1, 3000).catch(() => -1), sleep(20_000).then(() => -2)])
    : Promise.resolve(-1);
  const others = c.nodes.filter((n) => n !== old && n.running);
  const next = await waitUntil('a leader on the majority side', 30_000, () => {
    for (const n of others) {
      const s = n.status();
      if (s?.role === 'Leader' && s.epoch > oldEpoch) return n;
    }
    return undefined;
  });
  await createTopic(others.filter((n) => n.bootstrap).map((n) => n.bootstrap!), `majority-${tag}`);
  const minorityCreateError = await minorityCreate;
  // Give the isolated node's own proposal time to (not) commit before measuring.
  await sleep(500);
  const hwAfter = old.status()!.highWatermark;
  c.faults.heal();
  await settled(c);
  return {
    oldLeader: old.nodeId,
    oldEpoch,
    newLeader: next.nodeId,
    newEpoch: next.status()!.epoch,
    minorityEndOffsetAtCut: endBefore,
    minorityHighWatermarkAfter: hwAfter,
    minorityCreateError,
    minorityTopicSeenOn: c.nodes.filter((n) => n.running && n.node!.metadata.image.topics.get(minorityTopic)).map((n) => n.nodeId),
    ...(await compareLogs(c).then((r) => ({ logDifferences: r.differences, batchesCompared: r.batches }))),
  };
}
