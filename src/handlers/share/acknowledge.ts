// One partition's acknowledgements, from ShareFetch (piggybacked) or ShareAcknowledge: the
// partition resolved, the batches checked as Kafka checks them, then applied by its share partition.
import { ErrorCode, errorMessage } from '../../protocol/errors.js';
import type { ShareOperations } from '../context.js';
import type { RequestContext } from '../handler.js';
import { resolveSharePartition, validateAcknowledgements, type AckBatch, type ResolvedSharePartition } from './partitions.js';

export async function acknowledgeOne(
  ctx: RequestContext,
  shares: ShareOperations,
  groupId: string,
  memberId: string,
  topicId: string,
  partition: number,
  batches: readonly AckBatch[],
  renewAllowed: boolean,
): Promise<{ errorCode: number; errorMessage: string | null; resolved: ResolvedSharePartition }> {
  const resolved = resolveSharePartition(ctx, topicId, partition);
  if (resolved.errorCode !== ErrorCode.NONE) return { errorCode: resolved.errorCode, errorMessage: errorMessage(resolved.errorCode), resolved };
  const invalid = validateAcknowledgements(batches, renewAllowed);
  if (invalid !== ErrorCode.NONE) return { errorCode: invalid, errorMessage: errorMessage(invalid), resolved };
  if (batches.length === 0) return { errorCode: ErrorCode.NONE, errorMessage: null, resolved };
  const r = await shares.acknowledge(groupId, memberId, topicId, partition, batches);
  return { ...r, resolved };
}
