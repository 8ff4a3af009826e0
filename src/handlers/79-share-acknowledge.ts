// ShareAcknowledge (key 79), v1-2 (v2: RENEW acknowledgements and AcquisitionLockTimeoutMs,
// KIP-1222). The share session must exist at its next epoch (epoch 0 is INVALID_SHARE_SESSION_EPOCH;
// -1 acknowledges, then closes the session and releases what the member still holds).
import { ShareAcknowledgeRequest } from '../protocol/generated/share-acknowledge-request.js';
import { ShareAcknowledgeResponse, type ShareAcknowledgeResponsePartitionData } from '../protocol/generated/share-acknowledge-response.js';
import { ErrorCode, errorMessage } from '../protocol/errors.js';
import { ShareError } from '../share/share-partition.js';
import { FINAL_EPOCH } from '../share/share-session-cache.js';
import { defineHandler } from './handler.js';
import { acknowledgeOne } from './share/acknowledge.js';
import { leaderHints } from './share/partitions.js';
import { groupDenied, Op, topicIdAuthorized } from './authorize.js';

function topLevel(errorCode: number, message: string | null): ShareAcknowledgeResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage: message, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] };
}

export default defineHandler<ShareAcknowledgeRequest, ShareAcknowledgeResponse>({
  apiKey: 79,
  minVersion: 1,
  maxVersion: 2,
  request: ShareAcknowledgeRequest,
  response: ShareAcknowledgeResponse,
  async handle(ctx, req) {
    const shares = ctx.broker.shares;
    if (!shares || (ctx.broker.image.features.finalized.get('share.version') ?? 0) < 1) return topLevel(ErrorCode.UNSUPPORTED_VERSION, errorMessage(ErrorCode.UNSUPPORTED_VERSION));
    const groupId = req.groupId;
    const memberId = req.memberId;
    if (!groupId) return topLevel(ErrorCode.INVALID_REQUEST, 'Invalid group id in the request.');
    if (!memberId) return topLevel(ErrorCode.INVALID_REQUEST, 'Invalid member id in the request.');
    // Kafka's KafkaApis: READ on the group for the whole request, READ on each topic for its partitions.
    if (groupDenied(ctx, Op.READ, groupId)) return topLevel(ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage(ErrorCode.GROUP_AUTHORIZATION_FAILED));
    try {
      shares.sessions.acknowledgeContext(groupId, memberId, req.shareSessionEpoch);
    } catch (e) {
      if (!(e instanceof ShareError)) throw e;
      return topLevel(e.errorCode, e.message);
    }
    const renew = ctx.apiVersion >= 2 && req.isRenewAck === true;
    const hints = leaderHints(ctx);
    const responses = await Promise.all(
      req.topics.map(async (t) => ({
        topicId: t.topicId,
        partitions: await Promise.all(
          t.partitions.map(async (p): Promise<ShareAcknowledgeResponsePartitionData> => {
            if (!topicIdAuthorized(ctx, Op.READ, t.topicId)) {
              return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: errorMessage(ErrorCode.TOPIC_AUTHORIZATION_FAILED), currentLeader: { leaderId: -1, leaderEpoch: -1 } };
            }
            const r = await acknowledgeOne(ctx, shares, groupId, memberId, t.topicId, p.partitionIndex, p.acknowledgementBatches, renew);
            return { partitionIndex: p.partitionIndex, errorCode: r.errorCode, errorMessage: r.errorMessage, currentLeader: hints.leader(r.resolved) };
          }),
        ),
      })),
    );
    if (req.shareSessionEpoch === FINAL_EPOCH) await shares.releaseSession(groupId, memberId);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      acquisitionLockTimeoutMs: shares.settings(groupId).recordLockDurationMs,
      responses,
      nodeEndpoints: hints.endpoints(),
    };
  },
});
