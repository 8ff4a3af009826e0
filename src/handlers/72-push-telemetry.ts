// PushTelemetry (key 72), v0 (KIP-714). Checks a push as Kafka does (reserved instance id or a push
// after the terminating one: INVALID_REQUEST; too soon: THROTTLING_QUOTA_EXCEEDED; then
// UNKNOWN_SUBSCRIPTION_ID, UNSUPPORTED_COMPRESSION_TYPE, TELEMETRY_TOO_LARGE), decompresses the
// metrics (INVALID_RECORD if they do not decompress) and, with client telemetry on, keeps them.
// Advertised only with telemetry on, answered always, as GetTelemetrySubscriptions.
import { PushTelemetryRequest } from '../protocol/generated/push-telemetry-request.js';
import { PushTelemetryResponse } from '../protocol/generated/push-telemetry-response.js';
import { clientTelemetry } from '../telemetry/client-metrics.js';
import { defineHandler } from './handler.js';

export default defineHandler<PushTelemetryRequest, PushTelemetryResponse>({
  apiKey: 72,
  minVersion: 0,
  maxVersion: 0,
  advertised: (ctx) => clientTelemetry(ctx.broker).enabled,
  request: PushTelemetryRequest,
  response: PushTelemetryResponse,
  handle(ctx, req) {
    return { throttleTimeMs: 0, errorCode: clientTelemetry(ctx.broker).push(req, ctx.clientId, ctx.peer) };
  },
});
