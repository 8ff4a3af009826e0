// The share group APIs as handlers call them (ShareGroupHeartbeat 76, ShareGroupDescribe 77,
// DescribeShareGroupOffsets 90, AlterShareGroupOffsets 91, DeleteShareGroupOffsets 92): no
// exception escapes, an unexpected one is logged and answered UNKNOWN_SERVER_ERROR.
import { log } from '../../../log.js';
import { ErrorCode } from '../../../protocol/errors.js';
import type { AlterShareGroupOffsetsRequest } from '../../../protocol/generated/alter-share-group-offsets-request.js';
import type { AlterShareGroupOffsetsResponse } from '../../../protocol/generated/alter-share-group-offsets-response.js';
import type { DeleteShareGroupOffsetsRequest } from '../../../protocol/generated/delete-share-group-offsets-request.js';
import type { DeleteShareGroupOffsetsResponse } from '../../../protocol/generated/delete-share-group-offsets-response.js';
import type { DescribeShareGroupOffsetsRequest } from '../../../protocol/generated/describe-share-group-offsets-request.js';
import type { DescribeShareGroupOffsetsResponseDescribeShareGroupOffsetsResponseGroup } from '../../../protocol/generated/describe-share-group-offsets-response.js';
import type { ShareGroupDescribeResponseDescribedGroup } from '../../../protocol/generated/share-group-describe-response.js';
import type { ShareGroupHeartbeatRequest } from '../../../protocol/generated/share-group-heartbeat-request.js';
import type { ShareGroupHeartbeatResponse } from '../../../protocol/generated/share-group-heartbeat-response.js';
import type { ShareClient, ShareGroupManager } from './manager.js';
import { alterShareGroupOffsets, deleteShareGroupOffsets, describeError, describeShareGroupOffsets } from './offsets.js';

async function guard<T>(api: string, fn: () => T | Promise<T>, fallback: () => T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    log.error(`${api} failed in the group coordinator: ${(e as Error)?.stack ?? e}`);
    return fallback();
  }
}

export class ShareGroupApi {
  constructor(private readonly m: ShareGroupManager) {}

  heartbeat(req: ShareGroupHeartbeatRequest, client: ShareClient): Promise<ShareGroupHeartbeatResponse> {
    return guard('ShareGroupHeartbeat', () => this.m.heartbeat(req, client), () => ({
      throttleTimeMs: 0,
      errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
      errorMessage: null,
      memberId: null,
      memberEpoch: 0,
      heartbeatIntervalMs: 0,
      assignment: null,
    }));
  }

  describe(groupIds: string[], includeAuthorizedOperations: boolean): Promise<ShareGroupDescribeResponseDescribedGroup[]> {
    return guard('ShareGroupDescribe', () => this.m.describe(groupIds, includeAuthorizedOperations), () =>
      groupIds.map((groupId) => ({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: -2147483648 })),
    );
  }

  describeOffsets(req: DescribeShareGroupOffsetsRequest): Promise<DescribeShareGroupOffsetsResponseDescribeShareGroupOffsetsResponseGroup[]> {
    return Promise.all(
      req.groups.map((g) => guard('DescribeShareGroupOffsets', () => describeShareGroupOffsets(this.m, g.groupId, g.topics), () => describeError(g.groupId, ErrorCode.UNKNOWN_SERVER_ERROR))),
    );
  }

  alterOffsets(req: AlterShareGroupOffsetsRequest): Promise<AlterShareGroupOffsetsResponse> {
    return guard('AlterShareGroupOffsets', () => alterShareGroupOffsets(this.m, req), () => ({ throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null, responses: [] }));
  }

  deleteOffsets(req: DeleteShareGroupOffsetsRequest): Promise<DeleteShareGroupOffsetsResponse> {
    return guard('DeleteShareGroupOffsets', () => deleteShareGroupOffsets(this.m, req), () => ({ throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null, responses: [] }));
  }
}
