// A raw connection that authenticates with SaslHandshake v1 + SaslAuthenticate v2 (the tokens of
// a SaslClient), then sends requests encoded with samsa's codecs: the tests' stand-in for a
// client with features kafkajs lacks (SCRAM's tokenauth extension, delegation token APIs).
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import type { Codec } from '../../src/protocol/generated/codec.js';
import { SaslAuthenticateRequest } from '../../src/protocol/generated/sasl-authenticate-request.js';
import { SaslAuthenticateResponse } from '../../src/protocol/generated/sasl-authenticate-response.js';
import { SaslHandshakeRequest } from '../../src/protocol/generated/sasl-handshake-request.js';
import { SaslHandshakeResponse } from '../../src/protocol/generated/sasl-handshake-response.js';
import type { SaslClient } from '../../src/security/sasl/mechanism.js';
import { WireConnection } from '../helpers/wire.js';

/** Sends `body` as `apiKey` v`version` (header v2 when `flexible`) and decodes the answer. */
export async function call<Req, Res>(c: WireConnection, apiKey: number, version: number, req: Codec<Req>, res: Codec<Res>, body: Req, flexible: boolean): Promise<Res> {
  const w = new Writer(256);
  req.encode(w, version, body);
  const frame = await c.request(apiKey, version, w.toBuffer(), { headerVersion: flexible ? 2 : 1 });
  const r = new Reader(frame);
  r.int32();
  if (flexible) r.uvarint();
  return res.decode(r, version);
}

export interface SaslOutcome {
  conn: WireConnection;
  /** The last SaslAuthenticate answer (errorCode, errorMessage, sessionLifetimeMs). */
  last: SaslAuthenticateResponse;
}

export async function saslConnect(port: number, mechanism: string, client: SaslClient): Promise<SaslOutcome> {
  const conn = await WireConnection.connect('127.0.0.1', port);
  const hs = await call(conn, 17, 1, SaslHandshakeRequest, SaslHandshakeResponse, { mechanism }, false);
  if (hs.errorCode !== 0) throw new Error(`SaslHandshake error ${hs.errorCode}`);
  let token: Buffer | null = client.initial();
  let last!: SaslAuthenticateResponse;
  while (token !== null) {
    last = await call(conn, 36, 2, SaslAuthenticateRequest, SaslAuthenticateResponse, { authBytes: token }, true);
    if (last.errorCode !== 0) return { conn, last };
    token = client.evaluate(Buffer.from(last.authBytes));
  }
  return { conn, last };
}
