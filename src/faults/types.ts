// What a fault and a hook look like to their users (in-process and over HTTP).

/** A fault to inject, as `broker.faults.add()` and `POST /api/faults` take it. */
export interface FaultSpec {
  /** The API, by Kafka's name ("Produce", "Fetch", "Metadata", ...) or key. */
  api: string | number;
  /** Answer with this error (Kafka's name, e.g. "NOT_LEADER_OR_FOLLOWER", or code) instead of running the request. */
  error?: string | number;
  /** Hold the request this long first (then the error, the close, or the real answer). */
  delayMs?: number;
  /** "close-connection": close the client's connection instead of answering. */
  action?: 'close-connection';
  /** How many matching requests it applies to; default every one until removed. */
  times?: number;
  /** Only requests naming this topic (an error then goes to that topic's entries only). */
  topic?: string;
  /** Only requests with this client id. */
  clientId?: string;
  /** Only requests on this connection ("host:port" of the client, as the broker sees it). */
  connection?: string;
}

/** A fault as the registry lists it. */
export interface Fault {
  id: number;
  api: string;
  apiKey: number;
  error: string | null;
  errorCode: number | null;
  delayMs: number;
  action: 'close-connection' | null;
  topic: string | null;
  clientId: string | null;
  connection: string | null;
  /** null: unlimited. */
  times: number | null;
  /** Uses left (null: unlimited); 0 once used up (it stays listed until removed). */
  remaining: number | null;
  /** Requests it has been applied to. */
  matched: number;
}

/** One request as the hooks see it. */
export interface RequestCall {
  api: string;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** The client's "host:port". */
  connection: string;
  /** The decoded request (the generated codec's object); a hook may replace it. */
  request: any;
}

/** One response as the hooks see it (undefined: the request gets none, as acks=0 produce). */
export interface ResponseCall extends RequestCall {
  response: any;
}

/**
 * What a hook returns: nothing to go on unchanged; `{request}` to hand the handler another request;
 * `{response}` to answer with it (onRequest: without running the handler); 'drop' to send no
 * response; 'close' to close the connection without answering.
 */
export type HookResult = void | undefined | 'drop' | 'close' | { request?: unknown; response?: unknown };

export type RequestHook = (call: RequestCall) => HookResult | Promise<HookResult>;
export type ResponseHook = (call: ResponseCall) => HookResult | Promise<HookResult>;
