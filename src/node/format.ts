// Formatting a node's directories as Kafka 4.4's `kafka-storage format` does: meta.properties
// (version 1, cluster id, node id, a directory id of its own) in every log dir and the metadata
// log dir, and in the metadata log dir the bootstrap checkpoint
// __cluster_metadata-0/00000000000000000000-0000000000.checkpoint: a control batch (SnapshotHeader;
// with a dynamic quorum also KRaftVersion 1 and, given initial controllers, the VotersRecord),
// the bootstrap feature levels, a control batch with the SnapshotFooter. Also the check every
// start makes of formatted dirs (MetaPropertiesEnsemble.verify), with Kafka's messages.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BOOTSTRAP_FEATURES } from '../metadata/features.js';
import {
  META_PROPERTIES,
  clusterIdMismatch,
  nodeIdMismatch,
  readMetaProperties,
  writeMetaProperties,
  type StoredMetaProperties,
} from '../metadata/meta-properties.js';
import { METADATA_TOPIC } from '../metadata/metadata-log.js';
import { RecordType, encodeMetadataRecord, type MetadataRecord } from '../metadata/records.js';
import { snapshotFileName } from '../metadata/snapshot.js';
import { randomUuid } from '../metadata/uuid.js';
import { KRaftVersionRecord } from '../protocol/generated/k-raft-version-record.js';
import { SnapshotFooterRecord } from '../protocol/generated/snapshot-footer-record.js';
import { SnapshotHeaderRecord } from '../protocol/generated/snapshot-header-record.js';
import { VotersRecord } from '../protocol/generated/voters-record.js';
import { BATCH_HEADER_SIZE, batchSize, isControl, readBatchHeader } from '../protocol/records/batch.js';
import { buildBatch, decodeRecords } from '../protocol/records/records.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import type { NodeConfig, QuorumVoter } from './config.js';

/** A refusal of `format` or of a start over formatted dirs; its message is the one line printed. */
export class FormatterError extends Error {}

/** The release Kafka 4.4.0 formats with (metadata.version 33). */
export const RELEASE_VERSION = '4.4-IV2';

/** Kafka's control record types in a snapshot's framing. */
const SNAPSHOT_HEADER = 3;
const SNAPSHOT_FOOTER = 4;
const KRAFT_VERSION = 5;
const KRAFT_VOTERS = 6;

/** A base64url Uuid as Kafka prints one (22 characters, 16 bytes). */
function isUuid(s: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(s) && Buffer.from(s, 'base64url').length === 16;
}

/**
 * `--initial-controllers id@host:port:directoryId,...` parsed as Kafka's DynamicVoters.parse
 * does (same messages), in node id order.
 */
export function parseInitialControllers(input: string): QuorumVoter[] {
  const voters = new Map<number, QuorumVoter>();
  for (const entry of input.split(',')) {
    const v = parseDynamicVoter(entry);
    if (voters.has(v.id)) throw new FormatterError(`Node id ${v.id} was specified more than once.`);
    voters.set(v.id, v);
  }
  if (voters.size === 0) throw new FormatterError('No voters given.');
  return [...voters.values()].sort((a, b) => a.id - b.id);
}

function parseDynamicVoter(raw: string): QuorumVoter {
  let input = raw.trim();
  const at = input.indexOf('@');
  if (at < 0) throw new FormatterError('No @ found in dynamic voter string.');
  if (at === 0) throw new FormatterError('Invalid @ at beginning of dynamic voter string.');
  const idString = input.slice(0, at);
  if (!/^[-+]?\d+$/.test(idString) || Math.abs(Number(idString)) > 2147483647) throw new FormatterError('Failed to parse node id in dynamic voter string.');
  const id = Number(idString);
  if (id < 0) throw new FormatterError(`Invalid negative node id ${id} in dynamic voter string.`);
  input = input.slice(at + 1);
  if (input === '') throw new FormatterError('No hostname found after node id.');
  let host: string;
  if (input.startsWith('[')) {
    const end = input.indexOf(']');
    if (end < 0) throw new FormatterError('Hostname began with left bracket, but no right bracket was found.');
    host = input.slice(1, end);
    input = input.slice(end + 1);
  } else {
    const colon = input.indexOf(':');
    if (colon < 0) throw new FormatterError('No colon following hostname could be found.');
    host = input.slice(0, colon);
    input = input.slice(colon);
  }
  if (!input.startsWith(':')) throw new FormatterError('Port section must start with a colon.');
  input = input.slice(1);
  const colon = input.indexOf(':');
  if (colon < 0) throw new FormatterError('No colon following port could be found.');
  const portString = input.slice(0, colon);
  if (!/^[-+]?\d+$/.test(portString) || Math.abs(Number(portString)) > 2147483647) throw new FormatterError('Failed to parse port in dynamic voter string.');
  const port = Number(portString);
  if (port < 0 || port > 65535) throw new FormatterError(`Invalid port ${port} in dynamic voter string.`);
  const directoryId = input.slice(colon + 1);
  if (!isUuid(directoryId)) throw new FormatterError('Failed to parse directory ID in dynamic voter string.');
  return { id, host, port, directoryId };
}

