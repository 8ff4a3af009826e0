// The fuzzer's seed frames: real client requests, each traced once through samsa's own decoder so
// the mutator knows where its length fields, scalars and record batches are.
//  - kafkajs: its own request encoders (node_modules/kafkajs/src/protocol/requests/*), every version.
//  - Apache Kafka 4.4.0's Java clients and tools: frames recorded by capture-java-frames.ts.
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_KEYS, RequestHeader } from '../../src/protocol/generated/index.js';
import { Writer } from '../../src/protocol/writer.js';
import { decodeRequestHeader, requestHeaderVersion } from '../../src/protocol/headers.js';
import { Reader } from '../../src/protocol/reader.js';
import { HANDLERS } from '../../src/handlers/registry.js';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const JAVA_FIXTURE = path.join(HERE, 'fixtures/java-4.4.0.frames');

/** Names the fuzz broker is prepared with, so mutated requests reach past "unknown topic". */
export const FUZZ_TOPIC = 'fuzz';
export const FUZZ_GROUP = 'fuzz-group';
/** The topic and group the Java frames name (capture-java-frames.ts). */
export const JAVA_TOPIC = 'java-frames';
export const JAVA_GROUP = 'java-group';

/** Where a field sits in a frame body (the bytes after the size prefix). */
export interface Field {
  at: number;
  /** Bytes it takes (a varint's own length). */
  width: number;
  kind: 'int8' | 'int16' | 'int32' | 'int64' | 'uvarint';
}

/** A record batch (magic 2) inside a frame body. */
export interface BatchSpan {
  at: number;
  length: number;
  /** Varint fields of its records (lengths, deltas, header counts); empty when compressed. */
  recordFields: Field[];
}

export interface Seed {
  source: 'kafkajs' | 'java' | 'synthesized';
  label: string;
  apiKey: number;
  apiVersion: number;
  /** The frame without its size prefix. */
  body: Buffer;
  lengths: Field[];
  scalars: Field[];
  batches: BatchSpan[];
  /** samsa's decoder read the whole body (false for APIs or versions samsa does not serve). */
  decoded: boolean;
}

/** Records where each length prefix and scalar is read while samsa decodes a frame. */
class TracingReader extends Reader {
  lengths: Field[] = [];
  scalars: Field[] = [];
  batches: BatchSpan[] = [];
  private depth = 0;

  private len<T>(kind: Field['kind'], width: number, read: () => T): T {
    const at = this.offset;
    this.depth++;
    try {
      const v = read();
      this.lengths.push({ at, width: kind === 'uvarint' ? varintWidth(this.buf, at) : width, kind });
      return v;
    } finally {
      this.depth--;
    }
  }
  private scalar<T>(kind: Field['kind'], width: number, read: () => T): T {
    const at = this.offset;
    const v = read();
    if (this.depth === 0) this.scalars.push({ at, width, kind });
    return v;
  }
  override int8() { return this.scalar('int8', 1, () => super.int8()); }
  override int16() { return this.scalar('int16', 2, () => super.int16()); }
  override int32() { return this.scalar('int32', 4, () => super.int32()); }
  override int64() { return this.scalar('int64', 8, () => super.int64()); }
  override string() { return this.len('int16', 2, () => super.string()); }
  override nullableString() { return this.len('int16', 2, () => super.nullableString()); }
  override compactString() { return this.len('uvarint', 0, () => super.compactString()); }
  override compactNullableString() { return this.len('uvarint', 0, () => super.compactNullableString()); }
  override bytes() { return this.len('int32', 4, () => super.bytes()); }
  override nullableBytes() { return this.batchesIn(this.len('int32', 4, () => super.nullableBytes())); }
  override compactBytes() { return this.len('uvarint', 0, () => super.compactBytes()); }
  override compactNullableBytes() { return this.batchesIn(this.len('uvarint', 0, () => super.compactNullableBytes())); }
  override arrayLength() { return this.len('int32', 4, () => super.arrayLength()); }
  override compactArrayLength() { return this.len('uvarint', 0, () => super.compactArrayLength()); }
  override taggedFields() { return this.len('uvarint', 0, () => super.taggedFields()); }
  // Record sets are nullable bytes: any that hold magic-2 batches are traced into.
  private batchesIn(b: Buffer | null): Buffer | null {
    if (b !== null && b.length >= 61) this.batches.push(...findBatches(this.buf, this.offset - b.length, b.length));
    return b;
  }
}

export function varintWidth(buf: Buffer, at: number): number {
  let i = at;
  while (i < buf.length && i - at < 10 && buf[i] & 0x80) i++;
  return i - at + 1;
}

/** The batches laid end to end in a records field, with their records' varints when uncompressed. */
function findBatches(buf: Buffer, start: number, length: number): BatchSpan[] {
  const out: BatchSpan[] = [];
  let at = start;
  const end = start + length;
  while (at + 61 <= end) {
    const batchLength = buf.readInt32BE(at + 8);
    const total = 12 + batchLength;
    if (batchLength < 49 || at + total > end || buf[at + 16] !== 2) break;
    const recordFields: Field[] = [];
    if ((buf.readInt16BE(at + 21) & 0x7) === 0) {
      try {
        recordVarints(buf, at + 61, at + total, buf.readInt32BE(at + 57), recordFields);
      } catch {
        // A batch the trace cannot follow is still mutated as bytes.
      }
    }
    out.push({ at, length: total, recordFields });
    at += total;
  }
  return out;
}

