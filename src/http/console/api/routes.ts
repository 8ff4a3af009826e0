// The console's JSON API under /api/console/...: what the pages show, for scripts and the live
// tail, plus produce and topic config changes (through the broker's Produce and
// IncrementalAlterConfigs handlers).
import type { IncomingMessage } from 'node:http';
import { HttpError, readJson, sendJson, type HttpServer } from '../../server.js';
import { acls, quotas, transactions } from '../admin.js';
import type { ConsoleContext } from '../context.js';
import { describeGroup, listGroups } from '../groups.js';
import { metricsSummary } from '../otlp.js';
import { partitionFor } from '../partitioner.js';
import { parseFormat, readRecords } from '../records.js';
import { partitionSource } from '../partitions.js';
import { alterTopicConfigs, describeConfigs, partitionRows, produceRecord, topicSummaries } from '../topics.js';
import { parseTime } from '../pages/browser.js';
import type { TopicImage } from '../../../metadata/image.js';

/** Largest produce body the console accepts (a record of up to about 1 MiB as base64). */
const PRODUCE_LIMIT = 2 << 20;
const MAX_RECORDS = 500;

function topicOf(ctx: ConsoleContext, name: string): TopicImage {
  const t = ctx.image().topics.get(name);
  if (!t) throw new HttpError(404, `no topic ${name}`);
  return t;
}

function intParam(url: URL, name: string, dflt: number | null): number | null {
  const s = url.searchParams.get(name);
  if (s === null || s === '') return dflt;
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new HttpError(400, `${name} must be an integer`);
  return n;
}

/**
 * A JSON body, only with content-type application/json: a cross-site page cannot send that type
 * without a CORS preflight (which is never answered), so it cannot produce or alter configs
 * through a browser that can reach the console (a text/plain form post can look like JSON).
 */
async function jsonBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'the body must be sent as content-type application/json');
  const body = await readJson(req, limit);
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw new HttpError(400, 'the body must be a JSON object');
  return (body ?? {}) as Record<string, unknown>;
}

function decode(v: unknown, encoding: string, what: string): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new HttpError(400, `${what} must be a string or null`);
  if (encoding === 'hex') {
    const clean = v.replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new HttpError(400, `${what} is not hex`);
    return Buffer.from(clean, 'hex');
  }
  if (encoding === 'base64') return Buffer.from(v, 'base64');
  return Buffer.from(v, 'utf8');
}

export function registerConsoleApi(server: HttpServer, ctx: ConsoleContext): void {
  const src = ctx.console;

  server.route('GET', '/api/console/topics', async (_req, res) => sendJson(res, 200, await topicSummaries(src, ctx.image())));

  server.route('GET', '/api/console/topics/:name', async (_req, res, p) => {
    const t = topicOf(ctx, p.name);
    sendJson(res, 200, { name: t.name, topicId: t.topicId, partitions: await partitionRows(src, t), configs: await describeConfigs(src, 2, t.name) });
  });

  server.route('GET', '/api/console/topics/:name/partitions/:partition/records', async (_req, res, p, url) => {
    const t = topicOf(ctx, p.name);
    const partition = Number(p.partition);
    if (!Number.isInteger(partition) || !t.registrations.has(partition)) throw new HttpError(404, `no partition ${p.partition} of ${t.name}`);
    const log = await partitionSource(src, t, partition);
    if (!log) throw new HttpError(503, `neither broker ${ctx.nodeId} nor the leader of ${t.name}-${partition} can be read now`);
    const limit = Math.min(Math.max(intParam(url, 'limit', 50)!, 1), MAX_RECORDS);
    const ts = parseTime(url.searchParams.get('time') ?? url.searchParams.get('timestamp'));
    const offset = ts !== null ? await log.offsetForTimestamp(ts) : (intParam(url, 'offset', null) ?? Math.max(log.logStartOffset, log.highWatermark - limit));
    const r = await readRecords(log, partition, offset, limit, parseFormat(url.searchParams.get('format')));
    sendJson(res, 200, { ...r, logStartOffset: log.logStartOffset, highWatermark: log.highWatermark });
  });

  server.route('POST', '/api/console/topics/:name/records', async (req, res, p) => {
    const t = topicOf(ctx, p.name);
    const body = await jsonBody(req, PRODUCE_LIMIT);
    const encoding = typeof body.encoding === 'string' ? body.encoding : 'text';
    if (!['text', 'hex', 'base64'].includes(encoding)) throw new HttpError(400, 'encoding must be text, hex or base64');
    const key = decode(body.key, encoding, 'key');
    const value = decode(body.value, encoding, 'value');
    if (body.headers !== undefined && !Array.isArray(body.headers)) throw new HttpError(400, 'headers must be a list of {key, value}');
    const headers = ((body.headers ?? []) as { key?: unknown; value?: unknown }[]).map((h) => {
      if (typeof h?.key !== 'string') throw new HttpError(400, 'a header needs a string key');
      return { key: h.key, value: decode(h.value, 'text', `header ${h.key}`) };
    });
    let partition: number;
    if (body.partition === undefined || body.partition === null) partition = partitionFor(key, t.partitions);
    else if (typeof body.partition === 'number' && t.registrations.has(body.partition)) partition = body.partition;
    else throw new HttpError(400, `no partition ${String(body.partition)} of ${t.name}`);
    const out = await produceRecord(src, t.name, t.registrations.get(partition)!.leader, { partition, key, value, headers });
    sendJson(res, out.error === null ? 200 : 400, out);
  });

  server.route('POST', '/api/console/topics/:name/configs', async (req, res, p) => {
    const t = topicOf(ctx, p.name);
    const body = (await jsonBody(req, 1 << 16)) as { set?: Record<string, unknown>; delete?: unknown };
    const changes: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(body.set ?? {})) {
      if (typeof v !== 'string') throw new HttpError(400, `the value of ${k} must be a string`);
      changes[k] = v;
    }
    if (body.delete !== undefined && !(Array.isArray(body.delete) && body.delete.every((k) => typeof k === 'string'))) throw new HttpError(400, 'delete must be a list of config names');
    for (const k of (body.delete ?? []) as string[]) changes[k] = null;
    if (Object.keys(changes).length === 0) throw new HttpError(400, 'nothing to change: give set {name: value} or delete [name]');
    const r = await alterTopicConfigs(src, t.name, changes);
    sendJson(res, r.error === null ? 200 : 400, r.error === null ? { configs: await describeConfigs(src, 2, t.name) } : { error: r.error, errorCode: r.errorCode });
  });

  server.route('GET', '/api/console/groups', async (_req, res) => sendJson(res, 200, await listGroups(src)));
  server.route('GET', '/api/console/groups/:id', async (_req, res, p) => {
    const g = await describeGroup(src, ctx.image(), p.id);
    if (!g) throw new HttpError(404, `no group ${p.id}`);
    sendJson(res, 200, g);
  });

  server.route('GET', '/api/console/transactions', async (_req, res) => sendJson(res, 200, await transactions(src)));
  server.route('GET', '/api/console/acls', async (_req, res) => sendJson(res, 200, { acls: await acls(src) }));
  server.route('GET', '/api/console/quotas', async (_req, res) => sendJson(res, 200, await quotas(src)));
  server.route('GET', '/api/console/client-metrics', async (_req, res) =>
    sendJson(
      res,
      200,
      src.clientMetrics().map((m) => ({ clientInstanceId: m.clientInstanceId, clientId: m.clientId, peer: m.peer, receivedAtMs: m.receivedAtMs, terminating: m.terminating, metrics: metricsSummary(m.metrics) })),
    ),
  );
}
