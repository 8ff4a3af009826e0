// GET /metrics: the broker's metrics in Prometheus text format (see README "/metrics").
import { Exposition, EXPOSITION_CONTENT_TYPE } from '../../metrics/exposition.js';
import { writeProcessMetrics } from '../../metrics/process-metrics.js';
import type { HttpContext } from '../context.js';
import { sendText, type HttpServer } from '../server.js';
import { writeOffsetGauges, writeReplicaGauges } from './broker-gauges.js';
import { writeRequestFamilies } from './request-families.js';
import { writeRaftGauges } from './raft-gauges.js';

export function renderMetrics(ctx: HttpContext): string {
  const out = new Exposition();
  const image = ctx.image();
  writeRequestFamilies(out, ctx.metrics, (name) => image.topics.get(name) !== undefined);
  writeReplicaGauges(out, ctx);
  writeRaftGauges(out, ctx.raftStatus());
  writeOffsetGauges(out, ctx);
  writeProcessMetrics(out);
  return out.text();
}

export function registerMetricsRoutes(server: HttpServer, ctx: HttpContext): void {
  server.route('GET', '/metrics', (_req, res) => sendText(res, 200, renderMetrics(ctx), EXPOSITION_CONTENT_TYPE));
}
