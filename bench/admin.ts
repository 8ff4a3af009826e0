// Version negotiation, topic creation and a leadership check: everything the benchmark needs
// before it can produce to a broker it did not start.
import { ApiVersionsRequest } from '../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../src/protocol/generated/api-versions-response.js';
import { CreateTopicsRequest } from '../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../src/protocol/generated/create-topics-response.js';
import { MetadataRequest } from '../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../src/protocol/generated/metadata-response.js';
import { ErrorCode, errorName } from '../src/protocol/errors.js';
import type { Connection } from './connection.js';

const PRODUCE = 0;
const FETCH = 1;
const METADATA = 3;
const CREATE_TOPICS = 19;

/** The version of each API the benchmark speaks to this broker. */
export interface Versions {
  produce: number;
  fetch: number;
  metadata: number;
  createTopics: number;
}

/**
 * Our ranges: Produce v3+ carries v2 batches; Fetch stops at v12 because v13+ names topics by id;
 * Metadata from v4 can refuse auto-creation; CreateTopics from v2 as Kafka 4 accepts.
 */
const WANTED: Record<keyof Versions, [apiKey: number, min: number, max: number]> = {
  produce: [PRODUCE, 3, 11],
  fetch: [FETCH, 4, 12],
  metadata: [METADATA, 4, 12],
  createTopics: [CREATE_TOPICS, 2, 7],
};

export async function negotiateVersions(conn: Connection): Promise<Versions> {
  const res = await conn.request(ApiVersionsRequest, ApiVersionsResponse, 3, {
    clientSoftwareName: 'samsa-bench',
    clientSoftwareVersion: '0.1.0',
  });
  if (res.errorCode !== ErrorCode.NONE) throw new Error(`ApiVersions failed: ${errorName(res.errorCode)}`);
  const out = {} as Versions;
  for (const [name, [apiKey, min, max]] of Object.entries(WANTED) as [keyof Versions, [number, number, number]][]) {
    const b = res.apiKeys.find((k) => k.apiKey === apiKey);
    const v = Math.min(max, b?.maxVersion ?? -1);
    if (!b || v < Math.max(min, b.minVersion)) {
      throw new Error(`broker does not serve ${name} (API ${apiKey}) in versions ${min}-${max}`);
    }
    out[name] = v;
  }
  return out;
}

export async function createTopic(conn: Connection, v: Versions, name: string, partitions: number): Promise<void> {
  const res = await conn.request(CreateTopicsRequest, CreateTopicsResponse, v.createTopics, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  const t = res.topics.find((x) => x.name === name);
  if (!t) throw new Error(`CreateTopics answered without topic ${name}`);
  if (t.errorCode !== ErrorCode.NONE) {
    throw new Error(`cannot create topic ${name}: ${errorName(t.errorCode)} ${t.errorMessage ?? ''}`);
  }
  await awaitLeaders(conn, v, name, partitions);
}

/**
 * Waits until every partition has a leader, and refuses to go on unless that leader is the broker
 * we are connected to: the load generator talks to one broker only.
 */
async function awaitLeaders(conn: Connection, v: Versions, topic: string, partitions: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const md = await conn.request(MetadataRequest, MetadataResponse, v.metadata, {
      topics: [{ name: topic }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const t = md.topics.find((x) => x.name === topic);
    const ready =
      t !== undefined &&
      t.errorCode === ErrorCode.NONE &&
      t.partitions.length === partitions &&
      t.partitions.every((p) => p.errorCode === ErrorCode.NONE && p.leaderId >= 0);
    if (ready) {
      const leaders = new Set(t.partitions.map((p) => p.leaderId));
      if (md.brokers.length > 1 || leaders.size > 1) {
        throw new Error(`topic ${topic} is spread over several brokers; the benchmark drives a single broker`);
      }
      return;
    }
    if (Date.now() > deadline) {
      const why = t ? `error ${errorName(t.errorCode)}, ${t.partitions.length} partitions` : 'not in metadata';
      throw new Error(`topic ${topic} has no leaders after 30 s (${why})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