function recordVarints(buf: Buffer, at: number, end: number, count: number, out: Field[]): void {
  const r = new Reader(buf.subarray(0, end), at);
  const v = (signed: boolean, long = false) => {
    const f: Field = { at: r.offset, width: varintWidth(buf, r.offset), kind: 'uvarint' };
    out.push(f);
    return long ? r.varlong() : signed ? r.varint() : r.uvarint();
  };
  for (let i = 0; i < count && r.offset < end; i++) {
    v(true); // record length
    r.int8(); // attributes
    v(true, true); // timestamp delta
    v(true); // offset delta
    const k = v(true);
    if (k > 0) r.offset += k;
    const val = v(true);
    if (val > 0) r.offset += val;
    const headers = v(true);
    for (let h = 0; h < headers; h++) {
      const hk = v(true);
      if (hk > 0) r.offset += hk;
      const hv = v(true);
      if (hv > 0) r.offset += hv;
    }
  }
}

/** Traces a frame body; a frame samsa cannot decode keeps only its header's fields. */
export function traceSeed(source: Seed['source'], label: string, body: Buffer): Seed {
  const apiKey = body.readInt16BE(0);
  const apiVersion = body.readInt16BE(2);
  const r = new TracingReader(body);
  let decoded = false;
  try {
    decodeRequestHeader(r, requestHeaderVersion(apiKey, apiVersion));
    const codec = API_KEYS[apiKey]?.request;
    if (codec) {
      codec.decode(r, apiVersion);
      decoded = r.remaining() === 0;
    }
  } catch {
    // Unserved versions (removed in Kafka 4) still make good seeds for the refusal paths.
  }
  return { source, label, apiKey, apiVersion, body, lengths: r.lengths, scalars: r.scalars, batches: r.batches, decoded };
}

// ---- kafkajs ---------------------------------------------------------------------------------

const kafkajsRoot = require.resolve('kafkajs/package.json').replace(/package\.json$/, '');
const requestsDir = `${kafkajsRoot}src/protocol/requests`;
const Long = require('kafkajs/src/utils/long');

const T = FUZZ_TOPIC;
const G = FUZZ_GROUP;

/** Arguments for each kafkajs request builder (each version takes what it needs). */
function kafkajsArgs(): Record<string, any> {
  const messages = [
    { key: 'k1', value: 'v1', timestamp: 1700000000000, headers: { h: 'x', i: 'yz' } },
    { key: null, value: 'v2'.repeat(20), timestamp: 1700000000005 },
    { key: 'k3', value: null, timestamp: 1700000000009 },
  ];
  const produce = (compression: number, acks: number, producerId = -1) => ({
    acks,
    timeout: 3000,
    transactionalId: null,
    producerId: Long.fromNumber(producerId),
    producerEpoch: producerId >= 0 ? 0 : -1,
    compression,
    topicData: [{ topic: T, partitions: [{ partition: 1, firstSequence: producerId >= 0 ? 0 : -1, messages }] }],
  });
  return {
    apiVersions: [{}],
    metadata: [{ topics: [T, 'other'], allowAutoTopicCreation: false }, { topics: [], allowAutoTopicCreation: true }],
    // gzip is the codec kafkajs ships; the Java frames bring snappy, lz4 and zstd.
    produce: [produce(0, -1), produce(1, 1), produce(0, 1, 4242)],
    fetch: [{
      replicaId: -1, maxWaitTime: 100, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1, rackId: '',
      topics: [{ topic: T, partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 65536 }, { partition: 1, fetchOffset: '1', maxBytes: 65536, currentLeaderEpoch: 0, logStartOffset: '0' }] }],
      forgottenTopics: [],
    }],
    listOffsets: [{ replicaId: -1, isolationLevel: 1, topics: [{ topic: T, partitions: [{ partition: 0, timestamp: -1 }, { partition: 1, timestamp: 1700000000000 }] }] }],
    createTopics: [{
      topics: [{ topic: 'fuzz-new', numPartitions: 2, replicationFactor: 1, replicaAssignment: [], configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      timeout: 3000,
      validateOnly: false,
    }],
    initProducerId: [{ transactionalId: null, transactionTimeout: 60000 }],
    findCoordinator: [{ groupId: G, coordinatorKey: G, coordinatorType: 0 }],
    joinGroup: [{
      groupId: G, sessionTimeout: 6000, rebalanceTimeout: 3000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('00000000000100046675747a00000000', 'hex') }],
    }],
    syncGroup: [{ groupId: G, generationId: 1, memberId: 'member-1', groupInstanceId: null, groupAssignment: [{ memberId: 'member-1', memberAssignment: Buffer.from('assignment') }] }],
    heartbeat: [{ groupId: G, groupGenerationId: 1, memberId: 'member-1', groupInstanceId: null }],
    offsetCommit: [{
      groupId: G, groupGenerationId: -1, memberId: '', retentionTime: -1,
      topics: [{ topic: T, partitions: [{ partition: 0, offset: '1', timestamp: 1700000000000, metadata: null }, { partition: 2, offset: '0', metadata: 'md' }] }],
    }],
    offsetFetch: [{ groupId: G, topics: [{ topic: T, partitions: [{ partition: 0 }, { partition: 1 }] }] }],
    leaveGroup: [{ groupId: G, memberId: 'member-1', members: [{ memberId: 'member-1', groupInstanceId: null }] }],
    describeGroups: [{ groupIds: [G, 'other-group'] }],
    listGroups: [{}],
    deleteTopics: [{ topics: ['fuzz-doomed'], timeout: 3000 }],
    deleteGroups: [['other-group']],
    deleteRecords: [{ topics: [{ topic: T, partitions: [{ partition: 2, offset: '1' }] }], timeout: 3000 }],
    createPartitions: [{ topicPartitions: [{ topic: T, count: 4, assignments: [] }], timeout: 3000, validateOnly: true }],
    describeConfigs: [{ resources: [{ type: 2, name: T, configNames: ['cleanup.policy'] }, { type: 4, name: '1', configNames: [] }], includeSynonyms: true }],
    alterConfigs: [{ resources: [{ type: 2, name: T, configEntries: [{ name: 'retention.ms', value: '86400000' }] }], validateOnly: true }],
    listPartitionReassignments: [{ topics: [{ topic: T, partitions: [0, 1] }], timeout: 3000 }],
    // APIs samsa does not serve: their frames exercise the refusal path.
    saslHandshake: [{ mechanism: 'PLAIN' }],
    addOffsetsToTxn: [{ transactionalId: 'tx-1', producerId: '4242', producerEpoch: 3, groupId: G }],
    endTxn: [{ transactionalId: 'tx-1', producerId: '4242', producerEpoch: 3, transactionResult: true }],
    describeAcls: [{ resourceType: 2, resourceName: T, resourcePatternType: 3, principal: 'User:bob', host: '*', operation: 2, permissionType: 3 }],
  };
}

