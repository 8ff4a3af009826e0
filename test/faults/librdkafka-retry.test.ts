// librdkafka, through confluent-kafka (Python; the venv of compat/confluent-kafka/run.sh install,
// installed here when missing), retrying through faults set over HTTP (POST /api/faults): its
// idempotent producer through NOT_LEADER_OR_FOLLOWER answers, a delayed Produce and a closed
// connection; its consumer through Fetch errors and a delay. Each case checks the client succeeded
// and GET /api/faults shows every fault used up (0 remaining).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';

t.setTimeout(300_000);
const PYTHON = path.join(REPO_ROOT, 'compat/confluent-kafka/.work/venv/bin/python');
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/librdkafka_retry.py');
const COUNT = 20;

function client(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const proc = spawn(PYTHON, ['-u', SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 150_000);
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    }),
  );
}

if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import confluent_kafka']).status !== 0) {
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'compat/confluent-kafka/run.sh'), 'install'], { stdio: 'inherit', timeout: 240_000 });
  if (r.status !== 0) t.fail('compat/confluent-kafka/run.sh install failed');
}

const b = await startBroker({ port: 0, memory: true, httpPort: 0, config: { 'num.partitions': '1' } });
t.teardown(() => b.close());
const api = `http://127.0.0.1:${b.httpPort}/api/faults`;
const post = async (body: unknown) => {
  const r = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 201) throw new Error(`POST /api/faults: ${r.status} ${await r.text()}`);
};
const list = async (): Promise<any[]> => ((await (await fetch(api)).json()) as { faults: any[] }).faults;

t.test('the librdkafka producer retries NOT_LEADER_OR_FOLLOWER, a delay and a closed connection', async (t) => {
  await fetch(api, { method: 'DELETE' });
  await post([
    // One fault per request, in this order: the first batch alone (and its retries) meets them all.
    { api: 'Produce', action: 'close-connection', times: 1, clientId: 'rdkafka-producer' },
    { api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER', times: 2, clientId: 'rdkafka-producer' },
    { api: 'Produce', delayMs: 1500, times: 1, clientId: 'rdkafka-producer' },
  ]);
  const r = await client([b.bootstrap, 'rdkafka-retry', String(COUNT), 'produce']);
  t.equal(r.code, 0, 'the producer exits 0');
  t.notMatch(r.err, /PROTOERR/, 'librdkafka parsed every response');
  const res = JSON.parse(r.out.trim().split('\n').pop()!);
  t.same(res.failed, [], 'no delivery failed');
  t.equal(res.unflushed, 0);
  t.same(
    res.delivered,
    Array.from({ length: COUNT }, (_, i) => i),
    'every message delivered once, in order',
  );
  t.same(
    (await list()).map((f) => f.remaining),
    [0, 0, 0],
    'every injected fault was used',
  );
  t.equal(Number(b.broker.partitionLog('rdkafka-retry', 0)!.highWatermark), COUNT, 'nothing stored twice');
});

t.test('the librdkafka consumer retries Fetch errors and a delay', async (t) => {
  await fetch(api, { method: 'DELETE' });
  await post([
    { api: 'Fetch', error: 'NOT_LEADER_OR_FOLLOWER', times: 2, clientId: 'rdkafka-consumer', topic: 'rdkafka-retry' },
    { api: 'Fetch', delayMs: 1500, times: 1, clientId: 'rdkafka-consumer' },
  ]);
  const r = await client([b.bootstrap, 'rdkafka-retry', String(COUNT), 'consume']);
  t.equal(r.code, 0, 'the consumer exits 0');
  t.notMatch(r.err, /PROTOERR/, 'librdkafka parsed every response');
  const res = JSON.parse(r.out.trim().split('\n').pop()!);
  t.same(
    res.values,
    Array.from({ length: COUNT }, (_, i) => `m${i}`),
  );
  t.same(
    (await list()).map((f) => f.remaining),
    [0, 0],
    'every injected fault was used',
  );
});
