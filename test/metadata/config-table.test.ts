// samsa's config table against what Apache Kafka reports: DescribeConfigs v4 (with synonyms) of the
// broker and of a topic created without configs, from a samsa started with the settings
// compat/kafka/broker.sh gives Kafka, compared with the fixture compat/kafka/capture-configs.ts
// recorded from that Kafka: the same config names, and for each its value, source, read-only and
// sensitive flags, type and synonyms. Only the differences listed in DIFFERS may differ.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { codecRequest } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(path.join(here, 'fixtures/kafka-4.4.0-describe-configs.json'), 'utf8'));

/**
 * Where samsa's answer necessarily differs from that Kafka's, and why. `value`: the value and
 * the synonyms' values differ (names, sources and flags do not); `source`: the source and the
 * synonyms too; `default`: the default (the DEFAULT_CONFIG synonym).
 */
const DIFFERS: Record<string, { what: 'value' | 'source' | 'default'; why: string }> = {
  listeners: { what: 'value', why: 'where each broker listens (samsa has no CONTROLLER listener)' },
  'advertised.listeners': { what: 'value', why: 'where each broker listens' },
  'controller.quorum.voters': { what: 'value', why: 'the port of each run' },
  'log.dirs': { what: 'value', why: 'the data dir of each run' },
  // samsa runs as node 1 unless told otherwise; Kafka has no default node id and broker.id -1.
  'node.id': { what: 'default', why: 'samsa\'s default node id' },
  'broker.id': { what: 'default', why: 'samsa\'s default node id' },
};

/** broker.sh's server.properties, less what samsa knows from how it runs (listeners, log dir, roles, node id). */
const KAFKA_SETTINGS: Record<string, string> = {
  'controller.quorum.voters': '1@127.0.0.1:9093',
  'controller.listener.names': 'CONTROLLER',
  'inter.broker.listener.name': 'PLAINTEXT',
  'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  'num.partitions': '1',
  'default.replication.factor': '1',
  'offsets.topic.replication.factor': '1',
  'offsets.topic.num.partitions': '3',
  'transaction.state.log.replication.factor': '1',
  'transaction.state.log.min.isr': '1',
  'transaction.state.log.num.partitions': '3',
  'share.coordinator.state.topic.replication.factor': '1',
  'share.coordinator.state.topic.min.isr': '1',
  'group.initial.rebalance.delay.ms': '0',
  'auto.create.topics.enable': 'true',
  'delete.topic.enable': 'true',
};

const DEFAULT_CONFIG = 5;

interface Row {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  sensitive: boolean;
  type: number;
  synonyms: [string, string | null, number][];
}

let b: RunningBroker;

t.before(async () => {
  b = await startBroker({ port: 0, dataDir: tempDir(t), config: { 'node.id': '1', ...KAFKA_SETTINGS } });
  await b.broker.createTopic('capture-default-configs', 1, {});
});
t.teardown(() => b?.close());

async function describe(resourceType: number, resourceName: string): Promise<Row[]> {
  const r = await codecRequest(b.host, b.port, 'DescribeConfigs', 4, { includeSynonyms: true, includeDocumentation: false, resources: [{ resourceType, resourceName, configurationKeys: null }] });
  t.equal(r.results[0].errorCode, 0);
  return r.results[0].configs.map((c: any) => ({
    name: c.name,
    value: c.value,
    readOnly: c.readOnly,
    source: c.configSource,
    sensitive: c.isSensitive,
    type: c.configType,
    synonyms: c.synonyms.map((s: any) => [s.name, s.value, s.source]),
  }));
}

/** The row as compared: the parts DIFFERS lets differ left out. */
function comparable(row: Row): unknown {
  const d = DIFFERS[row.name];
  if (!d) return row;
  const { value: _v, source: _s, synonyms, ...rest } = row;
  if (d.what === 'value') return { ...rest, source: row.source, synonyms: synonyms.map(([n, , s]) => [n, s]) };
  if (d.what === 'default') return { ...rest, value: row.value, source: row.source, synonyms: synonyms.filter(([, , s]) => s !== DEFAULT_CONFIG) };
  return rest;
}

for (const [label, type, name] of [['broker', 4, '1'], ['topic', 2, 'capture-default-configs']] as const) {
  t.test(`${label} configs as Kafka ${fixture.kafkaVersion} reports them`, async (t) => {
    const mine = new Map((await describe(type, name)).map((r) => [r.name, r]));
    const theirs: Row[] = fixture[label];
    t.same([...mine.keys()].sort(), theirs.map((r) => r.name).sort(), 'the same config names');
    for (const row of theirs) {
      const m = mine.get(row.name);
      if (m) t.same(comparable(m), comparable(row), row.name);
    }
  });
}

t.test('every difference allowed is still one (the list stays short and true)', async (t) => {
  const mine = new Map((await describe(4, '1')).map((r) => [r.name, r]));
  for (const [name, d] of Object.entries(DIFFERS)) {
    const row = (fixture.broker as Row[]).find((r) => r.name === name)!;
    const m = mine.get(name)!;
    const part = (r: Row) => (d.what === 'value' ? r.value : d.what === 'source' ? r.source : r.synonyms.find(([, , s]) => s === DEFAULT_CONFIG)?.[1]);
    t.not(JSON.stringify(part(m)), JSON.stringify(part(row)), `${name}: ${d.why}`);
  }
});
