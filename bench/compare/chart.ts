// The comparison as an SVG chart: one bar per row from 1 to the samsa/Kafka ratio on a log scale,
// green where the issue's goal is met, red where it is missed, grey where the row has no goal.
import type { RowSummary } from './report.js';

const ROW_H = 22;
const MIN_LABEL_W = 330;
/** A generous average glyph width of the 12 px sans-serif labels, so a long label is not cut at the left edge. */
const CHAR_W = 6.5;
const PLOT_W = 520;
const RIGHT_W = 150;
const TOP = 64;
const MIN_DECADE = -2;
const MAX_DECADE = 2;

const round = (v: number | null) => (v === null ? 'n/a' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function scale(labelW: number): (ratio: number) => number {
  return (ratio) => {
    const d = Math.min(MAX_DECADE, Math.max(MIN_DECADE, Math.log10(ratio)));
    return labelW + ((d - MIN_DECADE) / (MAX_DECADE - MIN_DECADE)) * PLOT_W;
  };
}

export function chart(summaries: RowSummary[], title: string, subtitle: string): string {
  const labelW = Math.max(MIN_LABEL_W, ...summaries.map((s) => Math.ceil((s.label.length + s.unit.length + 3) * CHAR_W) + 16));
  const x = scale(labelW);
  const height = TOP + summaries.length * ROW_H + 40;
  const width = labelW + PLOT_W + RIGHT_W;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="10" y="38" fill="#555">${esc(subtitle)}</text>`,
  ];
  const bottom = TOP + summaries.length * ROW_H;
  for (let d = MIN_DECADE; d <= MAX_DECADE; d++) {
    const gx = x(10 ** d);
    out.push(`<line x1="${gx}" y1="${TOP - 6}" x2="${gx}" y2="${bottom}" stroke="${d === 0 ? '#333' : '#ddd'}" stroke-width="${d === 0 ? 1.5 : 1}"/>`);
    out.push(`<text x="${gx}" y="${TOP - 10}" text-anchor="middle" fill="#555">${10 ** d}</text>`);
  }
  summaries.forEach((s, i) => {
    const y = TOP + i * ROW_H;
    const arrow = s.better === 'lower' ? 'lower is better' : 'higher is better';
    out.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(s.label)} <tspan fill="#888">(${s.unit})</tspan></text>`);
    if (s.ratio === null) {
      out.push(`<text x="${x(1) + 6}" y="${y + 15}" fill="#888">n/a</text>`);
      return;
    }
    const colour = s.met === null ? '#999' : s.met ? '#2e9d49' : '#d0453b';
    const x0 = Math.min(x(1), x(s.ratio));
    const w = Math.max(1, Math.abs(x(s.ratio) - x(1)));
    out.push(`<rect x="${x0}" y="${y + 4}" width="${w}" height="${ROW_H - 8}" fill="${colour}"><title>${esc(`${s.label}: samsa ${round(s.samsa)} / Kafka ${round(s.kafka)} ${s.unit}; ${arrow}`)}</title></rect>`);
    if (s.goal !== null) {
      const gx = x(s.goal);
      out.push(`<line x1="${gx}" y1="${y + 1}" x2="${gx}" y2="${y + ROW_H - 1}" stroke="#000" stroke-dasharray="2,2"/>`);
    }
    const text = `${s.ratio.toFixed(s.ratio < 0.1 ? 3 : 2)}  ${s.better === 'lower' ? '↓' : '↑'}`;
    out.push(`<text x="${labelW + PLOT_W + 8}" y="${y + 15}" fill="${colour}">${esc(text)}</text>`);
  });
  out.push(
    `<text x="${labelW}" y="${bottom + 24}" fill="#555">samsa/Kafka ratio, log scale; ↓ lower is better, ↑ higher is better; dashed: the goal; green met, red missed</text>`,
  );
  out.push('</svg>', '');
  return out.join('\n');
}
