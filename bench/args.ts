// Command-line flags of `npm run bench` and their defaults (sized for ~1-2 minutes on 2 cores).

export interface BenchOptions {
  /** host:port of a running broker to measure instead of starting samsa. */
  bootstrap: { host: string; port: number } | null;
  memory: boolean;
  runs: number;
  recordSizes: number[];
  acks: number[];
  partitions: number[];
  batchBytes: number;
  inFlight: number;
  durationMs: number;
  maxRunBytes: number;
  warmupMs: number;
  fetch: boolean;
  fetchInFlight: number;
  fetchDurationMs: number;
  partitionFetchBytes: number;
  /** Extra `--config key=value` arguments for the samsa child. */
  samsaConfig: string[];
  json: string | null;
}

export const USAGE = `usage: npm run bench -- [flags]
  --bootstrap HOST:PORT    measure a running broker (e.g. Apache Kafka) instead of starting samsa
  --memory                 start samsa with --memory instead of a temporary --data-dir
  --runs N                 runs per workload; the table shows medians (3)
  --record-sizes LIST      record value sizes in bytes (100,1024)
  --acks LIST              acks settings (1,-1)
  --partitions LIST        partition counts (1,8)
  --batch-bytes N          bytes per record batch (16384)
  --in-flight N            produce requests in flight on the connection (5)
  --duration S             seconds per produce run (2)
  --max-run-mib N          stop a produce run early after N MiB of batches (256)
  --warmup S               seconds of unmeasured produce and fetch first (1)
  --no-fetch               skip the fetch workloads
  --fetch-in-flight N      fetch requests in flight (4)
  --fetch-duration S       read the produced data from offset 0 repeatedly for at least S seconds (1)
  --partition-fetch-bytes N  max bytes per partition per fetch (1048576)
  --samsa-config K=V       pass --config K=V to samsa (repeatable)
  --json PATH              where to write results (bench/results/latest.json; 'none' to skip)`;

export class UsageError extends Error {}

function list(v: string, flag: string): number[] {
  const out = v.split(',').map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((n) => !Number.isInteger(n))) throw new UsageError(`${flag}: '${v}' is not a list of integers`);
  return out;
}

function positive(v: string, flag: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag}: '${v}' is not a positive number`);
  return n;
}

function int(v: string, flag: string): number {
  const n = positive(v, flag);
  if (!Number.isInteger(n)) throw new UsageError(`${flag}: '${v}' is not a whole number`);
  return n;
}

export function parseArgs(argv: string[]): BenchOptions {
  const o: BenchOptions = {
    bootstrap: null,
    memory: false,
    runs: 3,
    recordSizes: [100, 1024],
    acks: [1, -1],
    partitions: [1, 8],
    batchBytes: 16384,
    inFlight: 5,
    durationMs: 2000,
    maxRunBytes: 256 * 1024 * 1024,
    warmupMs: 1000,
    fetch: true,
    fetchInFlight: 4,
    fetchDurationMs: 1000,
    partitionFetchBytes: 1024 * 1024,
    samsaConfig: [],
    json: 'bench/results/latest.json',
  };
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
      case '--bootstrap': {
        const v = take();
        const at = v.lastIndexOf(':');
        const port = Number(v.slice(at + 1));
        if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`--bootstrap: '${v}' is not HOST:PORT`);
        o.bootstrap = { host: v.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port };
        break;
      }
      case '--memory': o.memory = true; break;
      case '--runs': o.runs = int(take(), flag); break;
      case '--record-sizes': o.recordSizes = list(take(), flag); break;
      case '--acks': o.acks = list(take(), flag); break;
      case '--partitions': o.partitions = list(take(), flag); break;
      case '--batch-bytes': o.batchBytes = int(take(), flag); break;
      case '--in-flight': o.inFlight = int(take(), flag); break;
      case '--duration': o.durationMs = positive(take(), flag) * 1000; break;
      case '--max-run-mib': o.maxRunBytes = positive(take(), flag) * 1024 * 1024; break;
      case '--warmup': {
        const v = Number(take());
        if (!(v >= 0)) throw new UsageError(`--warmup: not a number of seconds`);
        o.warmupMs = v * 1000;
        break;
      }
      case '--no-fetch': o.fetch = false; break;
      case '--fetch-in-flight': o.fetchInFlight = int(take(), flag); break;
      case '--fetch-duration': o.fetchDurationMs = positive(take(), flag) * 1000; break;
      case '--partition-fetch-bytes': o.partitionFetchBytes = int(take(), flag); break;
      case '--samsa-config': o.samsaConfig.push('--config', take()); break;
      case '--json': {
        const v = take();
        o.json = v === 'none' ? null : v;
        break;
      }
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  if (o.bootstrap && (o.memory || o.samsaConfig.length > 0)) {
    throw new UsageError('--memory and --samsa-config apply only to the samsa the benchmark starts, not with --bootstrap');
  }
  for (const a of o.acks) if (a !== 1 && a !== -1) throw new UsageError(`--acks: ${a} is not 1 or -1 (acks=0 has no responses to count)`);
  for (const p of o.partitions) if (p < 1) throw new UsageError('--partitions: counts must be at least 1');
  for (const s of o.recordSizes) if (s < 0) throw new UsageError('--record-sizes: sizes must not be negative');
  return o;
}
