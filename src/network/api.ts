// What a listener serves, as the network layer sees it: APIs keyed by api key, each decoding its
// requests and answering them with a context the listener's owner builds. network/ knows nothing
// of handlers or the broker; a broker listener and a controller listener differ only in these.
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import type { KafkaPrincipal } from '../security/principal.js';
import type { SecurityProtocol } from '../security/listener-security.js';

/** What the connection knows of a request; the listener's context factory adds the rest. */
export interface RequestInfo {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Address of the client, for logs. */
  peer: string;
  /** The listener the request came in on (Kafka's listener name, e.g. PLAINTEXT, CONTROLLER). */
  listenerName: string;
  /** Who the connection authenticated as (User:ANONYMOUS on PLAINTEXT and on SSL without a client certificate). */
  principal: KafkaPrincipal;
  /** The listener's security protocol. */
  securityProtocol: SecurityProtocol;
  /** A request a broker forwarded in an Envelope (Kafka's Request.isForwarded): the client's principal, the controller's listener. */
  forwarded?: boolean;
  /** The APIs that listener serves: ApiVersions answers from these. */
  apis: ApiRegistry<any>;
  /** Answers what is queued, then closes this connection (Kafka's signal for a failed acks=0 produce). */
  closeConnection(reason: string): void;
  /** Size of the request frame (client quotas record a produce request's size). */
  requestBytes?: number;
  /** Mutes the connection for `ms` after this request (client quota throttling, as Kafka's ThrottledChannel). */
  throttle?(ms: number): void;
  /**
   * Runs `fn` once this request's response is in the kernel, or once it never will be (no
   * response, handler failure, connection closed): for buffers the response refers to without
   * copying (pooled reads). Register before the handler returns.
   */
  afterResponse(fn: () => void): void;
  /** Runs `fn` when this connection closes (Kafka's ConnectionDisconnectListener); returns an unsubscribe. */
  onConnectionClose?(fn: () => void): () => void;
}

/** One API a listener serves. */
export interface ServedApi<Ctx extends RequestInfo = RequestInfo> {
  apiKey: number;
  /** Lowest and highest version served (never more than the schema knows). */
  minVersion: number;
  maxVersion: number;
  /** Lowest version ApiVersions advertises, when Kafka advertises below what it serves. */
  advertisedMinVersion?: number;
  /** ApiVersions lists this API only when true (Kafka advertises some only when configured); still served. */
  advertised?(ctx: Ctx): boolean;
  request: { name: string; decode(r: Reader, version: number): unknown };
  response: { encode(w: Writer, version: number, m: any): void };
  /** Returns the response, or undefined when the request gets none (acks=0 produce). */
  handle(ctx: Ctx, req: any): unknown;
  /**
   * The response (encoded as v0) to a version outside the served range, instead of closing the
   * connection: Kafka answers an ApiVersions it can't parse so the client can pick a version.
   */
  unsupportedVersion?(ctx: Ctx): unknown;
}

export type ApiRegistry<Ctx extends RequestInfo = RequestInfo> = ReadonlyMap<number, ServedApi<Ctx>>;

/** Sees each answered request once (the broker's request metrics): per request, never per record. */
export interface RequestObserver {
  /** The response is encoded (undefined: the request gets none), `totalMs` after its frame was taken. */
  completed(apiKey: number, apiVersion: number, request: unknown, response: unknown, totalMs: number): void;
}

/** A listener's protocol side: its name, what it serves, and how a request's context is made. */
export interface ListenerApis<Ctx extends RequestInfo = RequestInfo> {
  listenerName: string;
  registry: ApiRegistry<Ctx>;
  context(info: RequestInfo): Ctx;
  observer?: RequestObserver;
}

/** The version ranges ApiVersions advertises for `apis` (some only when the context's config turns them on). */
export function advertisedVersions<Ctx extends RequestInfo>(apis: ApiRegistry<Ctx>, ctx: Ctx): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return [...apis.values()]
    .filter((h) => h.advertised?.(ctx) ?? true)
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.advertisedMinVersion ?? h.minVersion, maxVersion: h.maxVersion }));
}
