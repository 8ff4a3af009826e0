// A table of records as the topic page and the message browser show them; rows carry their
// partition and offset so the live tail (console.js) knows where it is.
import { html, raw, seg, time, type Html } from '../html.js';
import { FORMATS, type Format, type Shown, type ShownRecord } from '../records.js';

export function shown(s: Shown | null): Html {
  if (s === null) return html`<span class="null">null</span>`;
  return html`<pre class="v fmt-${s.format}" title="${s.format}, ${s.bytes} bytes">${s.text}</pre>`;
}

function headers(r: ShownRecord): Html {
  if (r.headers.length === 0) return html``;
  return html`<dl class="headers">${r.headers.map((h) => html`<dt>${h.key}</dt><dd>${shown(h.value)}</dd>`)}</dl>`;
}

export function recordsTable(topic: string, records: readonly ShownRecord[], opts: { id: string; empty: string }): Html {
  const rows = records.map(
    (r) =>
      html`<tr data-partition="${r.partition}" data-offset="${r.offset}"><td><a href="/topics/${raw(seg(topic))}/partitions/${r.partition}">${r.partition}</a></td><td class="num">${r.offset}</td><td class="ts">${time(r.timestamp)}</td><td>${shown(r.key)}</td><td>${shown(r.value)}</td><td>${headers(r)}</td></tr>`,
  );
  return html`<table id="${opts.id}" class="records"><thead><tr><th>partition</th><th>offset</th><th>timestamp</th><th>key</th><th>value</th><th>headers</th></tr></thead><tbody>${rows}</tbody></table>${
    records.length === 0 ? html`<p class="empty" id="${opts.id}-empty">${opts.empty}</p>` : ''
  }`;
}

export function formatChoice(current: Format): Html {
  return html`<label>show as <select name="format">${FORMATS.map((f) => html`<option value="${f}"${f === current ? raw(' selected') : ''}>${f}</option>`)}</select></label>`;
}
