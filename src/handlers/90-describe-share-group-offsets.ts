// DescribeShareGroupOffsets (key 90), v0-1 (KIP-932): each share partition's start offset (and,
// v1, its lag) as the share coordinator keeps it; topics null asks for every initialized partition.
import { DescribeShareGroupOffsetsRequest } from '../protocol/generated/describe-share-group-offsets-request.js';
import { DescribeShareGroupOffsetsResponse } from '../protocol/generated/describe-share-group-offsets-response.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeShareGroupOffsetsRequest, DescribeShareGroupOffsetsResponse>({
  apiKey: 90,
  minVersion: 0,
  maxVersion: 1,
  request: DescribeShareGroupOffsetsRequest,
  response: DescribeShareGroupOffsetsResponse,
  async handle(ctx, req) {
    return { throttleTimeMs: 0, groups: await ctx.broker.groups.shareGroups.describeOffsets(req) };
  },
});
