// ListConfigResources (key 74), v0-1; v0 is Kafka 3.7's ListClientMetricsResources, v1 (KIP-1142)
// names the resource types to list. Kafka answers with the resources that can carry configs, by
// type in a fixed order: groups and client-metrics subscriptions that have configs, every live
// broker (as BROKER_LOGGER and as BROKER), every topic. No types means all a version knows (v0:
// CLIENT_METRICS only); any other type makes the whole answer UNSUPPORTED_VERSION.
import { ListConfigResourcesRequest } from '../protocol/generated/list-config-resources-request.js';
import { ListConfigResourcesResponse } from '../protocol/generated/list-config-resources-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';

/** Kafka's ConfigResource.Type ids. */
const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const CLIENT_METRICS = 16;
const GROUP = 32;

type Resource = ListConfigResourcesResponse['configResources'][number];

export default defineHandler<ListConfigResourcesRequest, ListConfigResourcesResponse>({
  apiKey: 74,
  minVersion: 0,
  maxVersion: 1,
  request: ListConfigResourcesRequest,
  response: ListConfigResourcesResponse,
  handle(ctx, req) {
    // Kafka's KafkaApis: DESCRIBE_CONFIGS on the cluster for the whole list.
    if (!clusterAuthorized(ctx, Op.DESCRIBE_CONFIGS)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, configResources: [] };
    const supported = ctx.apiVersion === 0 ? [CLIENT_METRICS] : [TOPIC, BROKER, BROKER_LOGGER, CLIENT_METRICS, GROUP];
    const requested = req.resourceTypes ?? [];
    if (requested.some((t) => !supported.includes(t))) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, configResources: [] };
    }
    const types = new Set(requested.length === 0 ? supported : requested);
    const image = ctx.broker.image;
    const out: Resource[] = [];
    const add = (resourceType: number, names: Iterable<string>) => {
      if (types.has(resourceType)) for (const resourceName of names) out.push({ resourceName, resourceType });
    };
    add(GROUP, configuredNames(image, GROUP));
    add(CLIENT_METRICS, configuredNames(image, CLIENT_METRICS));
    const brokers = liveBrokerIds(image);
    add(BROKER_LOGGER, brokers);
    add(BROKER, brokers);
    add(TOPIC, [...image.topics.all()].map((t) => t.name));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, configResources: out };
  },
});

/** Names of the resources of one type that have configs set (groups and subscriptions exist only as configs). */
function configuredNames(image: MetadataImage, type: number): string[] {
  const prefix = `${type}:`;
  const names: string[] = [];
  for (const key of image.configs.resources.keys()) if (key.startsWith(prefix)) names.push(key.slice(prefix.length));
  return names;
}

function liveBrokerIds(image: MetadataImage): string[] {
  return [...image.cluster.brokers.values()]
    .filter((b) => !b.fenced)
    .map((b) => b.id)
    .sort((a, b) => a - b)
    .map(String);
}
