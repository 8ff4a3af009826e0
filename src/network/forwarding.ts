// Broker-side forwarding of admin requests to the active controller (Kafka's ForwardingManager):
// the request, header and body as the client sent them, goes in an Envelope with the caller's
// principal and address; the controller's response comes back inside it and is answered to the
// client as is. An envelope refused with NOT_CONTROLLER, or a controller that cannot be reached,
// is retried (the quorum may be electing) until the request timeout; then the client gets the
// API's own error response with REQUEST_TIMED_OUT. Other envelope errors answer
// UNKNOWN_SERVER_ERROR, and UNSUPPORTED_VERSION closes the connection, as Kafka does.
import net from 'node:net';
import { log } from '../log.js';
import { ErrorCode } from '../protocol/errors.js';
import { requestHeaderVersion, responseHeaderVersion } from '../protocol/headers.js';
import type { Codec } from '../protocol/generated/codec.js';
import { DefaultPrincipalData } from '../protocol/generated/default-principal-data.js';
import { EnvelopeRequest } from '../protocol/generated/envelope-request.js';
import { EnvelopeResponse } from '../protocol/generated/envelope-response.js';
import { RequestHeader } from '../protocol/generated/request-header.js';
import { ResponseHeader } from '../protocol/generated/response-header.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import type { RequestInfo, ServedApi } from './api.js';

const ENVELOPE_VERSION = 0;

/** Sends a request to whichever controller is active now (the broker's ControllerChannel). */
export interface EnvelopeChannel {
  send<Req, Res>(requestCodec: Codec<Req>, responseCodec: Codec<Res>, version: number, request: Req): Promise<Res>;
}

/** An API the broker forwards: its codecs, and its error response for a failure before the controller answered. */
export interface ForwardedApi<Req = any, Res = any> {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
  advertisedMinVersion?: number;
  request: Codec<Req>;
  response: Codec<Res>;
  errorResponse(req: Req, errorCode: number, version: number): Res;
}

export interface ForwardingOptions {
  channel: EnvelopeChannel;
  /** How long a forwarded request may take in all, retries included (Kafka's request.timeout.ms, 30000). */
  timeoutMs: number;
  /** Wait between attempts while no controller takes the request. */
  retryBackoffMs: number;
}

/** The principal Kafka's DefaultKafkaPrincipalBuilder serializes: version-prefixed DefaultPrincipalData. */
export function serializePrincipal(type: string, name: string, tokenAuthenticated = false): Buffer {
  const w = new Writer(32);
  w.int16(0);
  DefaultPrincipalData.encode(w, 0, { type, name, tokenAuthenticated });
  return w.toBuffer();
}

/** The client's address as Java's InetAddress.getAddress gives it: 4 bytes for IPv4 (also IPv4-mapped), 16 for IPv6. */
export function clientAddressBytes(peer: string): Buffer {
  const host = peer.slice(0, peer.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  const v4 = host.startsWith('::ffff:') && net.isIPv4(host.slice(7)) ? host.slice(7) : host;
  if (net.isIPv4(v4)) return Buffer.from(v4.split('.').map(Number));
  if (!net.isIPv6(host)) return Buffer.alloc(4);
  const [head, tail = ''] = host.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = host.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
  return out;
}

type Outcome<Res> = { response: Res } | { errorCode: number } | { close: string };

export class ForwardingManager {
  constructor(private readonly o: ForwardingOptions) {}

  /** Forwards one request; what to answer the client. */
  async forward<Req, Res>(info: RequestInfo, api: ForwardedApi<Req, Res>, req: Req): Promise<Outcome<Res>> {
    const w = new Writer(256);
    RequestHeader.encode(w, requestHeaderVersion(api.apiKey, info.apiVersion), {
      requestApiKey: api.apiKey,
      requestApiVersion: info.apiVersion,
      correlationId: info.correlationId,
      clientId: info.clientId,
    });
    api.request.encode(w, info.apiVersion, req);
    const envelope: EnvelopeRequest = {
      requestData: w.toBuffer(),
      // The client's principal: the controller authorizes (and owns tokens) as the client, not as this broker.
      requestPrincipal: serializePrincipal(info.principal.principalType, info.principal.name, (info.principal as { tokenAuthenticated?: boolean }).tokenAuthenticated === true),
      clientHostAddress: clientAddressBytes(info.peer),
    };
    const deadline = Date.now() + this.o.timeoutMs;
    for (;;) {
      let res: EnvelopeResponse | null = null;
      try {
        res = await this.o.channel.send(EnvelopeRequest, EnvelopeResponse, ENVELOPE_VERSION, envelope);
      } catch (e) {
        log.debug(`forwarding api key ${api.apiKey} from ${info.peer}: ${(e as Error).message}`);
      }
      if (res && res.errorCode === ErrorCode.NONE) {
        if (!res.responseData) return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR };
        try {
          return { response: decodeInner(res.responseData, api, info.apiVersion) };
        } catch (e) {
          log.error(`forwarded api key ${api.apiKey}: the controller's response does not parse: ${(e as Error).message}`);
          return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR };
        }
      }
      if (res && res.errorCode === ErrorCode.UNSUPPORTED_VERSION) return { close: 'the controller does not support this request version' };
      if (res && res.errorCode !== ErrorCode.NOT_CONTROLLER) return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR };
      // NOT_CONTROLLER, or no controller reachable: try again once the quorum may know better.
      const left = deadline - Date.now();
      if (left <= 0) return { errorCode: ErrorCode.REQUEST_TIMED_OUT };
      await new Promise((r) => setTimeout(r, Math.min(this.o.retryBackoffMs, left)));
    }
  }

  /** A broker-listener API that forwards every request instead of handling it here. */
  served<Ctx extends RequestInfo, Req, Res>(api: ForwardedApi<Req, Res>): ServedApi<Ctx> {
    return {
      apiKey: api.apiKey,
      minVersion: api.minVersion,
      maxVersion: api.maxVersion,
      advertisedMinVersion: api.advertisedMinVersion,
      request: api.request,
      response: api.response,
      handle: async (ctx: Ctx, req: Req) => {
        const out = await this.forward(ctx, api, req);
        if ('response' in out) return out.response;
        if ('errorCode' in out) return api.errorResponse(req, out.errorCode, ctx.apiVersion);
        ctx.closeConnection(out.close);
        return undefined;
      },
    };
  }
}

function decodeInner<Res>(data: Buffer, api: ForwardedApi<unknown, Res>, version: number): Res {
  const r = new Reader(data);
  ResponseHeader.decode(r, responseHeaderVersion(api.apiKey, version));
  return api.response.decode(r, version);
}
