// `/` (the topic list) and `/topics/<name>` (partitions, latest messages, produce, configs).
import type { TopicImage } from '../../../metadata/image.js';
import { bytes, html, page, raw, seg, table } from '../html.js';
import { readRecords, type Format, type ShownRecord } from '../records.js';
import type { ConsoleSource } from '../source.js';
import { partitionSource } from '../partitions.js';
import { describeConfigs, partitionRows, topicSummaries } from '../topics.js';
import type { MetadataImage } from '../../../metadata/image.js';
import { formatChoice, recordsTable } from './records-table.js';

/** How many of the latest messages the topic page shows. */
export const LATEST = 20;

export async function topicListPage(src: ConsoleSource, image: MetadataImage): Promise<string> {
  const topics = await topicSummaries(src, image);
  const rows = topics.map((t) => [
    html`<a href="/topics/${raw(seg(t.name))}">${t.name}</a>${t.internal ? html` <span class="tag">internal</span>` : ''}`,
    t.partitions,
    t.messages,
    t.size < 0 ? '-' : bytes(t.size),
    html`<code>${t.topicId}</code>`,
  ]);
  return page('Topics', html`<p>${topics.length} topics in cluster <code>${image.clusterId}</code>.</p>${table(['topic', 'partitions', 'messages', 'size', 'topic id'], rows, { id: 'topics', empty: 'No topics yet.' })}`);
}

/** The newest `limit` records over all partitions held here, newest first. */
export async function latestRecords(src: ConsoleSource, topic: TopicImage, limit: number, format: Format): Promise<ShownRecord[]> {
  const all: ShownRecord[] = [];
  for (const p of [...topic.registrations.keys()].sort((a, b) => a - b)) {
    const log = await partitionSource(src, topic, p);
    if (!log) continue;
    const from = Math.max(log.logStartOffset, log.highWatermark - limit);
    all.push(...(await readRecords(log, p, from, limit, format)).records);
  }
  return all.sort((a, b) => b.timestamp - a.timestamp || a.partition - b.partition || b.offset - a.offset).slice(0, limit);
}

export async function topicPage(src: ConsoleSource, topic: TopicImage, format: Format, notice: string | null): Promise<string> {
  const parts = await partitionRows(src, topic);
  // With an authorizer, a user may READ a topic without DESCRIBE_CONFIGS on it: the rest of the page still shows.
  const configs = await describeConfigs(src, 2, topic.name).catch((e: Error) => e);
  const latest = await latestRecords(src, topic, LATEST, format);
  const name = seg(topic.name);
  const partitionTable = table(
    ['partition', 'leader', 'leader epoch', 'replicas', 'in sync', 'start offset', 'end offset', 'size'],
    parts.map((p) => [
      html`<a href="/topics/${raw(name)}/partitions/${p.partition}">${p.partition}</a>`,
      p.leader,
      p.leaderEpoch,
      p.replicas.join(', '),
      p.isr.join(', '),
      p.logStartOffset < 0 ? '-' : p.logStartOffset,
      p.highWatermark < 0 ? '-' : p.highWatermark,
      p.size < 0 ? '-' : bytes(p.size),
    ]),
    { id: 'partitions' },
  );
  const configTable =
    configs instanceof Error
      ? html`<p class="error" id="configs">${configs.message}</p>`
      : table(
          ['config', 'value', 'source'],
          configs.map((c) => [html`<code>${c.name}</code>`, c.sensitive ? html`<span class="null">(sensitive)</span>` : (c.value ?? html`<span class="null">null</span>`), c.source]),
          { id: 'configs' },
        );
  const editable = configs instanceof Error ? [] : configs.filter((c) => !c.readOnly);
  const body = html`
<p>Topic id <code>${topic.topicId}</code>, ${topic.partitions} partitions.</p>
${notice ? html`<p class="notice" id="notice">${notice}</p>` : ''}
<h2>Partitions</h2>${partitionTable}
<h2>Latest messages</h2>
<form method="get" class="inline">${formatChoice(format)} <button>show</button></form>
${recordsTable(topic.name, latest, { id: 'messages', empty: 'No messages yet.' })}
<h2>Produce a message</h2>
<form id="produce-form" class="stack" data-topic="${topic.name}">
<label>partition <select name="partition"><option value="">by key (Kafka's partitioner)</option>${parts.map((p) => html`<option value="${p.partition}">${p.partition}</option>`)}</select></label>
<label>key <input name="key" autocomplete="off"></label>
<label>value <textarea name="value" rows="3"></textarea></label>
<label>headers (one name=value a line) <textarea name="headers" rows="2"></textarea></label>
<label>key and value are <select name="encoding"><option value="text">text (UTF-8)</option><option value="hex">hex</option><option value="base64">base64</option></select></label>
<button type="submit">produce</button> <output id="produce-result"></output>
</form>
<h2>Configs</h2>
<form id="config-form" class="inline" data-topic="${topic.name}">
<label>config <input name="name" list="config-names" autocomplete="off"></label>
<datalist id="config-names">${editable.map((c) => html`<option value="${c.name}">`)}</datalist>
<label>value <input name="value" autocomplete="off"></label>
<button type="submit" name="op" value="set">set</button> <button type="submit" name="op" value="delete">remove override</button> <output id="config-result"></output>
</form>
${configTable}`;
  return page(`Topic ${topic.name}`, body);
}
