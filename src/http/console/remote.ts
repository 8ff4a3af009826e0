// The console's requests to other brokers of a cluster (produce to a partition's leader, a group
// at its coordinator, ListGroups on every broker): the API's own codecs over an inter-broker
// NodeClient, sent to the broker's inter-broker listener.
import { HANDLERS } from '../../handlers/registry.js';
import type { NodeClient, NodeEndpoint } from '../../network/node-client.js';

export type RemoteRequest = (nodeId: number, apiKey: number, apiVersion: number, body: unknown) => Promise<unknown>;

export function remoteRequests(client: NodeClient, endpoint: (nodeId: number) => NodeEndpoint | null, timeoutMs: () => number): RemoteRequest {
  return (nodeId, apiKey, apiVersion, body) => {
    const api = HANDLERS.get(apiKey);
    if (!api) return Promise.reject(new Error(`API key ${apiKey} is not served`));
    const e = endpoint(nodeId);
    if (!e) return Promise.reject(new Error(`no endpoint known for broker ${nodeId}`));
    client.setEndpoint(nodeId, e);
    return client.send(nodeId, api.request as never, api.response as never, apiVersion, body as never, timeoutMs());
  };
}