function controlRecord(type: number, value: Buffer, timestamp: number) {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0); // control record key version
  key.writeInt16BE(type, 2);
  return { key, value, timestamp };
}

function encoded<T>(codec: { encode(w: Writer, v: number, m: T): void }, m: T): Buffer {
  const w = new Writer(64);
  codec.encode(w, 0, m);
  return w.toBuffer();
}

export interface BootstrapCheckpointOptions {
  /** kraft.version: 1 with a dynamic quorum (controller.quorum.voters unset), else 0. */
  kraftVersion: 0 | 1;
  /** The initial voter set (--standalone / --initial-controllers), with its endpoint name. */
  voters?: { voters: QuorumVoter[]; listenerName: string };
  /** Records after the feature levels in the same batch (--add-scram's UserScramCredentialRecords). */
  records?: MetadataRecord[];
  now?: number;
}

/** The bytes of the bootstrap checkpoint (snapshot 0-0) Kafka 4.4's format writes. */
export function encodeBootstrapCheckpoint(o: BootstrapCheckpointOptions): Buffer {
  const now = o.now ?? Date.now();
  const control = [controlRecord(SNAPSHOT_HEADER, encoded(SnapshotHeaderRecord, { version: 0, lastContainedLogTimestamp: now }), now)];
  if (o.kraftVersion === 1) control.push(controlRecord(KRAFT_VERSION, encoded(KRaftVersionRecord, { version: 0, kRaftVersion: 1 }), now));
  if (o.voters) {
    const voters = o.voters.voters.map((v) => ({
      voterId: v.id,
      voterDirectoryId: v.directoryId!,
      endpoints: [{ name: o.voters!.listenerName, host: v.host, port: v.port }],
      kRaftVersionFeature: { minSupportedVersion: 0, maxSupportedVersion: 1 },
    }));
    control.push(controlRecord(KRAFT_VOTERS, encoded(VotersRecord, { version: 0, voters }), now));
  }
  const features = [
    ...[...BOOTSTRAP_FEATURES].map(([name, featureLevel]) => ({ type: RecordType.FEATURE_LEVEL, version: 0, data: { name, featureLevel } })),
    ...(o.records ?? []),
  ].map((r) => ({ key: null, value: encodeMetadataRecord(r), timestamp: now }));
  const footer = controlRecord(SNAPSHOT_FOOTER, encoded(SnapshotFooterRecord, { version: 0 }), now);
  return Buffer.concat([
    buildBatch({ baseOffset: 0, partitionLeaderEpoch: 0, control: true, records: control }),
    buildBatch({ baseOffset: control.length, partitionLeaderEpoch: 0, records: features }),
    buildBatch({ baseOffset: control.length + features.length, partitionLeaderEpoch: 0, control: true, records: [footer] }),
  ]);
}

/** The bootstrap checkpoint's quorum facts: kraft.version and, for a dynamic quorum, the initial voters. */
export interface BootstrapQuorum {
  kraftVersion: number;
  /** The initial voter set with each voter's endpoint name (null: none written). */
  voters: { voters: QuorumVoter[]; listenerName: string } | null;
}

/** The bootstrap checkpoint's path in a metadata log dir. */
export function bootstrapCheckpointPath(metadataLogDir: string): string {
  return path.join(metadataLogDir, `${METADATA_TOPIC}-0`, snapshotFileName({ offset: 0, epoch: 0 }));
}

/**
 * Reads the quorum facts from the bootstrap checkpoint of a metadata log dir (null when there is
 * none): what a node of a dynamic quorum starts its voter set from, as Kafka's does.
 */
