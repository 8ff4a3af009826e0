// SaslHandshake (key 17), v0-1. The exchange itself runs before authentication in the connection
// (src/network/sasl-authenticator.ts); a handshake reaching a handler came on a listener without
// SASL or after authentication, and Kafka answers it ILLEGAL_SASL_STATE with no mechanisms.
import { ErrorCode } from '../protocol/errors.js';
import { SaslHandshakeRequest } from '../protocol/generated/sasl-handshake-request.js';
import { SaslHandshakeResponse } from '../protocol/generated/sasl-handshake-response.js';
import type { RequestInfo } from '../network/api.js';
import { defineHandler } from './handler.js';

export default defineHandler<SaslHandshakeRequest, SaslHandshakeResponse, RequestInfo>({
  apiKey: 17,
  minVersion: 0,
  maxVersion: 1,
  request: SaslHandshakeRequest,
  response: SaslHandshakeResponse,
  handle: () => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }),
});
