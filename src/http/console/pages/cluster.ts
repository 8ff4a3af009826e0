// `/cluster`: the cluster id, brokers and controllers from the metadata image, finalized features
// and this broker's configs (DescribeConfigs).
import type { MetadataImage } from '../../../metadata/image.js';
import { html, page, table } from '../html.js';
import type { ConsoleSource } from '../source.js';
import { describeConfigs } from '../topics.js';

export async function clusterPage(src: ConsoleSource, image: MetadataImage, nodeId: number): Promise<string> {
  const brokers = [...image.cluster.brokers.values()].sort((a, b) => a.id - b.id);
  const controllers = [...image.cluster.controllers.values()].sort((a, b) => a.id - b.id);
  const configs = await describeConfigs(src, 4, String(nodeId));
  const endpoints = (es: readonly { name: string; host: string; port: number }[]) => es.map((e) => `${e.name}://${e.host}:${e.port}`).join(', ');
  const body = html`<p>Cluster id <code id="cluster-id">${image.clusterId}</code>; this console runs on broker ${nodeId}; metadata offset ${image.offset}.</p>
<h2>Brokers</h2>${table(
    ['id', 'endpoints', 'rack', 'state', 'epoch'],
    brokers.map((b) => [b.id === nodeId ? html`<b>${b.id}</b>` : b.id, endpoints(b.endpoints), b.rack ?? '-', b.fenced ? 'fenced' : b.inControlledShutdown ? 'shutting down' : 'active', b.epoch]),
    { id: 'brokers' },
  )}
<h2>Controllers</h2>${table(['id', 'endpoints'], controllers.map((c) => [c.id, endpoints(c.endpoints)]), { id: 'controllers', empty: 'No registered controllers (a lone node).' })}
<h2>Features</h2>${table(['feature', 'finalized level'], [...image.features.finalized].sort().map(([k, v]) => [k, v]), { id: 'features' })}
<h2>Broker configs</h2>${table(
    ['config', 'value', 'source'],
    configs.map((c) => [html`<code>${c.name}</code>`, c.sensitive ? html`<span class="null">(sensitive)</span>` : (c.value ?? html`<span class="null">null</span>`), c.source]),
    { id: 'broker-configs' },
  )}`;
  return page('Cluster', body);
}
