// The broker's fault registry (broker.faults): faults and hooks that the request pipeline consults
// before each handler. A listener's API registry is wrapped once; while no fault is active and no
// hook is set, a request costs one boolean test more.
import type { ApiRegistry, RequestInfo, ServedApi } from '../network/api.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import { messageSchema } from './schemas.js';
import { errorResponse, requestTopics, topicArrays } from './error-response.js';
import type { Fault, FaultSpec, HookResult, RequestCall, RequestHook, ResponseHook } from './types.js';

/** A fault spec that can't be applied (HTTP answers 400). */
export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

const METADATA = 3;
const PRODUCE = 0;
/** applyFault closed the connection: no response. */
const CLOSED = Symbol('closed');

export interface FaultRegistryOptions {
  /** The APIs faults may name (their key, and name from the request codec). */
  apis: ApiRegistry<any>;
  /** A topic's name from its id (Produce v13 and Fetch v13+ name topics by id). */
  topicName(id: string): string | undefined;
}

function apiName(api: ServedApi<any>): string {
  return api.request.name.replace(/Request$/, '');
}

function responseName(api: ServedApi<any>): string {
  return (api.response as { name?: string }).name ?? `${apiName(api)}Response`;
}

export class FaultRegistry {
  private readonly faults: Fault[] = [];
  private nextId = 1;
  /** Faults with uses left. */
  private active = 0;
  private readonly requestHooks = new Set<RequestHook>();
  private readonly responseHooks = new Set<ResponseHook>();
  /**
   * Connections holding a delayed request: later requests on them wait until it has been handed to
   * its handler, as Kafka handles one request of a connection at a time (else an idempotent
   * producer's next batches would be appended before the delayed one).
   */
  private readonly gates = new Map<string, Promise<void>>();

  constructor(private readonly options: FaultRegistryOptions) {}

  /** Nothing to apply: requests go straight to their handlers. */
  get idle(): boolean {
    return this.active === 0 && this.gates.size === 0 && this.requestHooks.size === 0 && this.responseHooks.size === 0;
  }

