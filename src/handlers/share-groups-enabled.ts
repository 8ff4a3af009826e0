// Kafka 4.4 serves the share group APIs (ShareGroupHeartbeat, ShareGroupDescribe, Alter/DeleteShareGroupOffsets)
// only while the finalized share.version supports share groups (>= 1); otherwise UNSUPPORTED_VERSION.
import type { RequestContext } from './handler.js';

export const UNSUPPORTED_VERSION_MESSAGE = 'The version of API is not supported.';

export function shareGroupsEnabled(ctx: Pick<RequestContext, 'broker'>): boolean {
  return (ctx.broker.image.features.finalized.get('share.version') ?? 0) >= 1;
}
