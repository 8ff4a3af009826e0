// Client quotas around the handlers, as Kafka's KafkaApis applies them: Produce records its
// request's size (producer_byte_rate) and its handler time (request_percentage, not for acks=0);
// every other API but Fetch (which asks fetchQuota itself, before its response is built) records
// its handler time. A throttle time above zero goes into throttle_time_ms and mutes the connection
// for that long (KIP-219: the client backs off too). The quota state is the broker's QuotaManagers.
import type { Handler, RequestContext } from '../handlers/handler.js';
import type { ControllerMutationQuota } from './controller-mutation-quota.js';

/** Handler time of one request as a percentage of one thread-second (ClientRequestQuotaManager.nanosToPercentage). */
const NANOS_TO_PERCENT = 100 / 1e9;

/** No request quota here: Produce and Fetch record it themselves; the rest Kafka answers with sendResponseExemptThrottle. */
const EXEMPT = new Set([
  0, // Produce: withProduceQuota records both quotas itself
  1, // Fetch: records both quotas itself
  27, // WriteTxnMarkers (inter-broker)
  83, 84, 85, 86, 87, // share-group state (inter-broker)
]);

function principalName(ctx: RequestContext): string {
  return ctx.principal.name;
}

/** Records handler time under request_percentage; the throttle time (at most one window). */
export function requestThrottleMs(ctx: RequestContext, handlerNanos: bigint, nowMs: number): number {
  const image = ctx.broker.image;
  if (image.clientQuotas.isEmpty()) return 0;
  return ctx.broker.quotas.request.recordAndGetThrottleTimeMs(image, principalName(ctx), ctx.clientId ?? '', Number(handlerNanos) * NANOS_TO_PERCENT, nowMs);
}

/** Sets the larger throttle on the response and mutes the connection for it (a mute replaces the last one). */
function applyThrottle(ctx: RequestContext, res: { throttleTimeMs?: number } | undefined, ms: number): void {
  if (ms <= 0) return;
  const has = res !== undefined && typeof res.throttleTimeMs === 'number';
  const total = has ? Math.max(res.throttleTimeMs!, ms) : ms;
  ctx.throttle?.(total);
  if (has) res.throttleTimeMs = total;
}

/**
 * CreateTopics/CreatePartitions/DeleteTopics' controller mutation quota (KIP-599): strict from
 * `strictSinceVersion` (refused topics fail with THROTTLING_QUOTA_EXCEEDED), permissive before;
 * `finish` puts its throttle time on the response and mutes the connection.
 */
export function mutationQuota(ctx: RequestContext, strictSinceVersion: number): ControllerMutationQuota & { finish<R extends { throttleTimeMs: number }>(res: R): R } {
  const q = ctx.broker.quotas.controllerMutation.quotaFor(ctx.broker.image, principalName(ctx), ctx.clientId ?? '', ctx.apiVersion >= strictSinceVersion);
  return {
    record: (partitions) => q.record(partitions),
    throttleTimeMs: () => q.throttleTimeMs(),
    finish(res) {
      applyThrottle(ctx, res, q.throttleTimeMs());
      return res;
    },
  };
}

/**
 * Wraps a handler in the request quota: the time spent in its synchronous part (Node runs a
 * handler's code on the one event loop thread; time awaiting I/O or a rebalance is not the broker's
 * work, as Kafka does not count a request's wait in purgatory).
 */
export function withRequestQuota<H extends Handler>(h: H, exempt: ReadonlySet<number> = EXEMPT): H {
  if (exempt.has(h.apiKey)) return h;
  return {
    ...h,
    handle(ctx: RequestContext, req: unknown) {
      if (ctx.broker.image.clientQuotas.isEmpty()) return h.handle(ctx, req);
      const t0 = process.hrtime.bigint();
      const out = h.handle(ctx, req);
      const nanos = process.hrtime.bigint() - t0;
      const finish = (res: { throttleTimeMs?: number } | undefined) => {
        applyThrottle(ctx, res, requestThrottleMs(ctx, nanos, Date.now()));
        return res;
      };
      return out instanceof Promise ? out.then(finish) : finish(out as { throttleTimeMs?: number } | undefined);
    },
  } as H;
}

/** Wraps Produce: the request's size under producer_byte_rate and its handler time under request_percentage. */
export function withProduceQuota<Req extends { acks: number }, Res extends { throttleTimeMs: number }>(h: Handler<Req, Res>): Handler<Req, Res> {
  return {
    ...h,
    handle(ctx, req) {
      const image = ctx.broker.image;
      if (image.clientQuotas.isEmpty()) return h.handle(ctx, req);
      const t0 = process.hrtime.bigint();
      const out = h.handle(ctx, req);
      const nanos = process.hrtime.bigint() - t0;
      const finish = (res: Res | undefined) => {
        const now = Date.now();
        const bandwidth = ctx.broker.quotas.produce.recordAndGetThrottleTimeMs(ctx.broker.image, principalName(ctx), ctx.clientId ?? '', ctx.requestBytes ?? 0, now);
        const request = req.acks === 0 ? 0 : requestThrottleMs(ctx, nanos, now);
        applyThrottle(ctx, res, Math.max(bandwidth, request));
        return res;
      };
      return out instanceof Promise ? out.then(finish) : finish(out);
    },
  };
}

/** A consumer fetch's quotas (Kafka's handleFetchRequest for a non-follower). */
export interface FetchQuota {
  /** fetch max bytes for the request: its own, capped by what one quota window allows. */
  maxBytes(requested: number): number;
  /**
   * Records the response's size and the handler time; above zero, the throttle time: the fetch is
   * answered empty (its bytes unrecorded) and the connection muted.
   */
  throttleMs(responseBytes: number, handlerNanos: bigint): number;
}

const UNLIMITED: FetchQuota = { maxBytes: (n) => n, throttleMs: () => 0 };

export function fetchQuota(ctx: RequestContext, fromFollower: boolean): FetchQuota {
  const image = ctx.broker.image;
  if (fromFollower || image.clientQuotas.isEmpty()) return UNLIMITED;
  const quotas = ctx.broker.quotas;
  const user = principalName(ctx);
  const clientId = ctx.clientId ?? '';
  return {
    maxBytes: (requested) => Math.min(requested, Math.floor(Math.min(0x7fffffff, quotas.fetch.maxValueInQuotaWindow(image, user, clientId)))),
    throttleMs: (bytes, nanos) => {
      const now = Date.now();
      const img = ctx.broker.image;
      const request = requestThrottleMs(ctx, nanos, now);
      const bandwidth = quotas.fetch.recordAndGetThrottleTimeMs(img, user, clientId, bytes, now);
      const ms = Math.max(request, bandwidth);
      if (ms > 0) {
        // The response goes out empty: its bytes were not taken.
        quotas.fetch.unrecord(img, user, clientId, bytes, now);
        ctx.throttle?.(ms);
      }
      return ms;
    },
  };
}
