// `/topics/<name>/partitions/<p>`: the message browser of one partition, seeking by offset or
// timestamp, with a live tail (console.js polls the JSON API from the last offset shown).
import type { TopicImage } from '../../../metadata/image.js';
import { html, page, raw, seg, type Html } from '../html.js';
import { readRecords, type Format } from '../records.js';
import { partitionSource } from '../partitions.js';
import type { ConsoleSource } from '../source.js';
import { formatChoice, recordsTable } from './records-table.js';

export const PAGE_SIZE = 50;

export interface Seek {
  offset: number | null;
  /** Milliseconds since the epoch. */
  timestamp: number | null;
  limit: number;
  format: Format;
}

export async function browserPage(src: ConsoleSource, topic: TopicImage, partition: number, seek: Seek): Promise<string | null> {
  if (!topic.registrations.has(partition)) return null;
  const log = await partitionSource(src, topic, partition);
  const title = `${topic.name} partition ${partition}`;
  if (!log) return page(title, html`<p class="error">Neither this broker nor the partition's leader (broker ${topic.registrations.get(partition)!.leader}) can be read now.</p>`);
  const start =
    seek.timestamp !== null ? await log.offsetForTimestamp(seek.timestamp) : seek.offset !== null ? (seek.offset < 0 ? Math.max(log.logStartOffset, log.highWatermark + seek.offset) : seek.offset) : Math.max(log.logStartOffset, log.highWatermark - seek.limit);
  const { records, next } = await readRecords(log, partition, start, seek.limit, seek.format);
  const base = `/topics/${seg(topic.name)}/partitions/${partition}`;
  const link = (offset: number, label: string): Html => html`<a href="${raw(base)}?offset=${offset}&amp;limit=${seek.limit}&amp;format=${seek.format}">${label}</a>`;
  const body = html`
<p>Offsets ${log.logStartOffset} to ${log.highWatermark - 1} (start ${log.logStartOffset}, high watermark ${log.highWatermark}). <a href="/topics/${raw(seg(topic.name))}">back to the topic</a></p>
<form method="get" class="inline" id="seek-form">
<label>from offset <input name="offset" type="number" value="${seek.timestamp === null ? String(start) : ''}"></label>
<label>or from time <input name="time" placeholder="2026-01-01T00:00:00Z or ms" value="${seek.timestamp === null ? '' : new Date(seek.timestamp).toISOString()}"></label>
<label>count <input name="limit" type="number" min="1" max="500" value="${seek.limit}"></label>
${formatChoice(seek.format)} <button>show</button>
</form>
<p class="pager">${link(log.logStartOffset, 'first')} · ${link(Math.max(log.logStartOffset, start - seek.limit), 'previous')} · ${link(next, 'next')} · ${link(Math.max(log.logStartOffset, log.highWatermark - seek.limit), 'latest')}
 · <label><input type="checkbox" id="tail" data-api="/api/console${raw(base)}/records" data-next="${next}" data-format="${seek.format}" data-topic="${topic.name}"> live tail</label> <span id="tail-status"></span></p>
${recordsTable(topic.name, records, { id: 'records', empty: 'No messages in this range.' })}`;
  return page(title, body);
}

/** `time` as ISO-8601 or milliseconds since the epoch; null when absent or unreadable. */
export function parseTime(s: string | null): number | null {
  if (s === null || s.trim() === '') return null;
  if (/^\d+$/.test(s.trim())) return Number(s.trim());
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}