export async function kafkajsSeeds(): Promise<Seed[]> {
  const frame = require('kafkajs/src/protocol/request');
  const out: Seed[] = [];
  for (const [api, argsList] of Object.entries(kafkajsArgs())) {
    const versions = readdirSync(`${requestsDir}/${api}`)
      .filter((d) => /^v\d+$/.test(d) && existsSync(`${requestsDir}/${api}/${d}/request.js`))
      .map((d) => Number(d.slice(1)));
    for (const v of versions) {
      const build = require(`${requestsDir}/${api}/v${v}/request.js`);
      for (const [i, args] of (argsList as any[]).entries()) {
        const request = build(args);
        const encoded: Buffer = (await frame({ correlationId: 100 + v, clientId: 'kafkajs-fuzz', request })).buffer;
        out.push(traceSeed('kafkajs', `kafkajs ${api} v${v}${argsList.length > 1 ? ` #${i}` : ''}`, encoded.subarray(4)));
      }
    }
  }
  return out;
}

export function javaSeeds(file = JAVA_FIXTURE): Seed[] {
  const out: Seed[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [key, version, tool, hex] = line.split(' ');
    const body = Buffer.from(hex, 'hex').subarray(4);
    out.push(traceSeed('java', `java ${API_KEYS[Number(key)]?.request.name ?? key} v${version} (${tool.replace(/_/g, ' ')})`, body));
  }
  return out;
}

/**
 * For a served API no client frame covers (one added after the fixtures were captured): frames
 * encoded by samsa's own codec from an empty message, at its lowest and highest versions.
 */
export function synthesizedSeeds(covered: Seed[]): Seed[] {
  const have = new Set(covered.filter((s) => s.decoded).map((s) => s.apiKey));
  const out: Seed[] = [];
  for (const [key, h] of HANDLERS) {
    if (have.has(key)) continue;
    for (const v of new Set([h.minVersion, h.maxVersion])) {
      const w = new Writer();
      RequestHeader.encode(w, requestHeaderVersion(key, v), { requestApiKey: key, requestApiVersion: v, correlationId: 9, clientId: 'synthesized' });
      h.request.encode(w, v, {});
      out.push(traceSeed('synthesized', `synthesized ${h.request.name} v${v}`, w.toBuffer()));
    }
  }
  return out;
}

export async function loadCorpus(): Promise<Seed[]> {
  const real = [...(await kafkajsSeeds()), ...javaSeeds()];
  return [...real, ...synthesizedSeeds(real)];
}

/** Served API keys that no seed of the given sources decodes. */
export function uncoveredApis(seeds: Seed[], sources: Seed['source'][] = ['kafkajs', 'java', 'synthesized']): string[] {
  const covered = new Set(seeds.filter((s) => s.decoded && sources.includes(s.source)).map((s) => s.apiKey));
  return [...HANDLERS.keys()].filter((k) => !covered.has(k)).map((k) => `${k} ${API_KEYS[k]?.request.name ?? ''}`);
}
