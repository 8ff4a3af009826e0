// Captures what Apache Kafka advertises, as fixtures samsa's tests compare against:
//   test/protocol/fixtures/kafka-<version>-api-versions.json   ApiVersions v3, v4 and v5 responses
//     (api key ranges, supported features, finalized levels), read with samsa's own codecs
//   test/e2e/fixtures/kafka-<version>-broker-api-versions.txt  stdout of Kafka's BrokerApiVersionsCommand
//
//   node --import tsx compat/kafka/capture-api-versions.ts            formats and starts a fresh single-node
//                                                                     Kafka with broker.sh, captures, stops it
//   node --import tsx compat/kafka/capture-api-versions.ts HOST:PORT  captures from a broker already running
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Connection } from '../../bench/connection.js';
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const brokerSh = join(here, 'broker.sh');

function kafkaVersion(): string {
  const pom = readFileSync(join(here, 'pom.xml'), 'utf8');
  const v = /<kafka\.version>([^<]+)</.exec(pom)?.[1];
  if (!v) throw new Error('cannot read the Kafka version from compat/kafka/pom.xml');
  return v;
}

async function apiVersions(host: string, port: number, version: number) {
  const conn = await Connection.connect(host, port);
  try {
    const res = await conn.request(ApiVersionsRequest, ApiVersionsResponse, version, {
      clientSoftwareName: 'samsa-capture',
      clientSoftwareVersion: '1.0.0',
    });
    if (res.errorCode !== 0) throw new Error(`ApiVersions v${version}: error ${res.errorCode}`);
    // The finalized features epoch is an offset in the metadata log, which differs from run to run.
    return {
      apiKeys: res.apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion })),
      supportedFeatures: (res.supportedFeatures ?? []).map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion })),
      finalizedFeatures: (res.finalizedFeatures ?? []).map((f) => ({ name: f.name, minVersionLevel: f.minVersionLevel, maxVersionLevel: f.maxVersionLevel })),
      zkMigrationReady: res.zkMigrationReady ?? false,
    };
  } finally {
    conn.close();
  }
}

async function capture(host: string, port: number, version: string, setup: string): Promise<void> {
  const responses: Record<string, unknown> = {};
  for (const v of [3, 4, 5]) responses[v] = await apiVersions(host, port, v);
  const json = join(root, 'test/protocol/fixtures', `kafka-${version}-api-versions.json`);
  mkdirSync(dirname(json), { recursive: true });
  // One entry per line: diffs between captures stay readable.
  const text = JSON.stringify({ kafka: version, setup, responses }, null, 2).replace(/\{\s+("(?:apiKey|name)"[^{}\[\]]*?)\s+\}/g, (_, body: string) => `{ ${body.replace(/\s*\n\s*/g, ' ')} }`);
  writeFileSync(json, text + '\n');
  console.log(`wrote ${json}`);

  const { stdout } = await run('bash', [brokerSh, 'java', 'org.apache.kafka.tools.BrokerApiVersionsCommand', '--bootstrap-server', `${host}:${port}`], {
    maxBuffer: 1 << 20,
  });
  const txt = join(root, 'test/e2e/fixtures', `kafka-${version}-broker-api-versions.txt`);
  mkdirSync(dirname(txt), { recursive: true });
  writeFileSync(txt, stdout);
  console.log(`wrote ${txt}`);
}

async function main(): Promise<void> {
  const version = kafkaVersion();
  const target = process.argv[2];
  if (target) {
    const [host, port] = target.split(':');
    await capture(host, Number(port), version, `broker at ${target}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'kafka-capture-'));
  try {
    const { stdout } = await run('bash', [brokerSh, 'start', dir], { maxBuffer: 1 << 20 });
    const m = /listening on ([\d.]+):(\d+)/.exec(stdout);
    if (!m) throw new Error(`broker.sh start printed no address:\n${stdout}`);
    await capture(m[1], Number(m[2]), version, 'fresh single node (process.roles=broker,controller) formatted and started by compat/kafka/broker.sh');
  } finally {
    await run('bash', [brokerSh, 'stop', dir]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
