// GetTelemetrySubscriptions (key 71), v0 (KIP-714). Hands a client its instance id (a new one when
// it sends the zero Uuid), its subscription and how to push; asking again before the push interval
// is THROTTLING_QUOTA_EXCEEDED. Like Kafka, samsa answers it always but advertises it only when
// client telemetry is on (samsa.client.telemetry.enable; Kafka: a telemetry metrics reporter).
import { GetTelemetrySubscriptionsRequest } from '../protocol/generated/get-telemetry-subscriptions-request.js';
import { GetTelemetrySubscriptionsResponse } from '../protocol/generated/get-telemetry-subscriptions-response.js';
import { clientTelemetry } from '../telemetry/client-metrics.js';
import { defineHandler } from './handler.js';

export default defineHandler<GetTelemetrySubscriptionsRequest, GetTelemetrySubscriptionsResponse>({
  apiKey: 71,
  minVersion: 0,
  maxVersion: 0,
  advertised: (ctx) => clientTelemetry(ctx.broker).enabled,
  request: GetTelemetrySubscriptionsRequest,
  response: GetTelemetrySubscriptionsResponse,
  handle(ctx, req) {
    return { throttleTimeMs: 0, ...clientTelemetry(ctx.broker).getSubscription(req.clientInstanceId, ctx.peer) };
  },
});
