// What every API module declares: its key, the versions it serves and how it answers.
// The registry built from these drives both dispatch and the ApiVersions response.
import type { RequestInfo, ServedApi } from '../network/api.js';
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import type { BrokerContext } from './context.js';

export type { RequestInfo } from '../network/api.js';
export type { BrokerContext } from './context.js';

export interface MessageCodec<T> {
  name: string;
  apiKey: number;
  minVersion: number;
  maxVersion: number;
  firstFlexibleVersion: number;
  encode(w: Writer, version: number, m: T): void;
  decode(r: Reader, version: number): T;
}

/** What a broker listener's handlers see: the request, and the broker through a narrow interface. */
export interface RequestContext extends RequestInfo {
  broker: BrokerContext;
}

export interface Handler<Req = any, Res = any, Ctx extends RequestInfo = RequestContext> extends ServedApi<Ctx> {
  request: MessageCodec<Req>;
  response: MessageCodec<Res>;
  /** Returns the response, or undefined when the request gets none (acks=0 produce). */
  handle(ctx: Ctx, req: Req): Res | undefined | Promise<Res | undefined>;
  unsupportedVersion?(ctx: Ctx): Res;
}

export function defineHandler<Req, Res, Ctx extends RequestInfo = RequestContext>(h: Handler<Req, Res, Ctx>): Handler<Req, Res, Ctx> {
  if (h.minVersion < h.request.minVersion || h.maxVersion > h.request.maxVersion) {
    throw new Error(`${h.request.name}: versions ${h.minVersion}-${h.maxVersion} exceed the schema's`);
  }
  return h;
}