export async function readBootstrapQuorum(metadataLogDir: string): Promise<BootstrapQuorum | null> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(bootstrapCheckpointPath(metadataLogDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const out: BootstrapQuorum = { kraftVersion: 0, voters: null };
  for (let pos = 0; pos + BATCH_HEADER_SIZE <= buf.length; ) {
    const size = batchSize(buf, pos);
    if (!isControl(readBatchHeader(buf, pos).attributes)) break; // the quorum facts come first, in control records
    for (const rec of decodeRecords(buf, pos)) {
      const type = rec.key?.readInt16BE(2);
      if (type === KRAFT_VERSION) out.kraftVersion = KRaftVersionRecord.decode(new Reader(rec.value!), 0).kRaftVersion;
      if (type === KRAFT_VOTERS) {
        const record = VotersRecord.decode(new Reader(rec.value!), 0);
        out.voters = {
          listenerName: record.voters[0]?.endpoints[0]?.name ?? '',
          voters: record.voters.map((v) => ({ id: v.voterId, host: v.endpoints[0]?.host ?? '', port: v.endpoints[0]?.port ?? 0, directoryId: v.voterDirectoryId })),
        };
      }
    }
    pos += size;
  }
  return out;
}

export interface FormatOptions {
  clusterId: string;
  config: NodeConfig;
  /** --standalone: this controller alone is the initial voter set. */
  standalone?: boolean;
  /** --initial-controllers id@host:port:directoryId,... */
  initialControllers?: string;
  /** --no-initial-controllers: a controller that will join an existing dynamic quorum. */
  noInitialControllers?: boolean;
  /** --ignore-formatted: format the empty dirs, leave formatted ones. */
  ignoreFormatted?: boolean;
  /** Whether to write the bootstrap checkpoint (kafka-storage always does). */
  bootstrapCheckpoint?: boolean;
  /** Extra bootstrap records (--add-scram), made once the quorum flags have passed their checks, as Kafka orders its refusals. */
  bootstrapRecords?: () => MetadataRecord[];
  /** Where kafka-storage's "Formatting ..." lines go. */
  print?: (line: string) => void;
}

/** Every dir the node formats: its log dirs and the metadata log dir, once each, sorted. */
export function nodeDirectories(config: NodeConfig): string[] {
  return [...new Set([...config.logDirs, config.metadataLogDir].map((d) => path.resolve(d)))].sort();
}

/** Kafka's verify over the formatted dirs: one cluster id (the expected one if given), this node's id. */
function verify(stored: Map<string, StoredMetaProperties>, nodeId: number, expectedClusterId: string | undefined): string | undefined {
  let clusterId = expectedClusterId;
  const seen = new Map<string, string>();
  for (const [dir, m] of stored) {
    const file = path.join(dir, META_PROPERTIES);
    if (m.clusterId === undefined) {
      if (m.version >= 1) throw new FormatterError(`cluster.id was not specified in the v1 file: ${file}`);
    } else if (clusterId === undefined) clusterId = m.clusterId;
    else if (m.clusterId !== clusterId) throw new FormatterError(clusterIdMismatch(clusterId, m.clusterId, file));
    if (m.nodeId === undefined) {
      if (m.version >= 1) throw new FormatterError(`node.id was not specified in ${file}`);
    } else if (m.nodeId !== nodeId) throw new FormatterError(nodeIdMismatch(m.nodeId, nodeId, file));
    if (m.directoryId !== undefined) {
      const prev = seen.get(m.directoryId);
      if (prev !== undefined) throw new FormatterError(`Duplicate directory ID Optional[${m.directoryId}] found. It was the ID of ${prev}, but also of ${dir}`);
      seen.set(m.directoryId, dir);
    }
  }
  return clusterId;
}

async function readAll(dirs: string[]): Promise<Map<string, StoredMetaProperties>> {
  const out = new Map<string, StoredMetaProperties>();
  for (const dir of dirs) {
    const m = await readMetaProperties(dir);
    if (m) out.set(dir, m);
  }
  return out;
}

/** The voters written into the checkpoint, and whether this node's metadata dir is one of theirs. */
function initialVoters(o: FormatOptions): QuorumVoter[] | undefined {
  const c = o.config;
  if ((o.standalone || o.initialControllers !== undefined) && c.voters.length > 0) {
    throw new FormatterError(
      'You cannot specify controller.quorum.voters and format the node with --initial-controllers or --standalone. ' +
        'If you want to use dynamic quorum, please remove controller.quorum.voters and specify controller.quorum.bootstrap.servers instead.',
    );
  }
  let voters: QuorumVoter[] | undefined;
  if (o.initialControllers !== undefined) voters = parseInitialControllers(o.initialControllers);
  if (o.standalone) {
    if (!c.roles.includes('controller')) throw new FormatterError('You can only use --standalone on a controller.');
    const listener = c.advertisedControllerListeners[0];
    if (!listener) throw new FormatterError('No controller listeners found.');
    voters = [{ id: c.nodeId, host: listener.host === '' ? 'localhost' : listener.host, port: listener.port, directoryId: randomUuid() }];
  }
  if (!o.noInitialControllers && c.roles.includes('controller') && c.voters.length === 0 && voters === undefined) {
    throw new FormatterError(
      'Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers.',
    );
  }
  return voters;
}

/**
 * Formats the node's dirs as `kafka-storage format` does. Refuses (FormatterError) a formatted dir
 * unless ignoreFormatted, and dirs that belong to another cluster or node.
 */
export async function formatNode(o: FormatOptions): Promise<void> {
  const print = o.print ?? (() => {});
  const c = o.config;
  const voters = initialVoters(o);
  const records = o.bootstrapRecords?.() ?? [];
  const dirs = nodeDirectories(c);
  const metadataDir = path.resolve(c.metadataLogDir);
  const stored = await readAll(dirs);
  verify(stored, c.nodeId, o.clusterId);
  if (!o.ignoreFormatted && stored.size > 0) {
    throw new FormatterError(`Log directory ${[...stored.keys()][0]} is already formatted. Use --ignore-formatted to ignore this directory and format the others.`);
  }
  const empty = dirs.filter((d) => !stored.has(d));
  if (empty.length === 0) {
    print('All of the log directories are already formatted.');
    return;
  }
  const own = voters?.find((v) => v.id === c.nodeId);
  for (const dir of empty) {
    const isMetadata = dir === metadataDir;
    const description = !isMetadata
      ? 'data directory'
      : voters === undefined
        ? 'metadata directory'
        : own
          ? 'dynamic metadata voter directory'
          : 'dynamic metadata directory';
    print(`Formatting ${description} ${dir} with metadata.version ${RELEASE_VERSION}.`);
    // A voter's metadata dir carries the directory id the voter set names it by.
    const directoryId = isMetadata && own ? own.directoryId! : randomUuid();
    if (isMetadata && o.bootstrapCheckpoint !== false) {
      await fsp.mkdir(path.dirname(bootstrapCheckpointPath(dir)), { recursive: true });
      const bytes = encodeBootstrapCheckpoint({
        kraftVersion: c.voters.length === 0 ? 1 : 0,
        voters: voters && { voters, listenerName: c.controllerListenerNames[0] },
        records,
      });
      await writeFileSynced(bootstrapCheckpointPath(dir), bytes);
    }
    await writeMetaProperties(dir, { clusterId: o.clusterId, nodeId: c.nodeId, directoryId });
  }
}

async function writeFileSynced(file: string, data: Buffer): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
}

