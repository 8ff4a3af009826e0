// Envelope (key 58), v0, on the controller listener: an admin request a broker forwarded, with
// the client's principal and address. The embedded request (header and body as the client sent
// them) is served by this listener's own handler for its API, and its response, header included,
// goes back inside the envelope. A response carrying NOT_CONTROLLER anywhere becomes an envelope
// NOT_CONTROLLER, so the broker retries with the new controller (Kafka's RequestChannel does
// this); an API Kafka does not forward is INVALID_REQUEST, an unreadable principal
// PRINCIPAL_DESERIALIZATION_FAILURE, a version not served here UNSUPPORTED_VERSION.
import { ErrorCode } from '../../protocol/errors.js';
import { requestHeaderVersion, responseHeaderVersion } from '../../protocol/headers.js';
import { DefaultPrincipalData } from '../../protocol/generated/default-principal-data.js';
import { EnvelopeRequest } from '../../protocol/generated/envelope-request.js';
import { EnvelopeResponse } from '../../protocol/generated/envelope-response.js';
import { RequestHeader } from '../../protocol/generated/request-header.js';
import { ResponseHeader } from '../../protocol/generated/response-header.js';
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import type { RequestInfo } from '../../network/api.js';
import { KafkaError } from '../../storage/types.js';
import { defineHandler } from '../handler.js';

/** The APIs Kafka 4.4 marks forwardable (ApiKeys' forwardable flag). */
const FORWARDABLE = new Set([19, 20, 30, 31, 33, 37, 38, 39, 40, 43, 44, 45, 46, 49, 51, 55, 57, 64, 80, 81]);

function failed(errorCode: number): EnvelopeResponse {
  return { responseData: null, errorCode };
}

/** Kafka's Errors.forException counting: does any errorCode in the response say NOT_CONTROLLER? */
export function carriesNotController(value: unknown, depth = 0): boolean {
  if (depth > 6 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return false;
  if (Array.isArray(value)) return value.some((v) => carriesNotController(v, depth + 1));
  for (const [k, v] of Object.entries(value)) {
    if (k === 'errorCode' && v === ErrorCode.NOT_CONTROLLER) return true;
    if (typeof v === 'object' && carriesNotController(v, depth + 1)) return true;
  }
  return false;
}

export default defineHandler<EnvelopeRequest, EnvelopeResponse, RequestInfo>({
  apiKey: 58,
  minVersion: 0,
  maxVersion: 0,
  request: EnvelopeRequest,
  response: EnvelopeResponse,
  async handle(ctx, envelope) {
    if (envelope.requestPrincipal === null) return failed(ErrorCode.PRINCIPAL_DESERIALIZATION_FAILURE);
    let principal: { principalType: string; name: string; tokenAuthenticated?: boolean };
    try {
      const p = new Reader(envelope.requestPrincipal);
      const d = DefaultPrincipalData.decode(p, p.int16());
      // The client's principal, which the controller authorizes the forwarded request with.
      principal = { principalType: d.type, name: d.name, tokenAuthenticated: d.tokenAuthenticated };
    } catch {
      return failed(ErrorCode.PRINCIPAL_DESERIALIZATION_FAILURE);
    }
    if (envelope.clientHostAddress.length !== 4 && envelope.clientHostAddress.length !== 16) return failed(ErrorCode.INVALID_REQUEST);
    const r = new Reader(envelope.requestData);
    let header: RequestHeader;
    try {
      if (r.remaining() < 4) return failed(ErrorCode.INVALID_REQUEST);
      header = RequestHeader.decode(r, requestHeaderVersion(r.buf.readInt16BE(r.offset), r.buf.readInt16BE(r.offset + 2)));
    } catch {
      return failed(ErrorCode.INVALID_REQUEST);
    }
    const { requestApiKey: apiKey, requestApiVersion: apiVersion } = header;
    if (!FORWARDABLE.has(apiKey)) return failed(ErrorCode.INVALID_REQUEST);
    const api = ctx.apis.get(apiKey);
    if (!api || apiVersion < api.minVersion || apiVersion > api.maxVersion) return failed(ErrorCode.UNSUPPORTED_VERSION);
    let body: unknown;
    try {
      body = api.request.decode(r, apiVersion);
    } catch {
      return failed(ErrorCode.INVALID_REQUEST);
    }
    const inner = { ...ctx, apiKey, apiVersion, correlationId: header.correlationId, clientId: header.clientId ?? null, peer: clientAddress(envelope.clientHostAddress), principal, forwarded: true };
    let response: unknown;
    try {
      response = await api.handle(inner, body);
    } catch (e) {
      // A handler that throws (rather than answering the error in its response) fails the envelope.
      return failed(e instanceof KafkaError && e.errorCode === ErrorCode.NOT_CONTROLLER ? ErrorCode.NOT_CONTROLLER : ErrorCode.UNKNOWN_SERVER_ERROR);
    }
    if (response === undefined) return failed(ErrorCode.UNKNOWN_SERVER_ERROR);
    if (carriesNotController(response)) return failed(ErrorCode.NOT_CONTROLLER);
    const w = new Writer(256);
    ResponseHeader.encode(w, responseHeaderVersion(apiKey, apiVersion), { correlationId: header.correlationId });
    api.response.encode(w, apiVersion, response);
    return { responseData: w.toBuffer(), errorCode: ErrorCode.NONE };
  },
});

/** The forwarded client's address, for logs: dotted IPv4 or colon-separated IPv6 groups. */
function clientAddress(b: Buffer): string {
  if (b.length === 4) return `${[...b].join('.')}:0`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return `[${groups.join(':')}]:0`;
}
