// What the web console reads and writes through: partition logs for the message browser, and the
// broker's own APIs called in-process, so produce, configs, groups, transactions, ACLs and quotas
// go through the same handlers (validation, coordinators, errors) a Kafka client's requests do.
import type { ApiRegistry } from '../../network/api.js';
import type { BrokerContext, RequestContext } from '../../handlers/handler.js';
import type { PartitionLog } from '../../storage/types.js';
import type { PushedMetrics } from '../../telemetry/client-metrics.js';
import { ANONYMOUS } from '../../security/principal.js';
import { httpRequest } from '../request-scope.js';

export interface ConsoleSource {
  /** This broker's id. */
  readonly nodeId: number;
  /** The brokers of the cluster that are up (unfenced), this one included. */
  brokerIds(): number[];
  /** One request handled by another broker of the cluster (rejects on a lone node). */
  requestTo(nodeId: number, apiKey: number, apiVersion: number, body: unknown): Promise<unknown>;
  /** A partition's log on this broker (leader or follower replica), or undefined. */
  partitionLog(topic: string, partition: number): PartitionLog | undefined;
  /** One request handled in-process by this broker's APIs, answered with the decoded response. */
  request<Res = any>(apiKey: number, apiVersion: number, body: unknown): Promise<Res>;
  /** The latest metrics each client pushed with KIP-714's PushTelemetry. */
  clientMetrics(): readonly PushedMetrics[];
}

/** The console's client id in the broker's request logs and quotas. */
export const CONSOLE_CLIENT_ID = 'samsa-console';

/**
 * `request` for a broker: the API's handler with a context like a PLAINTEXT client's on
 * `listenerName`, as the HTTP request's principal (User:ANONYMOUS on an open port), so an
 * authorizer's ACLs apply to the console too.
 */
export function inProcessRequests(broker: BrokerContext, registry: () => ApiRegistry<RequestContext>, listenerName: () => string): ConsoleSource['request'] {
  let correlationId = 0;
  let served: ApiRegistry<RequestContext> | undefined;
  return async (apiKey, apiVersion, body) => {
    const apis = (served ??= registry());
    const api = apis.get(apiKey);
    if (!api) throw new Error(`API key ${apiKey} is not served`);
    const after: (() => void)[] = [];
    const ctx: RequestContext = {
      apiKey,
      apiVersion,
      correlationId: ++correlationId,
      clientId: CONSOLE_CLIENT_ID,
      peer: 'console',
      listenerName: listenerName(),
      principal: httpRequest()?.principal ?? ANONYMOUS,
      securityProtocol: 'PLAINTEXT',
      apis,
      closeConnection: () => {},
      afterResponse: (fn) => void after.push(fn),
      broker,
    };
    try {
      return (await api.handle(ctx, body)) as any;
    } finally {
      for (const fn of after) fn();
    }
  };
}

/** `request` here, or on broker `nodeId` when that is another one. */
export function requestOn<Res = any>(src: ConsoleSource, nodeId: number, apiKey: number, apiVersion: number, body: unknown): Promise<Res> {
  return nodeId === src.nodeId || nodeId < 0 ? src.request<Res>(apiKey, apiVersion, body) : (src.requestTo(nodeId, apiKey, apiVersion, body) as Promise<Res>);
}
