// UpdateFeatures (key 57), v0-2 (KIP-584/KIP-778). The controller checks every update against
// the features this broker supports; one bad update fails the request with INVALID_UPDATE_VERSION
// and changes nothing. v0's allowDowngrade is ignored, as Kafka 4.0 does; v1 lists a result per feature
// ("NONE" on success, as Kafka does); v2 answers with the top-level error only.
import { UpdateFeaturesRequest } from '../protocol/generated/update-features-request.js';
import { UpdateFeaturesResponse } from '../protocol/generated/update-features-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { UpgradeType } from '../metadata/feature-control.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';

export default defineHandler<UpdateFeaturesRequest, UpdateFeaturesResponse>({
  apiKey: 57,
  minVersion: 0,
  maxVersion: 2,
  request: UpdateFeaturesRequest,
  response: UpdateFeaturesResponse,
  async handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.ALTER)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, results: [] };
    const updates = req.featureUpdates.map((u) => ({
      feature: u.feature,
      maxVersionLevel: u.maxVersionLevel,
      // Kafka 4.0 answers a v0 allowDowngrade as a plain upgrade (a lower level is refused).
      upgradeType: u.upgradeType ?? UpgradeType.UPGRADE,
    }));
    const r = await ctx.broker.controller.updateFeatures(updates, req.validateOnly ?? false);
    const ok = r.errorCode === ErrorCode.NONE;
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      results: ok && ctx.apiVersion < 2 ? req.featureUpdates.map((u) => ({ feature: u.feature, errorCode: ErrorCode.NONE, errorMessage: 'NONE' })) : [],
    };
  },
});
