// What every API module declares: its key, the versions it serves and how it answers.
// The registry built from these drives both dispatch and the ApiVersions response.
import type { Broker } from '../broker.js';
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';

export interface MessageCodec<T> {
  name: string;
  apiKey: number;
  minVersion: number;
  maxVersion: number;
  firstFlexibleVersion: number;
  encode(w: Writer, version: number, m: T): void;
  decode(r: Reader, version: number): T;
}

export interface RequestContext {
  broker: Broker;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Address of the client, for logs. */
  peer: string;
  /** Answers what is queued, then closes this connection (Kafka's signal for a failed acks=0 produce). */
  closeConnection(reason: string): void;
  /**
   * Runs `fn` once this request's response is in the kernel, or once it never will be (no
   * response, handler failure, connection closed): for buffers the response refers to without
   * copying (pooled reads). Register before the handler returns.
   */
  afterResponse(fn: () => void): void;
}

export interface Handler<Req = any, Res = any> {
  apiKey: number;
  /** Lowest and highest version this broker implements (never more than the schema knows). */
  minVersion: number;
  maxVersion: number;
  /** Lowest version ApiVersions advertises, when Kafka advertises below what it serves. */
  advertisedMinVersion?: number;
  /** ApiVersions lists this API only when true (Kafka advertises some only when configured); still served. */
  advertised?(broker: Broker): boolean;
  request: MessageCodec<Req>;
  response: MessageCodec<Res>;
  /** Returns the response, or undefined when the request gets none (acks=0 produce). */
  handle(ctx: RequestContext, req: Req): Res | undefined | Promise<Res | undefined>;
}

export function defineHandler<Req, Res>(h: Handler<Req, Res>): Handler<Req, Res> {
  if (h.minVersion < h.request.minVersion || h.maxVersion > h.request.maxVersion) {
    throw new Error(`${h.request.name}: versions ${h.minVersion}-${h.maxVersion} exceed the schema's`);
  }
  return h;
}
