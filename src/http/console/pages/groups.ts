// `/groups` (every group of every type) and `/groups/<id>` (members, assignments, lag per partition).
import { html, page, raw, seg, table } from '../html.js';
import { describeGroup, listGroups } from '../groups.js';
import type { ConsoleSource } from '../source.js';
import type { MetadataImage } from '../../../metadata/image.js';

export async function groupListPage(src: ConsoleSource): Promise<string> {
  const groups = await listGroups(src);
  const rows = groups.map((g) => [html`<a href="/groups/${raw(seg(g.groupId))}">${g.groupId}</a>`, g.type, g.state, g.protocolType]);
  return page('Groups', table(['group', 'type', 'state', 'protocol type'], rows, { id: 'groups', empty: 'No groups yet.' }));
}

export async function groupPage(src: ConsoleSource, image: MetadataImage, groupId: string): Promise<string | null> {
  const g = await describeGroup(src, image, groupId);
  if (!g) return null;
  const totalLag = g.offsets.reduce((n, o) => n + Math.max(o.lag, 0), 0);
  const members = table(
    ['member', 'instance', 'client id', 'host', 'assignment'],
    g.members.map((m) => [html`<code>${m.memberId}</code>`, m.instanceId ?? '-', m.clientId, m.clientHost, m.assignment.join(', ')]),
    { id: 'members', empty: 'No members.' },
  );
  const offsets = table(
    ['topic', 'partition', g.type === 'share' ? 'start offset' : 'committed offset', 'end offset', 'lag'],
    g.offsets.map((o) => [
      html`<a href="/topics/${raw(seg(o.topic))}">${o.topic}</a>`,
      o.partition,
      o.offset < 0 ? '-' : o.offset,
      o.highWatermark < 0 ? '-' : o.highWatermark,
      html`<span class="lag">${o.lag < 0 ? '-' : o.lag}</span>`,
    ]),
    { id: 'lag', empty: 'No committed offsets.' },
  );
  const body = html`<p>Type <b id="group-type">${g.type}</b>, state <b id="group-state">${g.state}</b>, total lag <b id="total-lag">${totalLag}</b>.</p>
${g.error ? html`<p class="error">${g.error}</p>` : ''}
<h2>Members</h2>${members}<h2>Lag per partition</h2>${offsets}`;
  return page(`Group ${g.groupId}`, body);
}
