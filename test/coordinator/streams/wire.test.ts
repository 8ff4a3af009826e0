// Streams groups on the wire against Kafka 4.4.0's answers: wire-sequence.ts's conversation (joins,
// revocation, describe, ListGroups/DescribeGroups of a streams group, OffsetCommit member checks,
// fencing errors, leaves, StreamsGroupTopologyDescriptionUpdate, DeleteGroups) run against samsa and
// compared, answer by answer, with fixtures/kafka-4.4.0-streams-wire.json (recorded from Kafka 4.4.0
// with STREAMS_WIRE_CAPTURE=1, which starts it through compat/kafka/broker.sh).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../../../src/index.js';
import { REPO_ROOT } from '../../helpers/cli-broker.js';
import { tempDir } from '../../helpers/tmp.js';
import { wireSequence } from './wire-sequence.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, 'fixtures/kafka-4.4.0-streams-wire.json');
const CONFIG = { 'group.streams.initial.rebalance.delay.ms': '0', 'group.streams.assignment.interval.ms': '0' };
t.setTimeout(240_000);

/** What differs between two brokers by nature: the client host and this run's coordinator. */
function normalize(steps: [string, unknown][]): [string, unknown][] {
  return JSON.parse(JSON.stringify(steps).replace(/"clientHost":"[^"]*"/g, '"clientHost":"HOST"'));
}

if (process.env.STREAMS_WIRE_CAPTURE === '1') {
  t.test('capture from Kafka 4.4.0', async (t) => {
    const dir = tempDir(t);
    const sh = path.join(REPO_ROOT, 'compat/kafka/broker.sh');
    const start = spawnSync('bash', [sh, 'start', dir, ...Object.entries(CONFIG).map(([k, v]) => `${k}=${v}`)], { encoding: 'utf8', timeout: 180_000 });
    t.teardown(() => void spawnSync('bash', [sh, 'stop', dir], { timeout: 60_000 }));
    const bootstrap = /kafka listening on (\S+)/.exec(start.stdout)?.[1];
    if (!bootstrap) return t.fail(`Kafka did not start: ${start.stdout}${start.stderr}`);
    const steps = normalize(await wireSequence(bootstrap, 'wire'));
    writeFileSync(FIXTURE, JSON.stringify(steps, null, 1) + '\n');
    t.pass(`captured ${steps.length} answers`);
  });
} else {
  t.test('samsa answers the streams group conversation as Kafka 4.4.0', async (t) => {
    const b = await startBroker({ port: 0, dataDir: tempDir(t), config: { 'offsets.topic.num.partitions': '3', ...CONFIG } });
    t.teardown(() => b.close());
    const got = normalize(await wireSequence(b.bootstrap, 'wire'));
    const kafka = JSON.parse(readFileSync(FIXTURE, 'utf8')) as [string, unknown][];
    t.same(
      got.map(([label]) => label),
      kafka.map(([label]) => label),
    );
    for (let i = 0; i < kafka.length; i++) t.same(got[i]?.[1], kafka[i]![1], kafka[i]![0]);
  });
}
