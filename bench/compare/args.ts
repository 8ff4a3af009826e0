// Flags of `npm run bench:compare` and their defaults (a full run is ~19 minutes on 2 cores).

export type System = 'samsa' | 'kafka';
export type Section = 'startup' | 'produce' | 'fetch' | 'latency' | 'many' | 'txn' | 'quota' | 'cluster';
const SECTIONS: Section[] = ['startup', 'produce', 'fetch', 'latency', 'many', 'txn', 'quota'];
/** 3-node clusters run alone (`--only cluster`), with results of their own: compare-cluster.json. */
const CLUSTER_JSON = 'bench/results/compare-cluster.json';
/** The single-node reference table, written only by a run of every section. */
const FULL_JSON = 'bench/results/compare.json';
/** Where a run of some sections goes unless --json says: its own file, never the reference table. */
const partialJson = (sections: Section[]) => `bench/results/compare-${sections.join('-')}.json`;

export interface CompareOptions {
  quick: boolean;
  /** Rounds: each starts both brokers and runs every workload against one, then the other. */
  runs: number;
  /** Start-up samples per system, each broker started alone. */
  starts: number;
  systems: System[];
  sections: Section[];
  /** Seconds a freshly started broker idles before its resident set is read. */
  settleMs: number;
  /** Records per produce workload, by record size. */
  records: { size: number; count: number }[];
  acks: string[];
  partitions: number[];
  latencyRate: number;
  latencyRecordSize: number;
  latencySeconds: number;
  latencyWarmupSeconds: number;
  manyPartitions: number;
  manyRecords: number;
  connections: number;
  connectionsSeconds: number;
  /** Records of the measured transactional produce run (1 KiB each, one partition). */
  txnRecords: number;
  /** ProducerPerformance's --transaction-duration-ms: it commits once a transaction is this old. */
  txnDurationMs: number;
  /** producer_byte_rate of the quota run, and its measured seconds after the warm-up. */
  quotaBytesPerSec: number;
  quotaSeconds: number;
  quotaWarmupSeconds: number;
  /** Records of the measured 3-node produce run (1 KiB each). */
  clusterRecords: number;
  /** Leader kills per round of the 3-node failover run. */
  clusterKills: number;
  /** Extra node flags for the samsa child, e.g. --cpu-prof (profiles are written at its exit). */
  samsaNodeArgs: string[];
  json: string | null;
}

export const USAGE = `usage: npm run bench:compare -- [flags]
  --quick                  smoke check: 1 run, 2 starts, a fifth of the records, short latency runs
  --runs N                 rounds; each figure is the median over them (3)
  --starts N               start-up samples per system, each started alone (5)
  --systems LIST           samsa,kafka (both)
  --only LIST              sections: startup,produce,fetch,latency,many,txn,quota (all); or cluster alone:
                           3 samsa nodes vs 3 Kafka nodes, RF=3 acks=all produce and leader failover
                           (results in bench/results/compare-cluster.json unless --json). Some
                           sections write bench/results/compare-<sections>.json (e.g. compare-txn.json)
                           unless --json: only a run of all of them writes the reference compare.json
  --settle S               idle seconds after start before reading the resident set (3)
  --latency-rate N         records/s for the end-to-end latency run (10000)
  --latency-seconds S      measured seconds of that run, after 3 s of warm-up (10)
  --partitions-many N      partitions of the many-partitions topic (1000)
  --connections N          concurrent producer connections in the many-connections run (200)
  --txn-records N          records of the measured transactional produce run (200000; quick 40000)
  --txn-duration-ms N      ProducerPerformance --transaction-duration-ms: commit every N ms (100)
  --quota-seconds S        measured seconds of the producer_byte_rate=1 MiB/s run, after 15 s (30; quick 10)
  --cluster-records N      records of the measured 3-node produce run (200000; quick 40000)
  --cluster-kills N        leader kills per round of the 3-node failover run (3; quick 2)
  --samsa-node-arg ARG     pass ARG to node for the samsa child (repeatable; e.g. --cpu-prof)
  --json PATH              where to write results (see --only; 'none' to skip;
                           the .svg chart and .md table go next to it)`;

