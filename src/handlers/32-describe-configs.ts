// DescribeConfigs (key 32), v1-4 (Kafka 4 no longer serves v0). Topics: every topic config with
// its value, source and (v1+, when asked) synonyms; brokers: this broker's id gives every broker
// config, "" gives the dynamic cluster-wide defaults that are set; groups (type 32) every group
// config, the group's override over the broker's value. v3+ adds each config's type
// and, when asked, its documentation. Results keep the request's order.
import { DescribeConfigsRequest } from '../protocol/generated/describe-configs-request.js';
import { DescribeConfigsResponse } from '../protocol/generated/describe-configs-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { ResourceType } from '../metadata/records.js';
import { invalidTopicNameReason } from '../metadata/topic-name.js';
import type { DescribedConfig } from '../metadata/config-describer.js';
import { GROUP_RESOURCE_TYPE, describeGroupConfigs } from '../coordinator/group/group-config.js';
import { defineHandler } from './handler.js';
import { configResourceError, Op } from './authorize.js';

type Result = DescribeConfigsResponse['results'][number];
const BROKER_LOGGER = 8;

export default defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: 32,
  minVersion: 1,
  maxVersion: 4,
  request: DescribeConfigsRequest,
  response: DescribeConfigsResponse,
  handle(ctx, req) {
    const { broker } = ctx;
    const { nodeId } = broker;
    const image = broker.image;
    const synonyms = req.includeSynonyms ?? false;
    const docs = req.includeDocumentation ?? false;
    const results: Result[] = req.resources.map((r) => {
      const result = (errorCode: number, errorMessage: string | null, configs: DescribedConfig[] = []): Result => ({
        errorCode,
        errorMessage,
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: configs.map((c) => ({ ...c, isDefault: c.configSource === 5, synonyms: synonyms ? c.synonyms : [] })),
      });
      const keys = r.configurationKeys;
      // DESCRIBE_CONFIGS on the topic or group, or on the cluster for broker and client-metrics resources (Kafka's ConfigHelper).
      const denied = configResourceError(ctx, Op.DESCRIBE_CONFIGS, r.resourceType, r.resourceName);
      if (denied !== ErrorCode.NONE) return result(denied, null);
      if (r.resourceType === ResourceType.TOPIC) {
        const bad = invalidTopicNameReason(r.resourceName);
        if (bad) return result(ErrorCode.INVALID_TOPIC_EXCEPTION, bad);
        if (!image.topics.get(r.resourceName)) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, '');
        return result(ErrorCode.NONE, '', broker.describer.topic(image, r.resourceName, undefined, keys, docs));
      }
      if (r.resourceType === ResourceType.BROKER || r.resourceType === BROKER_LOGGER) {
        if (r.resourceName === '' && r.resourceType === ResourceType.BROKER) return result(ErrorCode.NONE, '', broker.describer.broker(image, false, keys, docs));
        if (!/^-?\d+$/.test(r.resourceName)) return result(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${r.resourceName}`);
        if (Number(r.resourceName) !== nodeId) {
          return result(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId} or empty string, but received ${r.resourceName}`);
        }
        // samsa has no per-logger levels to report.
        if (r.resourceType === BROKER_LOGGER) return result(ErrorCode.NONE, '');
        return result(ErrorCode.NONE, '', broker.describer.broker(image, true, keys, docs));
      }
      if (r.resourceType === GROUP_RESOURCE_TYPE) {
        if (r.resourceName === '') return result(ErrorCode.INVALID_REQUEST, 'Group name must not be empty');
        const layers = (name: string) => broker.describer.brokerLayers(image, name);
        return result(ErrorCode.NONE, '', describeGroupConfigs(image.configs.get(GROUP_RESOURCE_TYPE, r.resourceName), layers, keys, docs));
      }
      return result(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType}`);
    });
    return { throttleTimeMs: 0, results };
  },
});
