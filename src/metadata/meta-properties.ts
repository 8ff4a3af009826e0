// meta.properties: the log dir's identity as Kafka keeps it (version 1): cluster id, node id and
// directory id, written once when the dir is first used and checked at every start.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { randomUuid } from './uuid.js';

export const META_PROPERTIES = 'meta.properties';

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
  directoryId: string;
}

export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

/** Reads `<dataDir>/meta.properties`, creating it (new cluster and directory ids) when missing. */
export async function loadOrCreateMetaProperties(dataDir: string, nodeId: number): Promise<MetaProperties> {
  const file = path.join(dataDir, META_PROPERTIES);
  let text: string | null = null;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text !== null) {
    const props = parseProperties(text);
    const clusterId = props.get('cluster.id');
    const stored = Number(props.get('node.id'));
    if (!clusterId) throw new Error(`${file} has no cluster.id`);
    if (props.has('node.id') && stored !== nodeId) {
      throw new Error(`Stored node id ${stored} doesn't match previous node id ${nodeId} in ${file}`);
    }
    return { clusterId, nodeId, directoryId: props.get('directory.id') ?? randomUuid() };
  }
  const meta = { clusterId: randomUuid(), nodeId, directoryId: randomUuid() };
  const body =
    `#\n#${new Date().toString()}\n` +
    `cluster.id=${meta.clusterId}\ndirectory.id=${meta.directoryId}\nnode.id=${nodeId}\nversion=1\n`;
  const tmp = `${file}.tmp`;
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(body);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
  return meta;
}