export class UsageError extends Error {}

function int(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag}: '${v}' is not a positive whole number`);
  return n;
}

function seconds(v: string, flag: string): number {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new UsageError(`${flag}: '${v}' is not a number of seconds`);
  return n;
}

export function parseArgs(argv: string[]): CompareOptions {
  const quick = argv.includes('--quick');
  const o: CompareOptions = {
    quick,
    runs: quick ? 1 : 3,
    starts: quick ? 2 : 5,
    systems: ['samsa', 'kafka'],
    sections: [...SECTIONS],
    settleMs: quick ? 1000 : 3000,
    records: [
      { size: 100, count: quick ? 200_000 : 1_000_000 },
      { size: 1024, count: quick ? 40_000 : 200_000 },
    ],
    acks: ['1', 'all'],
    partitions: [1, 8],
    latencyRate: 10_000,
    latencyRecordSize: 1024,
    latencySeconds: quick ? 3 : 10,
    latencyWarmupSeconds: 3,
    manyPartitions: 1000,
    manyRecords: quick ? 40_000 : 200_000,
    connections: 200,
    connectionsSeconds: quick ? 2 : 5,
    txnRecords: quick ? 40_000 : 200_000,
    txnDurationMs: 100,
    quotaBytesPerSec: 1_048_576,
    quotaSeconds: quick ? 10 : 30,
    quotaWarmupSeconds: 15,
    clusterRecords: quick ? 40_000 : 200_000,
    clusterKills: quick ? 2 : 3,
    samsaNodeArgs: [],
    json: FULL_JSON,
  };
  let jsonGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick': break;
      case '--runs': o.runs = int(take(), flag); break;
      case '--starts': o.starts = int(take(), flag); break;
      case '--systems': {
        const v = take().split(',');
        if (v.length === 0 || v.some((s) => s !== 'samsa' && s !== 'kafka')) throw new UsageError(`--systems: '${v}' is not a list of samsa,kafka`);
        o.systems = [...new Set(v as System[])];
        break;
      }
      case '--only': {
        const v = take().split(',');
        if (v.includes('cluster')) {
          if (v.length > 1) throw new UsageError('--only: cluster runs alone (its clusters and results are its own)');
          o.sections = ['cluster'];
          break;
        }
        if (v.length === 0 || v.some((s) => !SECTIONS.includes(s as Section))) throw new UsageError(`--only: sections are ${SECTIONS.join(',')} (or cluster alone)`);
        o.sections = SECTIONS.filter((s) => v.includes(s));
        break;
      }
      case '--settle': o.settleMs = seconds(take(), flag) * 1000; break;
      case '--latency-rate': o.latencyRate = int(take(), flag); break;
      case '--latency-seconds': o.latencySeconds = seconds(take(), flag); break;
      case '--partitions-many': o.manyPartitions = int(take(), flag); break;
      case '--connections': o.connections = int(take(), flag); break;
      case '--txn-records': o.txnRecords = int(take(), flag); break;
      case '--txn-duration-ms': o.txnDurationMs = int(take(), flag); break;
      case '--quota-seconds': o.quotaSeconds = int(take(), flag); break;
      case '--cluster-records': o.clusterRecords = int(take(), flag); break;
      case '--cluster-kills': o.clusterKills = int(take(), flag); break;
      case '--samsa-node-arg': o.samsaNodeArgs.push(take()); break;
      case '--json': {
        const v = take();
        o.json = v === 'none' ? null : v;
        jsonGiven = true;
        break;
      }
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  if (o.sections.includes('cluster') && !jsonGiven) o.json = CLUSTER_JSON;
  else if (o.sections.length < SECTIONS.length && !jsonGiven) o.json = partialJson(o.sections);
  if (o.sections.includes('fetch') && !o.sections.includes('produce')) {
    throw new UsageError('--only: fetch reads the topics the produce section writes; add produce');
  }
  return o;
}
