// The console's stylesheet and script, served by the broker itself (no CDN, nothing to build):
// the script only produces, edits configs and runs the live tail; pages are rendered on the server.

export const CONSOLE_CSS = `
:root { --fg: #1d2330; --muted: #667085; --line: #d9dee7; --accent: #3b5bdb; --bg: #f7f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 24px; align-items: center; padding: 10px 24px; background: #1d2330; }
header a { color: #dfe6f5; text-decoration: none; }
header a:hover { color: #fff; }
.brand { font-weight: 700; font-size: 16px; letter-spacing: .5px; }
nav { display: flex; gap: 16px; }
main { padding: 16px 24px 48px; max-width: 1400px; }
h1 { font-size: 20px; margin: 8px 0 12px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
h2 small { font-weight: normal; color: var(--muted); }
a { color: var(--accent); }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); width: 100%; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f6; font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; }
td.ts { white-space: nowrap; color: var(--muted); }
pre.v { margin: 0; white-space: pre-wrap; word-break: break-all; font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; max-height: 12em; overflow: auto; }
pre.fmt-hex { color: #7a4b00; }
pre.fmt-json { color: #0b5d3b; }
.null, .empty { color: var(--muted); font-style: italic; }
.tag { font-size: 11px; padding: 1px 6px; border-radius: 8px; background: #e4e7ee; color: var(--muted); }
.notice { padding: 6px 10px; background: #e6f4ea; border: 1px solid #b7dfc3; }
.error { padding: 6px 10px; background: #fdecea; border: 1px solid #f5c2bd; }
form.inline { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; margin: 8px 0; }
form.stack { display: grid; gap: 8px; max-width: 640px; }
form.stack label { display: grid; gap: 2px; }
input, select, textarea, button { font: inherit; }
input, textarea, select { padding: 3px 6px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
button { padding: 4px 12px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
dl.headers { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 0 8px; }
dl.headers dt { font-weight: 600; }
dl.headers dd { margin: 0; }
.lag { font-weight: 600; }
output { color: var(--muted); }
`;

export const CONSOLE_JS = `'use strict';
(function () {
  function $(sel) { return document.querySelector(sel); }
  async function post(url, body) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || res.statusText);
    return data;
  }
  function topicUrl(topic) { return '/topics/' + encodeURIComponent(topic); }

  const produce = $('#produce-form');
  if (produce) produce.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = produce.elements;
    const out = $('#produce-result');
    const headers = f.headers.value.split('\\n').filter((l) => l.trim() !== '').map((l) => {
      const i = l.indexOf('=');
      return i < 0 ? { key: l, value: null } : { key: l.slice(0, i), value: l.slice(i + 1) };
    });
    const body = { key: f.key.value === '' ? null : f.key.value, value: f.value.value, headers: headers, encoding: f.encoding.value };
    if (f.partition.value !== '') body.partition = Number(f.partition.value);
    out.textContent = 'producing...';
    try {
      const r = await post('/api/console' + topicUrl(produce.dataset.topic) + '/records', body);
      location.href = topicUrl(produce.dataset.topic) + '?notice=' + encodeURIComponent('Produced to partition ' + r.partition + ' at offset ' + r.offset + '.');
    } catch (e) {
      out.textContent = 'failed: ' + e.message;
    }
  });

  const configs = $('#config-form');
  if (configs) configs.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = configs.elements;
    const op = ev.submitter && ev.submitter.value === 'delete' ? 'delete' : 'set';
    const body = op === 'set' ? { set: { [f.name.value]: f.value.value } } : { delete: [f.name.value] };
    const out = $('#config-result');
    try {
      await post('/api/console' + topicUrl(configs.dataset.topic) + '/configs', body);
      location.href = topicUrl(configs.dataset.topic) + '?notice=' + encodeURIComponent((op === 'set' ? 'Set ' : 'Removed the override of ') + f.name.value + '.');
    } catch (e) {
      out.textContent = 'failed: ' + e.message;
    }
  });

  function cell(tr, shown) {
    const td = document.createElement('td');
    if (shown === null) {
      const s = document.createElement('span');
      s.className = 'null';
      s.textContent = 'null';
      td.appendChild(s);
    } else {
      const pre = document.createElement('pre');
      pre.className = 'v fmt-' + shown.format;
      pre.title = shown.format + ', ' + shown.bytes + ' bytes';
      pre.textContent = shown.text;
      td.appendChild(pre);
    }
    tr.appendChild(td);
    return td;
  }
  function row(topic, r) {
    const tr = document.createElement('tr');
    tr.dataset.partition = r.partition;
    tr.dataset.offset = r.offset;
    const p = document.createElement('td');
    const a = document.createElement('a');
    a.href = topicUrl(topic) + '/partitions/' + r.partition;
    a.textContent = r.partition;
    p.appendChild(a);
    tr.appendChild(p);
    const o = document.createElement('td');
    o.className = 'num';
    o.textContent = r.offset;
    tr.appendChild(o);
    const t = document.createElement('td');
    t.className = 'ts';
    t.textContent = new Date(r.timestamp).toISOString();
    tr.appendChild(t);
    cell(tr, r.key);
    cell(tr, r.value);
    const h = document.createElement('td');
    if (r.headers.length > 0) {
      const dl = document.createElement('dl');
      dl.className = 'headers';
      for (const hd of r.headers) {
        const dt = document.createElement('dt');
        dt.textContent = hd.key;
        dl.appendChild(dt);
        const dd = document.createElement('dd');
        dd.appendChild(cell(document.createElement('tr'), hd.value).firstChild);
        dl.appendChild(dd);
      }
      h.appendChild(dl);
    }
    tr.appendChild(h);
    return tr;
  }

  const tail = $('#tail');
  if (tail) {
    let timer = null;
    const status = $('#tail-status');
    async function poll() {
      try {
        const url = tail.dataset.api + '?offset=' + tail.dataset.next + '&format=' + tail.dataset.format + '&limit=100';
        const res = await fetch(url);
        const data = await res.json();
        if (!res.ok) throw new Error(data.error || res.statusText);
        const body = $('#records tbody');
        for (const r of data.records) body.appendChild(row(tail.dataset.topic, r));
        if (data.records.length > 0) {
          const empty = $('#records-empty');
          if (empty) empty.remove();
        }
        tail.dataset.next = data.next;
        status.textContent = 'tailing from offset ' + data.next;
      } catch (e) {
        status.textContent = 'tail failed: ' + e.message;
      }
      if (tail.checked) timer = setTimeout(poll, 1000);
    }
    tail.addEventListener('change', () => {
      if (tail.checked) poll();
      else { clearTimeout(timer); status.textContent = ''; }
    });
  }
})();
`;
