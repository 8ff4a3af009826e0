// Records what a real Kafka reports for DescribeConfigs (with synonyms) of its broker and of a topic
// created with no configs, as the fixture test/metadata/config-table.test.ts holds samsa's config
// table to. Facts only: names, values, sources, read-only and sensitive flags, types; no documentation.
//   node --import tsx compat/kafka/capture-configs.ts            starts Kafka with broker.sh, stops it after
//   node --import tsx compat/kafka/capture-configs.ts HOST:PORT  uses a running one (started by broker.sh)
// The run's own values (its directory, its ports) are written as <dir> and <port>.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codecRequest } from '../../test/metadata/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const brokerSh = path.join(here, 'broker.sh');
const TOPIC = 'capture-default-configs';

function kafkaVersion(): string {
  const pom = readFileSync(path.join(here, 'pom.xml'), 'utf8');
  const m = /<kafka\.version>([^<]+)</.exec(pom);
  if (!m) throw new Error('no Kafka version in compat/kafka/pom.xml');
  return m[1];
}

async function main() {
  let address = process.argv[2];
  let dir: string | null = null;
  if (!address) {
    dir = mkdtempSync(path.join(tmpdir(), 'capture-configs-'));
    const out = execFileSync('bash', [brokerSh, 'start', dir], { encoding: 'utf8' });
    address = /kafka listening on (\S+)/.exec(out)![1];
  }
  const [host, port] = address.split(':');
  const q = (name: string, version: number, body: unknown) => codecRequest(host, Number(port), name, version, body);
  try {
    const runDir = dir ?? null;
    const redact = (v: string | null): string | null => {
      if (v === null) return v;
      let s = v;
      if (runDir) s = s.split(runDir).join('<dir>');
      return s.replace(/(127\.0\.0\.1|localhost):\d+/g, '$1:<port>');
    };
    const created = await q('CreateTopics', 7, { topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30000, validateOnly: false });
    const err = created.topics[0].errorCode;
    if (err !== 0 && err !== 36) throw new Error(`CreateTopics: ${err} ${created.topics[0].errorMessage}`);
    const describe = async (resourceType: number, resourceName: string) => {
      const r = await q('DescribeConfigs', 4, { includeSynonyms: true, includeDocumentation: false, resources: [{ resourceType, resourceName, configurationKeys: null }] });
      const res = r.results[0];
      if (res.errorCode !== 0) throw new Error(`DescribeConfigs ${resourceName}: ${res.errorCode} ${res.errorMessage}`);
      return res.configs
        .map((c: any) => ({
          name: c.name,
          value: redact(c.value),
          readOnly: c.readOnly,
          source: c.configSource,
          sensitive: c.isSensitive,
          type: c.configType,
          synonyms: c.synonyms.map((s: any) => [s.name, redact(s.value), s.source]),
        }))
        .sort((a: any, b: any) => (a.name < b.name ? -1 : 1));
    };
    const fixture = {
      kafkaVersion: kafkaVersion(),
      note: 'DescribeConfigs v4 with synonyms from a single-node Kafka started by compat/kafka/broker.sh; recapture with compat/kafka/capture-configs.ts',
      broker: await describe(4, '1'),
      topic: await describe(2, TOPIC),
    };
    const file = path.join(root, 'test/metadata/fixtures', `kafka-${fixture.kafkaVersion}-describe-configs.json`);
    // One config per line: small diffs when Kafka changes.
    const lines = (xs: unknown[]) => xs.map((x) => '    ' + JSON.stringify(x)).join(',\n');
    writeFileSync(
      file,
      `{\n  "kafkaVersion": ${JSON.stringify(fixture.kafkaVersion)},\n  "note": ${JSON.stringify(fixture.note)},\n` +
        `  "broker": [\n${lines(fixture.broker)}\n  ],\n  "topic": [\n${lines(fixture.topic)}\n  ]\n}\n`,
    );
    console.log(`wrote ${path.relative(root, file)}: ${fixture.broker.length} broker configs, ${fixture.topic.length} topic configs`);
  } finally {
    if (dir) {
      execFileSync('bash', [brokerSh, 'stop', dir], { stdio: 'inherit' });
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
