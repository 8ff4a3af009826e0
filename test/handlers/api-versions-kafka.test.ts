// samsa's ApiVersions answer against Apache Kafka 4.4.0's, captured from a fresh single-node
// Kafka by compat/kafka/capture-api-versions.ts (test/protocol/fixtures/kafka-4.4.0-api-versions.json):
// every API samsa advertises has Kafka's range, and the supported and finalized features are
// Kafka's, for ApiVersions v3, v4 and v5. APIs Kafka serves and samsa does not are listed, not failed.
// v5's cluster and node checks (KIP-1242) are compared with what Kafka 4.4 answered.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { WireConnection } from '../helpers/wire.js';

interface Range {
  minVersion: number;
  maxVersion: number;
}
interface Captured {
  apiKeys: ({ apiKey: number } & Range)[];
  supportedFeatures: ({ name: string } & Range)[];
  finalizedFeatures: { name: string; minVersionLevel: number; maxVersionLevel: number }[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const kafka: { kafka: string; responses: Record<string, Captured> } = JSON.parse(
  readFileSync(path.join(here, '../protocol/fixtures/kafka-4.4.0-api-versions.json'), 'utf8'),
);

async function apiVersions(c: WireConnection, version: number, body: Partial<ApiVersionsRequest> = {}): Promise<ApiVersionsResponse> {
  const w = new Writer();
  ApiVersionsRequest.encode(w, version, { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1.0.0', clusterId: null, nodeId: -1, ...body });
  const r = new Reader(await c.request(18, version, w.toBuffer(), { headerVersion: version >= 3 ? 2 : 1 }));
  r.int32(); // correlation id: ApiVersions answers with response header v0 at every version
  const res = ApiVersionsResponse.decode(r, version);
  if (r.remaining() !== 0) throw new Error(`ApiVersions v${version}: ${r.remaining()} bytes left over`);
  return res;
}

const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => (a.name < b.name ? -1 : 1));

let b: RunningBroker;
let c: WireConnection;
t.before(async () => {
  b = await startBroker({ port: 0, memory: true });
  c = await WireConnection.connect(b.host, b.port);
});
t.teardown(async () => {
  c.destroy();
  await b.close();
});

for (const version of [3, 4, 5]) {
  t.test(`ApiVersions v${version}: Kafka ${kafka.kafka}'s ranges and features`, async (t) => {
    const want = kafka.responses[version];
    const got = await apiVersions(c, version);
    t.equal(got.errorCode, 0);
    const kafkaRanges = new Map(want.apiKeys.map((k) => [k.apiKey, k]));
    for (const k of got.apiKeys) {
      const theirs = kafkaRanges.get(k.apiKey);
      t.ok(theirs, `api key ${k.apiKey} is one Kafka ${kafka.kafka} advertises`);
      if (theirs) t.same([k.minVersion, k.maxVersion], [theirs.minVersion, theirs.maxVersion], `api key ${k.apiKey}: v${theirs.minVersion}-${theirs.maxVersion} as in Kafka`);
    }
    const ours = new Set(got.apiKeys.map((k) => k.apiKey));
    const missing = want.apiKeys.filter((k) => !ours.has(k.apiKey)).map((k) => k.apiKey);
    if (version === 5) t.comment(`served by Kafka ${kafka.kafka}, not (yet) by samsa: ${missing.join(', ')}`);

    t.same(
      byName(got.supportedFeatures ?? []).map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion })),
      byName(want.supportedFeatures),
      version < 4 ? 'supported features as Kafka: those whose range starts at 0 left out (KAFKA-17011)' : 'supported features as Kafka',
    );
    t.same(
      byName(got.finalizedFeatures ?? []).map((f) => ({ name: f.name, minVersionLevel: f.minVersionLevel, maxVersionLevel: f.maxVersionLevel })),
      byName(want.finalizedFeatures),
      'finalized levels as a freshly formatted Kafka',
    );
    t.ok((got.finalizedFeaturesEpoch ?? -1) >= 0, 'the finalized features epoch is the image offset');
    t.equal(got.zkMigrationReady ?? false, false);
  });
}

t.test('ApiVersions v5 names the cluster and node it means (KIP-1242)', async (t) => {
  const clusterId = b.broker.clusterId;
  const answer = async (body: Partial<ApiVersionsRequest>) => {
    const r = await apiVersions(c, 5, body);
    return { errorCode: r.errorCode, apiKeys: r.apiKeys.length, features: (r.supportedFeatures ?? []).length + (r.finalizedFeatures ?? []).length };
  };
  const refused = (errorCode: number) => ({ errorCode, apiKeys: 0, features: 0 });
  t.equal((await answer({ clusterId, nodeId: 1 })).errorCode, 0, 'this cluster and node');
  t.equal((await answer({ clusterId: null, nodeId: -1 })).errorCode, 0, 'neither named');
  // What Kafka 4.4 answers: INVALID_REQUEST for one without the other, REBOOTSTRAP_REQUIRED for
  // another cluster or node; either way an empty response.
  t.same(await answer({ clusterId, nodeId: -1 }), refused(42), 'cluster without node');
  t.same(await answer({ clusterId: null, nodeId: 1 }), refused(42), 'node without cluster');
  t.same(await answer({ clusterId: 'another-cluster', nodeId: 1 }), refused(129), 'another cluster');
  t.same(await answer({ clusterId: '', nodeId: 1 }), refused(129), 'an empty cluster id is another cluster');
  t.same(await answer({ clusterId, nodeId: 2 }), refused(129), 'another node');
  t.same(await answer({ clusterId, nodeId: -2 }), refused(129), 'any node id but -1 counts as named');
  t.same(await answer({ clientSoftwareName: 'bad name', clusterId: 'another-cluster', nodeId: 1 }), refused(42), 'the software name is checked first');
  t.same(
    (await apiVersions(c, 3, { clientSoftwareName: 'bad name!' })).apiKeys,
    [],
    'an invalid software name gets INVALID_REQUEST alone, without the ranges (as Kafka answers)',
  );
});
