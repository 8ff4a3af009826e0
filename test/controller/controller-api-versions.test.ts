// The controller listener advertises each API it serves at the versions a Kafka 4.4.0 controller
// advertises (ApiVersions asked of both controllers' listeners); APIs a Kafka controller has that
// samsa's does not serve yet are listed in the test output, not hidden.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { NodeClient } from '../../src/network/node-client.js';
import { startCluster } from '../../src/node/cluster.js';
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { tempDir } from '../helpers/tmp.js';

function kafkaBroker(action: 'start' | 'stop', dir: string): Promise<{ code: number | null; out: string }> {
  const proc = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), action, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, out })));
}

async function apiVersions(client: NodeClient, nodeId: number, host: string, port: number): Promise<Map<number, [number, number]>> {
  client.setEndpoint(nodeId, { host, port });
  const res = await client.send(nodeId, ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1' });
  if (res.errorCode !== ErrorCode.NONE) throw new Error(`ApiVersions error ${res.errorCode}`);
  return new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
}

t.test("the controller listener's versions are a Kafka 4.4.0 controller's", async (t) => {
  const base = tempDir(t);
  const kafkaDir = path.join(base, 'kafka');
  const started = await kafkaBroker('start', kafkaDir);
  t.equal(started.code, 0, started.out);
  t.teardown(() => kafkaBroker('stop', kafkaDir));
  const voters = /controller\.quorum\.voters=1@([^:]+):(\d+)/.exec(readFileSync(path.join(kafkaDir, 'server.properties'), 'utf8'))!;
  const cluster = await startCluster({ controllers: 1, brokers: 0 });
  t.teardown(() => cluster.close());
  const client = new NodeClient({ nodeId: 100, requestTimeoutMs: 10_000 });
  t.teardown(() => client.close());

  const kafka = await apiVersions(client, 1, voters[1], Number(voters[2]));
  const [host, port] = cluster.bootstrapController.split(',')[0].split(':');
  const samsa = await apiVersions(client, 2, host, Number(port));

  for (const [key, range] of samsa) {
    t.same(range, kafka.get(key) ?? 'not served by a Kafka controller', `api key ${key}`);
  }
  const missing = [...kafka.keys()].filter((k) => !samsa.has(k)).sort((a, b) => a - b);
  t.comment(`a Kafka 4.4.0 controller also serves api keys ${missing.join(', ')}`);
  for (const key of [58, 60, 62, 63, 64, 67, 70, 19, 20, 33, 37, 44, 57]) t.ok(samsa.has(key), `samsa's controller serves api key ${key}`);
});
