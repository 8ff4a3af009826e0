// The comparison's rows (one figure measured on both brokers, once per run), their medians and
// samsa/Kafka ratios, and the table printed at the end and written as Markdown.
import { median } from '../report.js';
import type { Section } from './args.js';

export interface Row {
  id: string;
  section: Section;
  label: string;
  unit: 'ms' | 'MiB' | 'records/s' | '% of quota';
  better: 'lower' | 'higher';
  /** The ratio the issue asks for: at most this when lower is better, at least this when higher is. */
  goal: number | null;
  samsa: number[];
  kafka: number[];
  /** MB/s per run (the tools' MB = 2^20 bytes of record values), for throughput rows. */
  samsaMBps?: number[];
  kafkaMBps?: number[];
}

export interface RowSummary {
  id: string;
  section: Section;
  label: string;
  unit: Row['unit'];
  better: Row['better'];
  goal: number | null;
  runs: { samsa: number; kafka: number };
  samsa: number | null;
  kafka: number | null;
  samsaMBps: number | null;
  kafkaMBps: number | null;
  /** median(samsa) / median(kafka). */
  ratio: number | null;
  met: boolean | null;
  perRun: { samsa: number[]; kafka: number[] };
}

const med = (xs: number[] | undefined) => (xs && xs.length > 0 ? median(xs) : null);

export function summarise(rows: Row[]): RowSummary[] {
  return rows.map((r) => {
    const samsa = med(r.samsa);
    const kafka = med(r.kafka);
    const ratio = samsa !== null && kafka !== null && kafka > 0 ? samsa / kafka : null;
    const met = ratio === null || r.goal === null ? null : r.better === 'lower' ? ratio <= r.goal : ratio >= r.goal;
    return {
      id: r.id,
      section: r.section,
      label: r.label,
      unit: r.unit,
      better: r.better,
      goal: r.goal,
      runs: { samsa: r.samsa.length, kafka: r.kafka.length },
      samsa,
      kafka,
      samsaMBps: med(r.samsaMBps),
      kafkaMBps: med(r.kafkaMBps),
      ratio,
      met,
      perRun: { samsa: r.samsa, kafka: r.kafka },
    };
  });
}

function num(v: number): string {
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function cell(v: number | null, mbps: number | null): string {
  if (v === null) return 'n/a';
  return mbps === null ? num(v) : `${num(v)} (${num(mbps)} MB/s)`;
}

function goalText(s: RowSummary): string {
  if (s.goal === null) return '';
  return `${s.better === 'lower' ? '<=' : '>='} ${s.goal}`;
}

export function table(summaries: RowSummary[]): string {
  const header = ['workload', 'unit', 'runs', 'samsa', 'Kafka', 'samsa/Kafka', 'goal', ''];
  const lines = summaries.map((s) => [
    s.label,
    s.unit,
    s.runs.samsa === s.runs.kafka ? String(s.runs.samsa) : `${s.runs.samsa}/${s.runs.kafka}`,
    cell(s.samsa, s.samsaMBps),
    cell(s.kafka, s.kafkaMBps),
    s.ratio === null ? 'n/a' : s.ratio.toFixed(s.ratio < 0.1 ? 3 : 2),
    goalText(s),
    s.met === null ? '' : s.met ? 'ok' : 'MISSED',
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i].length)));
  const left = new Set([0, 1, 7]);
  return all
    .map((l) => l.map((c, i) => (left.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd())
    .join('\n');
}

export function markdown(summaries: RowSummary[], preamble: string): string {
  const rows = summaries.map((s) =>
    `| ${s.label} | ${s.unit} | ${s.runs.samsa === s.runs.kafka ? s.runs.samsa : `${s.runs.samsa}/${s.runs.kafka}`} | ` +
      `${cell(s.samsa, s.samsaMBps)} | ${cell(s.kafka, s.kafkaMBps)} | ` +
      `${s.ratio === null ? 'n/a' : `**${s.ratio.toFixed(s.ratio < 0.1 ? 3 : 2)}**`} | ${goalText(s).replace('<=', '≤').replace('>=', '≥')} ` +
      `${s.met === null ? '' : s.met ? '✓' : '✗'} |`,
  );
  return [
    preamble,
    '',
    '| workload | unit | runs | samsa | Kafka | samsa/Kafka | goal |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
  ].join('\n');
}