  add(spec: FaultSpec): Fault {
    const api = this.api(spec.api);
    let errorCode: number | null = null;
    if (spec.error !== undefined && spec.error !== null) {
      errorCode = typeof spec.error === 'number' ? spec.error : (ErrorCode as Record<string, number>)[spec.error];
      if (typeof errorCode !== 'number' || !Number.isInteger(errorCode) || errorName(errorCode).startsWith('UNKNOWN_ERROR_CODE_')) {
        throw new FaultSpecError(`unknown error ${JSON.stringify(spec.error)} (Kafka's error names, e.g. NOT_LEADER_OR_FOLLOWER)`);
      }
      // Fails now rather than on the first request if the schemas can't be read.
      messageSchema(api.request.name);
      messageSchema(responseName(api));
    }
    const action = spec.action ?? null;
    if (action !== null && action !== 'close-connection') throw new FaultSpecError(`unknown action ${JSON.stringify(action)} (close-connection)`);
    if (action !== null && errorCode !== null) throw new FaultSpecError('a fault has an error or an action, not both');
    const delayMs = spec.delayMs ?? 0;
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) throw new FaultSpecError('delayMs must be a number >= 0');
    if (errorCode === null && action === null && delayMs === 0) throw new FaultSpecError('a fault needs an error, a delayMs or an action');
    const times = spec.times ?? null;
    if (times !== null && (!Number.isInteger(times) || times < 1)) throw new FaultSpecError('times must be an integer >= 1');
    for (const k of ['topic', 'clientId', 'connection'] as const) {
      if (spec[k] !== undefined && spec[k] !== null && typeof spec[k] !== 'string') throw new FaultSpecError(`${k} must be a string`);
    }
    const fault: Fault = {
      id: this.nextId++,
      api: apiName(api),
      apiKey: api.apiKey,
      error: errorCode === null ? null : errorName(errorCode),
      errorCode,
      delayMs,
      action,
      topic: spec.topic ?? null,
      clientId: spec.clientId ?? null,
      connection: spec.connection ?? null,
      times,
      remaining: times,
      matched: 0,
    };
    this.faults.push(fault);
    this.active++;
    return { ...fault };
  }

  /** The faults added, in order, with their uses left. */
  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: number): boolean {
    const i = this.faults.findIndex((f) => f.id === id);
    if (i < 0) return false;
    if (this.faults[i].remaining !== 0) this.active--;
    this.faults.splice(i, 1);
    return true;
  }

  /** Removes every fault (hooks stay until their unsubscribe, or clearHooks()). */
  clear(): void {
    this.faults.length = 0;
    this.active = 0;
  }

  /** Sees each request before the faults and the handler; returns the unsubscribe. */
  onRequest(hook: RequestHook): () => void {
    this.requestHooks.add(hook);
    return () => this.requestHooks.delete(hook);
  }

  /** Sees each response before it is encoded; returns the unsubscribe. */
  onResponse(hook: ResponseHook): () => void {
    this.responseHooks.add(hook);
    return () => this.responseHooks.delete(hook);
  }

  clearHooks(): void {
    this.requestHooks.clear();
    this.responseHooks.clear();
  }

  /** `registry` with each API's handler behind this registry's faults and hooks. */
  wrap<Ctx extends RequestInfo>(registry: ApiRegistry<Ctx>): ApiRegistry<Ctx> {
    const wrapped = new Map<number, ServedApi<Ctx>>();
    for (const [key, api] of registry) {
      const w: ServedApi<Ctx> = Object.create(api);
      w.handle = (ctx: Ctx, req: unknown) => (this.idle ? api.handle(ctx, req) : this.run(api, ctx, req));
      wrapped.set(key, w);
    }
    return wrapped;
  }

  private api(ref: string | number): ServedApi<any> {
    const apis = this.options.apis;
    if (typeof ref === 'number') {
      const a = apis.get(ref);
      if (a) return a;
    } else if (typeof ref === 'string') {
      const want = ref.replace(/Request$/, '').toLowerCase();
      for (const a of apis.values()) if (apiName(a).toLowerCase() === want) return a;
    }
    throw new FaultSpecError(`unknown api ${JSON.stringify(ref)} (Kafka's API names, e.g. Produce, Fetch, Metadata)`);
  }

  private async run<Ctx extends RequestInfo>(api: ServedApi<Ctx>, ctx: Ctx, req: unknown): Promise<unknown> {
    const gate = this.gates.get(ctx.peer);
    if (gate !== undefined) await gate;
    const call: RequestCall = {
      api: apiName(api),
      apiKey: ctx.apiKey,
      apiVersion: ctx.apiVersion,
      correlationId: ctx.correlationId,
      clientId: ctx.clientId,
      connection: ctx.peer,
      request: req,
    };
    let response: unknown;
    let answered = false;
    for (const hook of [...this.requestHooks]) {
      const r = await hook(call);
      if (r === 'close') return this.close(ctx, 'an onRequest hook closed it');
      if (r === 'drop') return undefined;
      if (r && typeof r === 'object') {
        if (r.request !== undefined) call.request = r.request;
        if ('response' in r) {
          response = r.response;
          answered = true;
          break;
        }
      }
    }
    if (!answered) {
      const outcome = await this.applyFault(api, ctx, call.request);
      if (outcome === CLOSED) return undefined;
      response = outcome;
    }
    for (const hook of [...this.responseHooks]) {
      const r: HookResult = await hook({ ...call, response });
      if (r === 'close') return this.close(ctx, 'an onResponse hook closed it');
      if (r === 'drop') return undefined;
      if (r && typeof r === 'object' && 'response' in r) response = r.response;
    }
    return response;
  }

  private close(ctx: RequestInfo, why: string): undefined {
    ctx.closeConnection(`fault injection: ${why}`);
    return undefined;
  }

  /** The first fault matching the request takes one use; null when none does. */
  private take(ctx: RequestInfo, requestName: string, req: unknown): Fault | null {
    let topics: Set<string> | null = null;
    for (const f of this.faults) {
      if (f.remaining === 0 || f.apiKey !== ctx.apiKey) continue;
      if (f.clientId !== null && f.clientId !== ctx.clientId) continue;
      if (f.connection !== null && f.connection !== ctx.peer) continue;
      if (f.topic !== null) {
        const allTopics = ctx.apiKey === METADATA && (req as { topics?: unknown }).topics == null;
        topics ??= requestTopics(requestName, ctx.apiVersion, req, (id) => this.options.topicName(id));
        if (!allTopics && !topics.has(f.topic)) continue;
      }
      f.matched++;
      if (f.remaining !== null && --f.remaining === 0) this.active--;
      return f;
    }
    return null;
  }

  private async applyFault<Ctx extends RequestInfo>(api: ServedApi<Ctx>, ctx: Ctx, req: unknown): Promise<unknown> {
    const fault = this.take(ctx, api.request.name, req);
    if (fault === null) return api.handle(ctx, req);
    if (fault.delayMs === 0) return this.answer(api, ctx, req, fault);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    this.gates.set(ctx.peer, gate);
    try {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      // The handler starts before the requests that waited behind this one.
      return this.answer(api, ctx, req, fault);
    } finally {
      if (this.gates.get(ctx.peer) === gate) this.gates.delete(ctx.peer);
      open();
    }
  }

  /** What the fault makes of the request once its delay is over. */
  private answer<Ctx extends RequestInfo>(api: ServedApi<Ctx>, ctx: Ctx, req: unknown, fault: Fault): unknown {
    if (fault.action === 'close-connection') {
      this.close(ctx, `fault ${fault.id} (close-connection)`);
      return CLOSED;
    }
    if (fault.errorCode === null) return api.handle(ctx, req);
    // A failed acks=0 produce gets no answer: Kafka closes the connection.
    if (ctx.apiKey === PRODUCE && (req as { acks?: number }).acks === 0) {
      this.close(ctx, `fault ${fault.id} (${fault.error} on an acks=0 produce)`);
      return CLOSED;
    }
    if (ctx.apiKey === METADATA) return this.metadataError(api, ctx, req, fault);
    return this.errorAnswer(api, ctx, req, fault);
  }

  /** Metadata keeps its brokers and cluster (clients rebuild their broker list from it): only the topics get the error. */
  private async metadataError<Ctx extends RequestInfo>(api: ServedApi<Ctx>, ctx: Ctx, req: unknown, fault: Fault): Promise<unknown> {
    const res = (await api.handle(ctx, req)) as { topics?: { name: string | null; errorCode: number; partitions: unknown[] }[] } | undefined;
    for (const t of res?.topics ?? []) {
      if (fault.topic !== null && t.name !== fault.topic) continue;
      t.errorCode = fault.errorCode!;
      t.partitions = [];
    }
    return res;
  }

  /** The error response; with a topic filter, the request's other topics are still served (and both answers merged). */
  private async errorAnswer<Ctx extends RequestInfo>(api: ServedApi<Ctx>, ctx: Ctx, req: unknown, fault: Fault): Promise<unknown> {
    const reqName = api.request.name;
    const resName = responseName(api);
    const code = fault.errorCode!;
    const arrays = fault.topic === null ? [] : topicArrays(reqName, ctx.apiVersion);
    if (arrays.length === 0) return errorResponse(reqName, resName, ctx.apiVersion, req, code);
    const r = req as Record<string, unknown>;
    const hit: Record<string, unknown> = { ...r };
    const rest: Record<string, unknown> = { ...r };
    let restLeft = false;
    for (const a of arrays) {
      const items = r[a.key];
      if (!Array.isArray(items)) continue;
      const isHit = (it: Record<string, unknown>) =>
        (a.name !== null && it[a.name] === fault.topic) || (a.id !== null && this.options.topicName(it[a.id] as string) === fault.topic);
      hit[a.key] = items.filter(isHit);
      rest[a.key] = items.filter((it) => !isHit(it));
      if ((rest[a.key] as unknown[]).length > 0) restLeft = true;
    }
    const failed = errorResponse(reqName, resName, ctx.apiVersion, hit, code);
    if (!restLeft) return failed;
    const served = (await api.handle(ctx, rest)) as Record<string, unknown> | undefined;
    if (served === undefined) return undefined;
    for (const [k, v] of Object.entries(failed)) {
      if (Array.isArray(v) && v.length > 0 && Array.isArray(served[k])) (served[k] as unknown[]).push(...v);
    }
    return served;
  }
}
