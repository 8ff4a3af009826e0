// ApiVersions v3+ carries the broker's supported features and the cluster's finalized levels
// (KIP-584) in tagged fields: Kafka 4.4 reports metadata.version 33 (4.4-IV2) for a new cluster,
// and `kafka-features describe` and the Java admin read them from here. (Every feature against
// Kafka's own answer: api-versions-kafka.test.ts.)
import t from 'tap';
import { startBroker } from '../../src/index.js';
import { WireConnection, apiVersionsV3Body } from '../helpers/wire.js';
import { Reader } from '../../src/protocol/reader.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js';

t.test('ApiVersions v3 reports feature levels', async (t) => {
  const running = await startBroker({ port: 0, memory: true });
  t.teardown(() => running.close());
  const c = await WireConnection.connect(running.host, running.port);
  t.teardown(() => c.destroy());
  const frame = await c.request(18, 3, apiVersionsV3Body(), { headerVersion: 2 });
  const r = new Reader(frame);
  r.int32(); // correlation id; ApiVersions answers with response header v0
  const res = ApiVersionsResponse.decode(r, 3);
  t.equal(res.errorCode, 0);
  const mv = res.supportedFeatures?.find((f) => f.name === 'metadata.version');
  t.ok(mv && mv.minVersion <= 33 && mv.maxVersion >= 33, 'metadata.version 33 is supported');
  t.same(
    res.finalizedFeatures?.find((f) => f.name === 'metadata.version'),
    { name: 'metadata.version', maxVersionLevel: 33, minVersionLevel: 33 },
    'a new cluster is finalized at metadata.version 33, as Kafka 4.4 formats it',
  );
  t.ok((res.finalizedFeaturesEpoch ?? -1) >= 0, 'finalized features epoch is the metadata offset');
});
