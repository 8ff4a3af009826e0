// HTML building for the console's server-rendered pages: every interpolated value goes through
// `esc` (topic names, keys, values and headers are client data), markup only through `raw`.

/** Markup that is already safe (built by these helpers). */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Content = Html | string | number | boolean | null | undefined | readonly Content[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

export function raw(text: string): Html {
  return new Html(text);
}

function render(c: Content): string {
  if (c === null || c === undefined || c === false) return '';
  if (c instanceof Html) return c.text;
  if (Array.isArray(c)) return (c as readonly Content[]).map(render).join('');
  return esc(String(c));
}

/** Tagged template: literal parts are markup, interpolations are escaped unless Html. */
export function html(parts: TemplateStringsArray, ...values: Content[]): Html {
  let out = parts[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + parts[i + 1];
  return new Html(out);
}

/** A path segment of a link (topic and group names may hold any character). */
export function seg(s: string | number): string {
  return encodeURIComponent(String(s));
}

export function table(headers: readonly string[], rows: readonly (readonly Content[])[], opts: { id?: string; empty?: string } = {}): Html {
  if (rows.length === 0) return html`<p class="empty">${opts.empty ?? 'None.'}</p>`;
  return html`<table${opts.id ? raw(` id="${esc(opts.id)}"`) : ''}><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(
    (r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`,
  )}</tbody></table>`;
}

const NAV: [string, string][] = [
  ['/', 'Topics'],
  ['/cluster', 'Cluster'],
  ['/groups', 'Groups'],
  ['/transactions', 'Transactions'],
  ['/security', 'ACLs & quotas'],
  ['/client-metrics', 'Client metrics'],
];

/** The page around `body`: navigation, the console's stylesheet and script (served by the broker, no CDN). */
export function page(title: string, body: Content): string {
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · samsa</title><link rel="stylesheet" href="/console/console.css"><script src="/console/console.js" defer></script></head><body><header><a class="brand" href="/">samsa</a><nav>${NAV.map(
    ([href, label]) => html`<a href="${href}">${label}</a>`,
  )}</nav></header><main><h1>${title}</h1>${body}</main></body></html>`.text}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function time(ms: number): string {
  return ms < 0 ? '-' : new Date(ms).toISOString();
}
