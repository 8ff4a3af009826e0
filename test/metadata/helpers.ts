// Shared by the metadata tests: images as plain data (for field-by-field comparison) and a raw
// Metadata v12 client that reads topic ids off the wire without samsa's codecs.
import type { MetadataImage } from '../../src/metadata/image.js';
import { Bytes, Cursor, type WireConnection } from '../helpers/wire.js';

/** Every field of the image as plain data, keys sorted so two equal images compare equal. */
export function plainImage(image: MetadataImage) {
  const sorted = <T>(entries: [string | number, T][]) => entries.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
  return {
    clusterId: image.clusterId,
    features: Object.fromEntries(sorted([...image.features.finalized])),
    brokers: sorted([...image.cluster.brokers].map(([id, b]) => [id, { ...b, features: Object.fromEntries(b.features) }])),
    topics: sorted(
      [...image.topics.byId].map(([id, t]) => [
        id,
        { name: t.name, topicId: t.topicId, partitions: sorted([...t.registrations].map(([p, r]) => [p, { ...r }])) },
      ]),
    ),
    topicNames: [...image.topics.byName.keys()].sort(),
    configs: sorted([...image.configs.resources].map(([k, v]) => [k, Object.fromEntries(v)])),
    nextProducerId: image.producerIds.nextProducerId,
  };
}

export interface WireTopic {
  name: string;
  topicId: string;
  partitions: number[];
}

/** Metadata v12 for all topics, parsed by hand: names, base64url topic ids, partition ids. */
export async function wireTopics(conn: WireConnection): Promise<WireTopic[]> {
  // topics: null (compact array -1 -> 0), allow auto create false, include topic ops false, tags
  const body = new Bytes().uvarint(0).int8(0).int8(0).tags().build();
  const c = new Cursor(await conn.request(3, 12, body, { headerVersion: 2 }));
  c.int32(); // correlation id
  skipTags(c);
  c.int32(); // throttle
  const brokers = c.uvarint() - 1;
  for (let i = 0; i < brokers; i++) {
    c.int32();
    compactString(c);
    c.int32();
    compactString(c);
    skipTags(c);
  }
  compactString(c); // cluster id
  c.int32(); // controller id
  const out: WireTopic[] = [];
  const topics = c.uvarint() - 1;
  for (let i = 0; i < topics; i++) {
    c.int16();
    const name = compactString(c)!;
    const topicId = c.bytes(16).toString('base64url');
    c.int8();
    const partitions: number[] = [];
    const n = c.uvarint() - 1;
    for (let p = 0; p < n; p++) {
      c.int16();
      partitions.push(c.int32());
      c.int32();
      c.int32();
      for (let a = 0; a < 3; a++) {
        const len = c.uvarint() - 1;
        for (let k = 0; k < len; k++) c.int32();
      }
      skipTags(c);
    }
    c.int32();
    skipTags(c);
    out.push({ name, topicId, partitions: partitions.sort((a, b) => a - b) });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function compactString(c: Cursor): string | null {
  const n = c.uvarint() - 1;
  return n < 0 ? null : c.bytes(n).toString('utf8');
}

function skipTags(c: Cursor): void {
  const n = c.uvarint();
  for (let i = 0; i < n; i++) {
    c.uvarint();
    c.bytes(c.uvarint());
  }
}

/** IncrementalAlterConfigs v0 for one resource, built byte by byte; returns [errorCode, message]. */
export async function incrementalAlter(
  host: string,
  port: number,
  resourceType: number,
  name: string,
  ops: [string, number, string | null][],
): Promise<[number, string | null]> {
  const { WireConnection } = await import('../helpers/wire.js');
  const conn = await WireConnection.connect(host, port);
  try {
    const body = new Bytes().int32(1).int8(resourceType).string(name).int32(ops.length);
    for (const [k, op, v] of ops) body.string(k).int8(op).string(v);
    body.int8(0);
    const c = new Cursor(await conn.request(44, 0, body.build()));
    c.int32(); // correlation id
    c.int32(); // throttle
    c.int32(); // responses
    return [c.int16(), c.string()];
  } finally {
    conn.destroy();
  }
}

/**
 * One request with samsa's generated codecs (tested against kafkajs' bytes elsewhere), for APIs
 * no JavaScript client speaks. `name` is the message name without Request/Response.
 */
export async function codecRequest(host: string, port: number, name: string, version: number, body: unknown): Promise<any> {
  const G = (await import('../../src/protocol/generated/index.js')) as Record<string, any>;
  const { Writer } = await import('../../src/protocol/writer.js');
  const { Reader } = await import('../../src/protocol/reader.js');
  const { requestHeaderVersion, responseHeaderVersion } = await import('../../src/protocol/headers.js');
  const { WireConnection } = await import('../helpers/wire.js');
  const req = G[`${name}Request`];
  const res = G[`${name}Response`];
  const w = new Writer();
  req.encode(w, version, body);
  const conn = await WireConnection.connect(host, port);
  try {
    const frame = await conn.request(req.apiKey, version, w.toBuffer(), { headerVersion: requestHeaderVersion(req.apiKey, version) as 1 | 2 });
    const r = new Reader(frame);
    G.ResponseHeader.decode(r, responseHeaderVersion(req.apiKey, version));
    return res.decode(r, version);
  } finally {
    conn.destroy();
  }
}
