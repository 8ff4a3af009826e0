// `/transactions`, `/security` (ACLs and client quotas) and `/client-metrics` (KIP-714 pushes).
import { html, page, table, time } from '../html.js';
import { acls, quotas, transactions } from '../admin.js';
import type { ConsoleSource } from '../source.js';
import { metricsSummary } from '../otlp.js';

export async function transactionsPage(src: ConsoleSource): Promise<string> {
  const rows = (await transactions(src)).map((t) => [t.transactionalId, t.state, t.producerId, t.producerEpoch, t.timeoutMs, time(t.startTimeMs), t.partitions.join(', ')]);
  return page('Transactions', table(['transactional id', 'state', 'producer id', 'epoch', 'timeout ms', 'started', 'partitions'], rows, { id: 'transactions', empty: 'No transactional ids.' }));
}

export async function securityPage(src: ConsoleSource): Promise<string> {
  const list = await acls(src);
  const q = await quotas(src);
  const body = html`<h2>ACLs</h2>${
    list === null
      ? html`<p class="empty">No authorizer is configured (authorizer.class.name): every request is allowed.</p>`
      : table(
          ['resource type', 'name', 'pattern', 'principal', 'host', 'operation', 'permission'],
          list.map((a) => [a.resourceType, a.resourceName, a.patternType, a.principal, a.host, a.operation, a.permission]),
          { id: 'acls', empty: 'No ACLs.' },
        )
  }<h2>Client quotas</h2>${table(
    ['entity', 'quotas'],
    q.map((e) => [e.entity, Object.entries(e.values).map(([k, v]) => `${k}=${v}`).join(', ')]),
    { id: 'quotas', empty: 'No client quotas.' },
  )}`;
  return page('ACLs & quotas', body);
}

export function clientMetricsPage(src: ConsoleSource, enabled: boolean): string {
  const pushed = src.clientMetrics();
  const body = html`${enabled ? '' : html`<p class="empty">Client telemetry is off (samsa.client.telemetry.enable=false): clients push nothing.</p>`}${
    pushed.length === 0 && enabled ? html`<p class="empty">No client has pushed metrics yet.</p>` : ''
  }${pushed.map(
    (p) => html`<h2>${p.clientId ?? '(no client id)'} <small><code>${p.clientInstanceId}</code> from ${p.peer} at ${time(p.receivedAtMs)}${p.terminating ? ' (terminating)' : ''}</small></h2>${table(
      ['metric', 'value', 'attributes'],
      metricsSummary(p.metrics).map((m) => [html`<code>${m.name}</code>`, m.value, m.attributes]),
      { empty: 'No data points.' },
    )}`,
  )}`;
  return page('Client metrics', body);
}
