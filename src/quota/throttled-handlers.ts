// Produce and Fetch under client quotas: after the handler answers, the request's bytes (produce:
// the request's size; fetch: the records returned) are recorded once, and a throttle time above
// zero goes into throttle_time_ms and mutes the connection for that long (Kafka's KIP-219 channel
// throttling: the client backs off too). Quota state lives per broker.
import type { Handler, RequestContext } from '../handlers/handler.js';
import { ClientQuotas } from './client-quota-manager.js';

const byBroker = new WeakMap<object, ClientQuotas>();

export function clientQuotasOf(broker: object): ClientQuotas {
  let q = byBroker.get(broker);
  if (q === undefined) byBroker.set(broker, (q = new ClientQuotas()));
  return q;
}

type Kind = 'produce' | 'fetch';

function throttleFor(ctx: RequestContext, kind: Kind, bytes: number): number {
  const image = ctx.broker.image;
  if (image.clientQuotas.isEmpty()) return 0;
  return clientQuotasOf(ctx.broker)[kind].recordAndGetThrottleTimeMs(image, ctx.principal.name, ctx.clientId ?? '', bytes, Date.now());
}

/** Wraps Produce: records the request's size. */
export function withProduceQuota<Req, Res extends { throttleTimeMs: number }>(h: Handler<Req, Res>): Handler<Req, Res> {
  return {
    ...h,
    async handle(ctx, req) {
      const res = await h.handle(ctx, req);
      const ms = throttleFor(ctx, 'produce', ctx.requestBytes ?? 0);
      if (ms > 0) {
        ctx.throttle?.(ms);
        if (res !== undefined) res.throttleTimeMs = Math.max(res.throttleTimeMs, ms);
      }
      return res;
    },
  };
}

/** Wraps Fetch: records the bytes of the records it returns (consumers only: replicas have their own quota). */
export function withFetchQuota<Req extends { replicaId?: number; replicaState?: { replicaId: number } | null }, Res extends { throttleTimeMs: number; responses: { partitions: { records: unknown }[] }[] }>(
  h: Handler<Req, Res>,
): Handler<Req, Res> {
  return {
    ...h,
    async handle(ctx, req) {
      const res = await h.handle(ctx, req);
      if (res === undefined || (req.replicaId ?? -1) >= 0 || (req.replicaState?.replicaId ?? -1) >= 0) return res;
      if (ctx.broker.image.clientQuotas.isEmpty()) return res;
      let bytes = 0;
      for (const t of res.responses) for (const p of t.partitions) bytes += recordsSize(p.records);
      const ms = throttleFor(ctx, 'fetch', bytes);
      if (ms > 0) {
        ctx.throttle?.(ms);
        res.throttleTimeMs = Math.max(res.throttleTimeMs, ms);
      }
      return res;
    },
  };
}

/** A partition's records as the response holds them: a Buffer, chunks, or a sized view. */
function recordsSize(records: unknown): number {
  if (records == null) return 0;
  if (Buffer.isBuffer(records)) return records.length;
  if (Array.isArray(records)) {
    let n = 0;
    for (const r of records) n += recordsSize(r);
    return n;
  }
  const o = records as { length?: number; byteLength?: number; size?: number; sizeInBytes?: number };
  return o.sizeInBytes ?? o.byteLength ?? o.size ?? o.length ?? 0;
}
