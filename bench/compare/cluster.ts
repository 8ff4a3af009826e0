// `npm run bench:compare -- --only cluster`: 3 samsa nodes against 3 Apache Kafka 4.4.0 nodes on this
// machine, one cluster at a time (six processes at once would starve two cores): produce throughput and
// p99 with Kafka's ProducerPerformance at RF=3 acks=all (min.insync.replicas=2), then failover time
// (partition leader kill -9 to the first successful acks=all produce, median of a few kills per round).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { CompareOptions, System } from './args.js';
import { removeDir } from './brokers.js';
import { chart } from './chart.js';
import { startKafkaCluster, startSamsaCluster, type BenchCluster } from './cluster-nodes.js';
import { awaitBrokers, createReplicatedTopic, failoverOnce, type FailoverFigure } from './failover.js';
import { producerPerformance, type ProduceFigures } from './java-tools.js';
import { median } from '../report.js';
import { markdown, summarise, table, type Row } from './report.js';

const say = (s: string) => process.stderr.write(`compare: ${s}\n`);
const PARTITIONS = 3;
const RECORD_SIZE = 1024;
const TOPIC_CONFIGS = { 'min.insync.replicas': '2' };
/** A kill whose produce has not succeeded by then is recorded as a failure. */
const FAILOVER_GIVE_UP_MS = 120_000;

