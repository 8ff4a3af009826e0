// /api/faults (the broker's fault registry over JSON) and, on nodes of a startCluster() cluster,
// /api/cluster (kill, stop, restart, isolate and heal nodes; move a partition's leader).
import type { HttpContext } from '../context.js';
import { HttpError, readJson, sendJson, type HttpServer } from '../server.js';
import { FaultSpecError } from '../../faults/registry.js';
import type { FaultSpec } from '../../faults/types.js';
import type { ClusterControl } from '../../faults/cluster-control.js';

const BODY_LIMIT = 64 << 10;

/** What these routes use of a node (a broker's HttpContext, or a controller-only node's). */
export type FaultRoutesContext = Pick<HttpContext, 'nodeId' | 'faults' | 'cluster'>;

function addFault(ctx: FaultRoutesContext, spec: unknown) {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new HttpError(400, 'a fault is a JSON object, e.g. {"api":"Produce","error":"NOT_LEADER_OR_FOLLOWER","times":2}');
  try {
    return ctx.faults.add(spec as FaultSpec);
  } catch (e) {
    if (e instanceof FaultSpecError) throw new HttpError(400, e.message);
    throw e;
  }
}

function cluster(ctx: FaultRoutesContext): ClusterControl {
  const c = ctx.cluster();
  if (c === null) throw new HttpError(404, 'this broker is not a node of a startCluster() cluster');
  return c;
}

function nodeId(c: ClusterControl, raw: string): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || !c.nodes().some((n) => n.nodeId === id)) throw new HttpError(404, `no node ${raw} in this cluster`);
  return id;
}

export function registerFaultRoutes(server: HttpServer, ctx: FaultRoutesContext): void {
  // One fault, or an array of them (added in order; all or none).
  server.route('POST', '/api/faults', async (req, res) => {
    const body = await readJson(req, BODY_LIMIT);
    if (!Array.isArray(body)) return sendJson(res, 201, addFault(ctx, body));
    const added = [];
    try {
      for (const spec of body) added.push(addFault(ctx, spec));
    } catch (e) {
      for (const f of added) ctx.faults.remove(f.id);
      throw e;
    }
    sendJson(res, 201, added);
  });
  server.route('GET', '/api/faults', (_req, res) => sendJson(res, 200, { faults: ctx.faults.list() }));
  server.route('DELETE', '/api/faults', (_req, res) => {
    const removed = ctx.faults.list().length;
    ctx.faults.clear();
    sendJson(res, 200, { removed });
  });
  server.route('DELETE', '/api/faults/:id', (_req, res, params) => {
    if (!ctx.faults.remove(Number(params.id))) throw new HttpError(404, `no fault ${params.id}`);
    sendJson(res, 200, { removed: 1 });
  });

  server.route('GET', '/api/cluster/nodes', (_req, res) => sendJson(res, 200, { nodes: cluster(ctx).nodes() }));
  for (const action of ['kill', 'stop', 'restart', 'isolate'] as const) {
    server.route('POST', `/api/cluster/nodes/:id/${action}`, async (_req, res, params) => {
      const c = cluster(ctx);
      const id = nodeId(c, params.id);
      const act = () => (action === 'isolate' ? c.isolate(id) : c[action](id));
      // This node going down takes its HTTP port with it: answer first.
      if (id === ctx.nodeId && action !== 'isolate') {
        sendJson(res, 202, { node: id, action });
        setImmediate(() => void Promise.resolve(act()).catch(() => {}));
        return;
      }
      try {
        await act();
      } catch (e) {
        throw new HttpError(409, (e as Error).message);
      }
      sendJson(res, 200, { node: id, action, nodes: c.nodes() });
    });
  }
  server.route('POST', '/api/cluster/heal', (_req, res) => {
    const c = cluster(ctx);
    c.heal();
    sendJson(res, 200, { nodes: c.nodes() });
  });
  // {"topic":"t","partition":0,"toNode":2}
  server.route('POST', '/api/cluster/move-leader', async (req, res) => {
    const c = cluster(ctx);
    const body = (await readJson(req, BODY_LIMIT)) as { topic?: unknown; partition?: unknown; toNode?: unknown } | undefined;
    const { topic, partition, toNode } = body ?? {};
    if (typeof topic !== 'string' || !Number.isInteger(partition) || !Number.isInteger(toNode)) {
      throw new HttpError(400, 'expected {"topic": string, "partition": int, "toNode": int}');
    }
    try {
      await c.moveLeader(topic, partition as number, toNode as number);
    } catch (e) {
      throw new HttpError(409, (e as Error).message);
    }
    sendJson(res, 200, { topic, partition, leader: toNode });
  });
}