export interface FormattedNode {
  clusterId: string;
  /** Each dir's directory id (absolute paths). */
  directoryIds: Map<string, string>;
  /** The metadata log dir's directory id (a voter's id in the quorum). */
  metadataDirectoryId: string;
}

/**
 * What a cluster node does at start: dirs already formatted are checked (one cluster id, equal to
 * `clusterId` when given; this node's id), unformatted ones are formatted with the cluster id
 * (given, or the formatted dirs' own) and meta.properties only, as for a static quorum.
 * Refuses with Kafka's message when a dir belongs to another cluster or node, and when no cluster
 * id is known at all.
 */
export async function ensureFormatted(config: NodeConfig, clusterId?: string): Promise<FormattedNode> {
  const dirs = nodeDirectories(config);
  const stored = await readAll(dirs);
  const known = verify(stored, config.nodeId, clusterId);
  if (known === undefined) {
    throw new FormatterError('No readable meta.properties files found. Give the cluster id with --cluster-id ID, or format the node with samsa format -t ID -c FILE.');
  }
  const directoryIds = new Map<string, string>();
  for (const dir of dirs) {
    const m = stored.get(dir);
    let id = m?.directoryId;
    if (!m || !id) {
      id = randomUuid();
      await writeMetaProperties(dir, { clusterId: known, nodeId: config.nodeId, directoryId: id });
    }
    directoryIds.set(dir, id);
  }
  return { clusterId: known, directoryIds, metadataDirectoryId: directoryIds.get(path.resolve(config.metadataLogDir))! };
}