/** Settings both clusters share: a new group rebalances at once, a small offsets topic. */
const COMMON = { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3' };

interface ClusterRun {
  system: System;
  round: number;
  workload: string;
  figures: ProduceFigures | FailoverFigure | null;
  error?: string;
  load1: number;
}

export interface ClusterVersions {
  commit: string | null;
  java: string | null;
  kafka: string | null;
}

function rows(o: CompareOptions): Map<string, Row> {
  const m = new Map<string, Row>();
  const add = (id: string, label: string, unit: Row['unit'], better: Row['better'], mb: boolean, goal: number | null = 1) =>
    m.set(id, { id, section: 'cluster', label, unit, better, goal, samsa: [], kafka: [], ...(mb ? { samsaMBps: [], kafkaMBps: [] } : {}) });
  add('cluster-produce', `3 nodes: produce 1KiB ${PARTITIONS}p RF=3 acks=all`, 'records/s', 'higher', true);
  add('cluster-p99', `3 nodes: produce p99 (${(o.clusterRecords / 1000).toFixed(0)}k x 1KiB, RF=3 acks=all)`, 'ms', 'lower', false);
  add('cluster-failover', `3 nodes: leader kill -9 to first acks=all produce (median of ${o.clusterKills})`, 'ms', 'lower', false);
  // What the failover time is made of (no goal of their own): the election as Metadata shows it, and
  // every kill by whether the active controller died with the leader (a quorum election comes first).
  add('cluster-failover-seen', `3 nodes: leader kill -9 to the new leader in Metadata (median of ${o.clusterKills})`, 'ms', 'lower', false, null);
  add('cluster-failover-leader', '3 nodes: kill -9 of a leader not the active controller, to first ack (each kill)', 'ms', 'lower', false, null);
  add('cluster-failover-controller', '3 nodes: kill -9 of a leader also the active controller, to first ack (each kill)', 'ms', 'lower', false, null);
  return m;
}

async function oneCluster(o: CompareOptions, root: string, work: string, system: System, r: number, table: Map<string, Row>, runs: ClusterRun[], live: Set<BenchCluster>): Promise<void> {
  const brokerSh = join(root, 'compat', 'kafka', 'broker.sh');
  const dir = join(work, `${system}-cluster-r${r}`);
  const c = system === 'samsa' ? await startSamsaCluster(root, dir, COMMON) : await startKafkaCluster(brokerSh, dir, COMMON);
  live.add(c);
  const note = (workload: string, figures: ClusterRun['figures'], error?: string) => runs.push({ system, round: r, workload, figures, ...(error ? { error } : {}), load1: os.loadavg()[0] });
  try {
    await awaitBrokers(c, 180_000);
    const produceTopic = `cluster-r${r}-produce`;
    await createReplicatedTopic(c, produceTopic, PARTITIONS, TOPIC_CONFIGS);
    // Unmeasured warm-up (JIT, first segments), on the measured topic.
    await producerPerformance(brokerSh, c.bootstrap, produceTopic, Math.max(10_000, o.clusterRecords / 5), RECORD_SIZE, 'all');
    try {
      const f = await producerPerformance(brokerSh, c.bootstrap, produceTopic, o.clusterRecords, RECORD_SIZE, 'all');
      table.get('cluster-produce')![system].push(f.recordsPerSec);
      table.get('cluster-produce')![system === 'samsa' ? 'samsaMBps' : 'kafkaMBps']!.push(f.mbPerSec);
      table.get('cluster-p99')![system].push(f.p99Ms);
      note('produce', f);
      say(`${system} r${r + 1} 3 nodes produce RF=3 acks=all: ${Math.round(f.recordsPerSec).toLocaleString('en-US')} records/s (${f.mbPerSec.toFixed(1)} MB/s), p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`);
    } catch (e) {
      note('produce', null, (e as Error).message);
      say(`${system} r${r + 1} produce FAILED: ${(e as Error).message}`);
    }
    const failoverTopic = `cluster-r${r}-failover`;
    await createReplicatedTopic(c, failoverTopic, 1, TOPIC_CONFIGS);
    const kills: number[] = [];
    const seen: number[] = [];
    for (let k = 0; k < o.clusterKills; k++) {
      try {
        const f = await failoverOnce(c, failoverTopic, FAILOVER_GIVE_UP_MS);
        kills.push(f.ms);
        seen.push(f.leaderSeenMs);
        table.get(f.controllerKilled ? 'cluster-failover-controller' : 'cluster-failover-leader')![system].push(f.ms);
        note('failover', f);
        say(
          `${system} r${r + 1} kill ${k + 1}: node ${f.killed}${f.controllerKilled ? ' (the active controller)' : ''} killed, node ${f.newLeader} named leader after ${f.leaderSeenMs.toFixed(0)} ms, ` +
            `took acks=all produces after ${f.ms.toFixed(0)} ms (${f.attempts} attempts; ${JSON.stringify(f.failures)})`,
        );
      } catch (e) {
        note('failover', null, (e as Error).message);
        say(`${system} r${r + 1} kill ${k + 1} FAILED: ${(e as Error).message}`);
        break;
      }
    }
    if (kills.length > 0) table.get('cluster-failover')![system].push(median(kills));
    if (seen.length > 0) table.get('cluster-failover-seen')![system].push(median(seen));
  } catch (e) {
    note('round', null, (e as Error).message);
    say(`${system} r${r + 1} FAILED: ${(e as Error).message}\n${c.logTail().slice(-1500)}`);
  } finally {
    await c.stop();
    live.delete(c);
    removeDir(dir);
  }
}

/** Runs the cluster rounds and writes bench/results/compare-cluster.{json,md,svg}. */
export async function runCluster(o: CompareOptions, root: string, work: string, versions: () => ClusterVersions): Promise<void> {
  const live = new Set<BenchCluster>();
  process.on('exit', () => {
    for (const c of live) c.killNow();
  });
  const table_ = rows(o);
  const runs: ClusterRun[] = [];
  const started = new Date();
  const loadBefore = os.loadavg();
  const loadPerRound: { round: number; load1: number }[] = [];
  say(`${o.runs} rounds of 3 samsa nodes and 3 Kafka nodes, one cluster at a time; load average ${loadBefore[0].toFixed(1)} on ${os.cpus().length} cpus`);
  for (let r = 0; r < o.runs; r++) {
    loadPerRound.push({ round: r, load1: os.loadavg()[0] });
    for (const system of r % 2 === 0 ? o.systems : [...o.systems].reverse()) await oneCluster(o, root, work, system, r, table_, runs, live);
  }
  const loadAfter = os.loadavg();
  const summaries = summarise([...table_.values()]);
  const v = versions();
  const load = `load average ${loadBefore[0].toFixed(1)} at the start, ${loadAfter[0].toFixed(1)} at the end, on ${os.cpus().length} cpus shared with other work`;
  const errors = runs.filter((x) => x.error);
  const preamble =
    `samsa ${v.commit ?? ''} (Node ${process.version}, 3 processes as \`samsa --nodes 3\` starts them) vs Apache Kafka ${v.kafka ?? '?'} ` +
    `(${v.java ?? 'java'}; 3 combined broker+controller JVMs, static voters), all 3 nodes of a cluster on this machine, one cluster at a time ` +
    `(which goes first alternates by round); ${load}. Medians of ${o.runs} round${o.runs > 1 ? 's' : ''}. ` +
    `Produce: Kafka's ProducerPerformance (Java client, defaults, acks=all) after an unmeasured warm-up, ${PARTITIONS} partitions, ` +
    `replication factor 3, min.insync.replicas=2; MB = 2^20 bytes of record values. Failover: partition 0 of a 1-partition RF=3 topic, its ` +
    `leader's process kill -9'ed, then single-record acks=all produces (leader looked up from the live nodes' Metadata, 20 ms apart) until one ` +
    `is acknowledged; kill to that acknowledgement, median of ${o.clusterKills} kills per round (the killed node restarted and back in the ISR between kills); ` +
    `also kill to the first Metadata answer naming the new leader, and each kill's time split by whether the killed leader was also the active ` +
    `controller (DescribeQuorum before the kill: then the quorum elects a controller first, whose broker sessions start afresh). ` +
    `Both clusters run with Kafka's defaults (broker.session.timeout.ms 9000, broker.heartbeat.interval.ms 2000).` +
    (errors.length > 0 ? ` ${errors.length} measurement(s) failed (see the JSON).` : '');
  process.stdout.write(`\n${preamble}\n\n${table(summaries)}\n`);
  if (errors.length > 0) process.stdout.write(`\nfailed: ${errors.map((e) => `${e.system} r${e.round + 1} ${e.workload}: ${e.error?.split('\n')[0]}`).join('; ')}\n`);
  if (!o.json) return;
  const path = isAbsolute(o.json) ? o.json : join(root, o.json);
  mkdirSync(dirname(path), { recursive: true });
  const base = path.replace(/\.json$/, '');
  const doc = {
    date: started.toISOString(),
    elapsedSeconds: (Date.now() - started.getTime()) / 1000,
    ...v,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    /** 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
    loadAverage: { before: loadBefore, after: loadAfter, perRound: loadPerRound },
    options: o,
    rows: summaries,
    runs,
  };
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
  const subtitle = `${started.toISOString().slice(0, 10)}, ${load}; medians of ${o.runs} rounds`;
  writeFileSync(`${base}.svg`, chart(summaries, `3 samsa nodes vs 3 Apache Kafka ${v.kafka ?? ''} nodes: samsa/Kafka`, subtitle));
  writeFileSync(`${base}.md`, markdown(summaries, preamble));
  say(`results written to ${path}, ${base}.svg and ${base}.md`);
}
