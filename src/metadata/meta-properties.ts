// meta.properties: a log dir's identity as Kafka keeps it (version 1): cluster id, node id and
// directory id, written when the dir is formatted and checked at every start. Written byte for
// byte as Kafka 4.4 writes it (java.util.Properties.store: a date comment, then its key order).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { randomUuid } from './uuid.js';

export const META_PROPERTIES = 'meta.properties';

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
  directoryId: string;
}

/** meta.properties as stored: any field may be missing (version 0 files, damage). */
export interface StoredMetaProperties {
  version: number;
  clusterId?: string;
  nodeId?: number;
  directoryId?: string;
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

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Java's Date.toString() in UTC: "Sun Dec 06 06:03:49 UTC 2026". */
export function javaDateString(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** Properties.store's escaping of a key or value. */
function storeEscape(s: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = c.charCodeAt(0);
    if (c === ' ') out += i === 0 || isKey ? '\\ ' : ' ';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else if ('=:#!\\'.includes(c)) out += `\\${c}`;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

/** The file's bytes as Kafka writes them: Java's Hashtable order for these four keys. */
export function encodeMetaProperties(meta: MetaProperties, now = new Date()): string {
  const entries: [string, string][] = [
    ['node.id', String(meta.nodeId)],
    ['directory.id', meta.directoryId],
    ['version', '1'],
    ['cluster.id', meta.clusterId],
  ];
  return `#\n#${javaDateString(now)}\n` + entries.map(([k, v]) => `${storeEscape(k, true)}=${storeEscape(v, false)}\n`).join('');
}

/** Reads `<dir>/meta.properties`; null when the file does not exist. */
export async function readMetaProperties(dir: string): Promise<StoredMetaProperties | null> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, META_PROPERTIES), 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const props = parseProperties(text);
  const num = (k: string) => (props.has(k) ? Number(props.get(k)) : undefined);
  return {
    version: num('version') ?? 0,
    clusterId: props.get('cluster.id'),
    // A version 0 file names the node broker.id.
    nodeId: num('node.id') ?? num('broker.id'),
    directoryId: props.get('directory.id'),
  };
}

/** Writes `<dir>/meta.properties` atomically (temp file, fsync, rename), creating the dir. */
export async function writeMetaProperties(dir: string, meta: MetaProperties): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, META_PROPERTIES);
  const tmp = `${file}.tmp`;
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(encodeMetaProperties(meta), 'latin1');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
}

/** Kafka's refusal when a dir belongs to another node (MetaPropertiesEnsemble.verify). */
export function nodeIdMismatch(stored: number, expected: number, file: string): string {
  return (
    `Stored node id ${stored} doesn't match previous node id ${expected} in ${file}. ` +
    'If you moved your data, make sure your configured node id matches. If you intend to create a new node, ' +
    'you should remove all data in your data directories.'
  );
}

/** Kafka's refusal when a dir belongs to another cluster. */
export function clusterIdMismatch(expected: string, stored: string, file: string): string {
  return `Invalid cluster.id in: ${file}. Expected ${expected}, but read ${stored}`;
}

/** Reads `<dataDir>/meta.properties`, creating it (new cluster and directory ids) when missing. */
export async function loadOrCreateMetaProperties(dataDir: string, nodeId: number): Promise<MetaProperties> {
  const file = path.join(dataDir, META_PROPERTIES);
  const stored = await readMetaProperties(dataDir);
  if (stored !== null) {
    if (!stored.clusterId) throw new Error(`cluster.id was not specified in the v1 file: ${file}`);
    if (stored.nodeId !== undefined && stored.nodeId !== nodeId) throw new Error(nodeIdMismatch(stored.nodeId, nodeId, file));
    return { clusterId: stored.clusterId, nodeId, directoryId: stored.directoryId ?? randomUuid() };
  }
  const meta = { clusterId: randomUuid(), nodeId, directoryId: randomUuid() };
  await writeMetaProperties(dataDir, meta);
  return meta;
}
