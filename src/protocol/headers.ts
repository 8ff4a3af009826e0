// Request and response headers: which header version an API version uses, and their codecs.
import { FIRST_FLEXIBLE_VERSION } from './generated/flexible-versions.js';
import { RequestHeader } from './generated/request-header.js';
import { ResponseHeader } from './generated/response-header.js';
import { ProtocolDecodeError, type Reader } from './reader.js';
import type { Writer } from './writer.js';

const API_VERSIONS_KEY = 18;
const CONTROLLED_SHUTDOWN_KEY = 7;

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const first = FIRST_FLEXIBLE_VERSION[apiKey];
  if (first === undefined) throw new ProtocolDecodeError(`unknown API key ${apiKey}`);
  // Versions above the schema's range are judged by the same rule (they are all flexible).
  return first >= 0 && apiVersion >= first;
}

/** Kafka's rule: header v2 for flexible request versions, else v1 (v0 only for ControlledShutdown v0). */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

/** Header v1 for flexible versions, else v0; ApiVersions always answers with v0 (KIP-511). */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === API_VERSIONS_KEY) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

/** The API key and version, which open every request header; the header version depends on them. */
export function peekApiKeyAndVersion(r: Reader): { apiKey: number; apiVersion: number } {
  if (r.remaining() < 4) throw new ProtocolDecodeError(`request of ${r.remaining()} bytes has no API key and version`);
  return { apiKey: r.buf.readInt16BE(r.offset), apiVersion: r.buf.readInt16BE(r.offset + 2) };
}

export function decodeRequestHeader(r: Reader, headerVersion: number): RequestHeader {
  return RequestHeader.decode(r, headerVersion);
}

export function encodeResponseHeader(w: Writer, headerVersion: number, correlationId: number): void {
  ResponseHeader.encode(w, headerVersion, { correlationId });
}
