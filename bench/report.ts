// Medians over runs, latency percentiles, and the aligned table printed at the end.

const MIB = 1024 * 1024;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (q in 0..1) of an unsorted sample. */
export function percentile(xs: Float64Array, q: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** One run of one workload, as written to the JSON file. */
export interface RunSample {
  records: number;
  valueBytes: number;
  batchBytes: number;
  requests: number;
  elapsedMs: number;
  recordsPerSec: number;
  valueMiBPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
  /** CPU used by the load generator and by the broker, as a share of one core. */
  benchCpu: number;
  brokerCpu: number | null;
}

export interface WorkloadSummary {
  kind: 'produce' | 'fetch';
  name: string;
  recordSize: number;
  partitions: number;
  acks: number | null;
  recordsPerBatch: number;
  runs: RunSample[];
  median: {
    recordsPerSec: number;
    valueMiBPerSec: number;
    p50Ms: number | null;
    p99Ms: number | null;
    benchCpu: number;
    brokerCpu: number | null;
  };
}

export function summarise(w: Omit<WorkloadSummary, 'median'>): WorkloadSummary {
  const pick = (f: (r: RunSample) => number | undefined | null) => {
    const xs = w.runs.map(f).filter((x): x is number => typeof x === 'number');
    return xs.length === w.runs.length ? median(xs) : null;
  };
  return {
    ...w,
    median: {
      recordsPerSec: pick((r) => r.recordsPerSec)!,
      valueMiBPerSec: pick((r) => r.valueMiBPerSec)!,
      p50Ms: pick((r) => r.p50Ms),
      p99Ms: pick((r) => r.p99Ms),
      benchCpu: pick((r) => r.benchCpu)!,
      brokerCpu: pick((r) => r.brokerCpu),
    },
  };
}

export function rates(records: number, valueBytes: number, elapsedMs: number): { recordsPerSec: number; valueMiBPerSec: number } {
  const s = elapsedMs / 1000;
  return { recordsPerSec: records / s, valueMiBPerSec: valueBytes / MIB / s };
}

const fmt = (x: number | null, digits: number) => (x === null || Number.isNaN(x) ? '-' : x.toFixed(digits));
const count = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number | null) => (x === null ? '-' : `${Math.round(x * 100)}%`);

export function table(summaries: WorkloadSummary[], runs: number): string {
  const header = ['workload', 'runs', 'MiB/s', 'records/s', 'p50 ms', 'p99 ms', 'bench cpu', 'broker cpu'];
  const rows = summaries.map((s) => [
    s.name,
    String(runs),
    fmt(s.median.valueMiBPerSec, 1),
    count(s.median.recordsPerSec),
    fmt(s.median.p50Ms, 2),
    fmt(s.median.p99Ms, 2),
    pct(s.median.benchCpu),
    pct(s.median.brokerCpu),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
