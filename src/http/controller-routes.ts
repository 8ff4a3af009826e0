// The HTTP port of a controller-only node (process.roles=controller, samsa.http.port): /metrics
// with the quorum's and the controller's gauges, /api/faults for its controller listeners (and
// /api/cluster on a startCluster() node); the console needs a broker, so its pages say so. The
// port follows the controller listeners' security as a broker's follows its listeners' (auth.ts).
import type { MetadataImage } from '../metadata/image.js';
import type { RaftStatus } from '../raft/messages.js';
import type { FaultRegistry } from '../faults/registry.js';
import type { ClusterControl } from '../faults/cluster-control.js';
import { Exposition, EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.js';
import { writeProcessMetrics } from '../metrics/process-metrics.js';
import { writeControllerGauges } from './metrics/broker-gauges.js';
import { writeRaftGauges } from './metrics/raft-gauges.js';
import { registerFaultRoutes } from './faults/routes.js';
import { httpGuard, type HttpSecurityContext } from './auth.js';
import { sendText, type HttpServer } from './server.js';

/** `listeners` are the controller listeners; `authorizer` the one they check admin requests with. */
export interface ControllerHttpContext extends HttpSecurityContext {
  readonly nodeId: number;
  /** The metadata image this controller has replayed. */
  image(): MetadataImage;
  /** Whether this node leads the quorum (the active controller). */
  activeController(): boolean;
  raftStatus(): RaftStatus | null;
  /** The faults its controller listeners apply. */
  readonly faults: FaultRegistry;
  cluster(): ClusterControl | null;
}

export function renderControllerMetrics(ctx: ControllerHttpContext): string {
  const out = new Exposition();
  writeRaftGauges(out, ctx.raftStatus());
  writeControllerGauges(out, ctx.image(), ctx.activeController());
  writeProcessMetrics(out);
  return out.text();
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function registerControllerRoutes(server: HttpServer, ctx: ControllerHttpContext): void {
  server.setGuard(httpGuard(ctx));
  server.route('GET', '/metrics', (_req, res) => sendText(res, 200, renderControllerMetrics(ctx), EXPOSITION_CONTENT_TYPE));
  registerFaultRoutes(server, ctx);
  // The console's pages read topics, logs and groups from a broker: this node has none.
  server.route('GET', '/', (_req, res) => {
    const s = ctx.raftStatus();
    const leader = s === null || s.leaderId < 0 ? 'unknown' : String(s.leaderId);
    const brokers = [...ctx.image().cluster.brokers.values()].map((b) => b.id).sort((a, b) => a - b);
    const page = [
      '<!doctype html><html><head><meta charset="utf-8"><title>samsa controller</title></head><body>',
      `<h1>Node ${ctx.nodeId} is a controller</h1>`,
      '<p>It runs no broker, so it has no topics, messages or groups to show: open the console on a broker\'s HTTP port.</p>',
      `<p>Quorum leader: ${escape(leader)}${ctx.activeController() ? ' (this node, the active controller)' : ''}. Registered brokers: ${escape(brokers.join(', ') || 'none')}.</p>`,
      '<p><a href="/metrics">/metrics</a> · <a href="/api/faults">/api/faults</a></p>',
      '</body></html>',
    ].join('\n');
    sendText(res, 200, page, 'text/html; charset=utf-8');
  });
}
