// StreamsGroupTopologyDescriptionUpdate (key 93), v0 (KIP-1331): a member hands in its topology's
// description for the broker's topology description plugin. Like Kafka 4.4 without
// group.streams.topology.description.plugin.class, samsa answers UNSUPPORTED_VERSION (and never asks
// for one: the heartbeat's TopologyDescriptionRequired stays false).
import { StreamsGroupTopologyDescriptionUpdateRequest } from '../protocol/generated/streams-group-topology-description-update-request.js';
import { StreamsGroupTopologyDescriptionUpdateResponse } from '../protocol/generated/streams-group-topology-description-update-response.js';
import { defineHandler } from './handler.js';
import { groupDenied, Op } from './authorize.js';

export default defineHandler<StreamsGroupTopologyDescriptionUpdateRequest, StreamsGroupTopologyDescriptionUpdateResponse>({
  apiKey: 93,
  minVersion: 0,
  maxVersion: 0,
  request: StreamsGroupTopologyDescriptionUpdateRequest,
  response: StreamsGroupTopologyDescriptionUpdateResponse,
  handle(ctx, req) {
    // Kafka's KafkaApis: READ on the group before the coordinator sees the description.
    if (groupDenied(ctx, Op.READ, req.groupId)) return { throttleTimeMs: 0, errorCode: 30, errorMessage: null };
    return { throttleTimeMs: 0, ...ctx.broker.groups.streams.topologyDescriptionUpdate(req) };
  },
});
