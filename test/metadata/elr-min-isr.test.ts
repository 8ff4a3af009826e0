// Eligible leader replicas (KIP-966), which a new Kafka 4.4 cluster finalizes at level 1, and
// min.insync.replicas: the controller keeps it cluster-wide (written at bootstrap, and when ELR is
// turned on again), refuses a broker's own and the removal of the cluster's. Every code and message
// is what Apache Kafka 4.4.0 answered to the same requests on a fresh single node.
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { codecRequest } from './helpers.js';

const INVALID_CONFIG = 40;
const INVALID_REQUEST = 42;
const DYNAMIC_DEFAULT_BROKER_CONFIG = 3;
const DYNAMIC_BROKER_CONFIG = 2;
const DEFAULT_CONFIG = 5;
const BROKER = 4;
const SET = 0;
const DELETE = 1;
const BROKER_LEVEL = 'Broker-level min.insync.replicas cannot be altered while ELR is enabled.';
const CLUSTER_REMOVAL = 'Cluster-level min.insync.replicas cannot be removed while ELR is enabled.';

let b: RunningBroker;
const q = (name: string, version: number, body: unknown) => codecRequest(b.host, b.port, name, version, body);
t.before(async () => {
  b = await startBroker({ port: 0, memory: true });
});
t.teardown(() => b?.close());

const incremental = async (resourceName: string, configs: [string, number, string | null][], validateOnly = false) =>
  (await q('IncrementalAlterConfigs', 1, { resources: [{ resourceType: BROKER, resourceName, configs: configs.map(([name, configOperation, value]) => ({ name, configOperation, value })) }], validateOnly })).responses.map(
    (x: any) => [x.errorCode, x.errorMessage],
  );
const legacy = async (resourceName: string, configs: [string, string][]) =>
  (await q('AlterConfigs', 2, { resources: [{ resourceType: BROKER, resourceName, configs: configs.map(([name, value]) => ({ name, value })) }], validateOnly: true })).responses.map(
    (x: any) => [x.errorCode, x.errorMessage],
  );
const minIsr = async (resourceName: string) => {
  const r = await q('DescribeConfigs', 4, { resources: [{ resourceType: BROKER, resourceName, configurationKeys: ['min.insync.replicas'] }], includeSynonyms: true, includeDocumentation: false });
  return r.results[0].configs.map((c: any) => [c.value, c.configSource, c.synonyms.map((s: any) => [s.value, s.source])])[0];
};
const elr = (maxVersionLevel: number, upgradeType: number) =>
  q('UpdateFeatures', 1, { timeoutMs: 5000, featureUpdates: [{ feature: 'eligible.leader.replicas.version', maxVersionLevel, upgradeType }], validateOnly: false });

t.test('a new cluster: ELR on, min.insync.replicas kept cluster-wide', async (t) => {
  t.equal(b.broker.metadata.image.features.level('eligible.leader.replicas.version'), 1);
  t.same(await minIsr(''), ['1', DYNAMIC_DEFAULT_BROKER_CONFIG, [['1', DYNAMIC_DEFAULT_BROKER_CONFIG]]], 'the cluster default holds the static value');
  t.same(await minIsr('1'), ['1', DYNAMIC_DEFAULT_BROKER_CONFIG, [['1', DYNAMIC_DEFAULT_BROKER_CONFIG], ['1', DEFAULT_CONFIG]]]);
});

t.test('changes refused while ELR is on', async (t) => {
  t.same(await incremental('', [['min.insync.replicas', DELETE, null]]), [[INVALID_CONFIG, CLUSTER_REMOVAL]], 'removing the cluster one');
  t.same(await incremental('', [['min.insync.replicas', DELETE, null]], true), [[INVALID_CONFIG, CLUSTER_REMOVAL]], 'also validate-only');
  t.same(await incremental('', [['min.insync.replicas', SET, '1']]), [[0, null]], 'setting the cluster one is fine');
  t.same(await incremental('1', [['min.insync.replicas', SET, '1']]), [[INVALID_CONFIG, BROKER_LEVEL]], 'a broker\'s own');
  t.same(await incremental('1', [['min.insync.replicas', DELETE, null]]), [[INVALID_CONFIG, BROKER_LEVEL]], 'even removing one not set');
  t.same(
    await incremental('1', [['min.insync.replicas', SET, '1'], ['log.retention.ms', SET, 'abc']]),
    [[INVALID_REQUEST, 'Invalid value abc for configuration log.retention.ms: Not a number of type LONG']],
    'the broker\'s own validation comes first',
  );
  t.same(await legacy('', [['log.retention.ms', '100000']]), [[INVALID_CONFIG, CLUSTER_REMOVAL]], 'legacy AlterConfigs of the cluster default without it removes it');
  t.same(await legacy('', [['min.insync.replicas', '1'], ['log.retention.ms', '100000']]), [[0, null]]);
  t.same(await legacy('1', [['min.insync.replicas', '1']]), [[INVALID_CONFIG, BROKER_LEVEL]]);
  t.same(await legacy('1', [['log.retention.ms', '100000']]), [[0, null]]);
});

t.test('ELR off allows them; turning it on again removes broker ones and restores the cluster one', async (t) => {
  t.equal((await elr(0, 2)).errorCode, 0, 'safe downgrade to 0');
  t.same(await minIsr(''), ['1', DYNAMIC_DEFAULT_BROKER_CONFIG, [['1', DYNAMIC_DEFAULT_BROKER_CONFIG]]], 'the cluster one stays');
  t.same(await incremental('', [['min.insync.replicas', DELETE, null]]), [[0, null]]);
  t.same(await incremental('1', [['min.insync.replicas', SET, '2']]), [[0, null]]);
  t.same(await minIsr('1'), ['2', DYNAMIC_BROKER_CONFIG, [['2', DYNAMIC_BROKER_CONFIG], ['1', DEFAULT_CONFIG]]]);
  t.equal((await elr(1, 1)).errorCode, 0, 'upgrade to 1');
  t.same(await minIsr(''), ['1', DYNAMIC_DEFAULT_BROKER_CONFIG, [['1', DYNAMIC_DEFAULT_BROKER_CONFIG]]], 'the cluster one is written again');
  t.same(await minIsr('1'), ['1', DYNAMIC_DEFAULT_BROKER_CONFIG, [['1', DYNAMIC_DEFAULT_BROKER_CONFIG], ['1', DEFAULT_CONFIG]]], 'the broker\'s own is gone');
});
