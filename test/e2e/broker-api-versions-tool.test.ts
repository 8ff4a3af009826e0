// Apache Kafka 4.4.0's BrokerApiVersionsCommand (kafka-broker-api-versions.sh) against samsa: for
// every API samsa serves it prints the same line as against Kafka 4.4.0 itself
// (test/e2e/fixtures/kafka-4.4.0-broker-api-versions.txt, captured by
// compat/kafka/capture-api-versions.ts): the same range, usable at the same version by the 4.4
// client. Needs java and Maven (compat/kafka/broker.sh fetches the jars; .ci/run installs both).
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';

const FIXTURE = path.join(REPO_ROOT, 'test/e2e/fixtures/kafka-4.4.0-broker-api-versions.txt');
t.setTimeout(300_000);

/** "\tProduce(0): 0 to 13 [usable: 13]," -> key 0 -> "Produce(0): 0 to 13 [usable: 13]"; one node's block. */
function parse(out: string): Map<number, string> {
  const lines = new Map<number, string>();
  for (const m of out.matchAll(/^\t(\w+)\((\d+)\): (.*?),?$/gm)) lines.set(Number(m[2]), `${m[1]}(${m[2]}): ${m[3]}`);
  return lines;
}

t.test("Kafka 4.4.0's BrokerApiVersionsCommand sees Kafka's ranges for every API samsa serves", async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  const kafka = parse(readFileSync(FIXTURE, 'utf8'));
  t.ok(kafka.size > 70, `the fixture lists Kafka's APIs (${kafka.size})`);

  const r = await kafkaToolIO('org.apache.kafka.tools.BrokerApiVersionsCommand', ['--bootstrap-server', b.bootstrap]);
  t.equal(r.code, 0, `the tool exits 0 ${r.err}`);
  t.match(r.out, new RegExp(`^${b.host}:${b.port} \\(id: 1 rack: null isFenced: false\\) -> \\($`, 'm'), 'one node, as Kafka prints it');
  const samsa = parse(r.out);
  t.same([...samsa.keys()].sort((x, y) => x - y), [...kafka.keys()].sort((x, y) => x - y), 'the tool lists every API the 4.4 client knows');
  const unserved: string[] = [];
  for (const [key, line] of samsa) {
    if (line.endsWith('UNSUPPORTED')) {
      if (!kafka.get(key)!.endsWith('UNSUPPORTED')) unserved.push(line.slice(0, line.indexOf(':')));
      continue;
    }
    t.equal(line, kafka.get(key), `api key ${key}`);
  }
  t.comment(`served by Kafka 4.4.0, not (yet) by samsa: ${unserved.join(', ')}`);
});
