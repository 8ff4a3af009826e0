// SaslAuthenticate (key 36), v0-2. Before authentication the connection's SASL exchange answers it
// (src/network/sasl-authenticator.ts); one reaching a handler is out of place, answered as Kafka does.
import { ErrorCode } from '../protocol/errors.js';
import { SaslAuthenticateRequest } from '../protocol/generated/sasl-authenticate-request.js';
import { SaslAuthenticateResponse } from '../protocol/generated/sasl-authenticate-response.js';
import type { RequestInfo } from '../network/api.js';
import { defineHandler } from './handler.js';

export default defineHandler<SaslAuthenticateRequest, SaslAuthenticateResponse, RequestInfo>({
  apiKey: 36,
  minVersion: 0,
  maxVersion: 2,
  request: SaslAuthenticateRequest,
  response: SaslAuthenticateResponse,
  handle: () => ({
    errorCode: ErrorCode.ILLEGAL_SASL_STATE,
    errorMessage: 'SaslAuthenticate request received after successful authentication',
    authBytes: Buffer.alloc(0),
    sessionLifetimeMs: 0,
  }),
});
