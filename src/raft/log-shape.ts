// The raft log's shape as the core needs it on start (log start, end, the leader-epoch history),
// recovered from the metadata log by reading batch headers only, once.
import { BATCH_HEADER_SIZE, batchSize, readBatchHeader } from '../protocol/records/batch.js';
import type { PartitionLog } from '../storage/types.js';
import type { EpochEntry, LogShape, OffsetAndEpoch } from './messages.js';

const READ_BYTES = 1 << 20;

export async function recoverLogShape(log: Pick<PartitionLog, 'logStartOffset' | 'logEndOffset' | 'read'>, latestSnapshotId?: OffsetAndEpoch): Promise<LogShape> {
  const epochs: EpochEntry[] = [];
  let offset = log.logStartOffset;
  const end = log.logEndOffset;
  while (offset < end) {
    const res = await log.read(offset, READ_BYTES, true, false, 'logEnd');
    let advanced = false;
    for (const chunk of res.records) {
      for (let pos = 0; pos + BATCH_HEADER_SIZE <= chunk.length; pos += batchSize(chunk, pos)) {
        const h = readBatchHeader(chunk, pos);
        const next = h.baseOffset + h.lastOffsetDelta + 1;
        if (next <= offset) continue;
        const last = epochs[epochs.length - 1];
        if (!last || h.partitionLeaderEpoch > last.epoch) epochs.push({ epoch: h.partitionLeaderEpoch, startOffset: Math.max(h.baseOffset, offset) });
        offset = next;
        advanced = true;
      }
    }
    if (!advanced) break;
  }
  return { logStartOffset: log.logStartOffset, endOffset: end, epochs, latestSnapshotId };
}
