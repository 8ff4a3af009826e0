// The console's cluster-wide pages against real clients: a kafkajs transaction (Ongoing with its
// partition, then CompleteCommit), ACLs created by kafkajs (with StandardAuthorizer; the console
// acts as User:ANONYMOUS, a super user here), a client quota set by Kafka 4.4.0's kafka-configs,
// and the metrics a Kafka 4.4.0 Java producer pushes with KIP-714 (the OTLP data decoded into
// metric names and values), each through the JSON API and the page in headless Chromium.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import kafkajs from 'kafkajs';
import type { Browser, Page } from 'playwright-core';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { launchChromium, waitFor } from './console-fixture.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

let b: RunningBroker;
let url: string;
let kafka: InstanceType<typeof Kafka>;
let browser: Browser;
let page: Page;

t.before(async () => {
  b = await startBroker({
    port: 0,
    httpPort: 0,
    memory: true,
    config: {
      'offsets.topic.num.partitions': '1',
      'transaction.state.log.num.partitions': '1',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:ANONYMOUS',
      'samsa.client.telemetry.enable': 'true',
      'samsa.client.telemetry.push.interval.ms': '500',
    },
  });
  url = `http://127.0.0.1:${b.httpPort}`;
  kafka = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'payments', numPartitions: 2 }] });
  await admin.disconnect();
  browser = await launchChromium();
  page = await browser.newPage();
});
t.teardown(async () => {
  await browser?.close();
  await b?.close();
});

async function json<T>(p: string): Promise<T> {
  const res = await fetch(url + p);
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function rows(selector: string): Promise<string[][]> {
  return page.$$eval(`${selector} tbody tr`, (trs) => trs.map((r) => [...r.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
}

function java(cls: string, args: string[]): ChildProcess {
  return spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', cls, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

t.test('transactions: an open one with its partition, then committed', async (t) => {
  const producer = kafka.producer({ transactionalId: 'console-txn', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const txn = await producer.transaction();
  await txn.send({ topic: 'payments', messages: [{ partition: 1, key: 'p', value: 'paid' }] });
  type Row = { transactionalId: string; state: string; partitions: string[] };
  const open = (await json<Row[]>('/api/console/transactions')).find((r) => r.transactionalId === 'console-txn');
  t.match(open, { state: 'Ongoing', partitions: ['payments-1'] });
  await page.goto(url + '/transactions');
  t.match((await rows('#transactions')).find((r) => r[0] === 'console-txn'), ['console-txn', 'Ongoing'], 'the page shows it');
  await txn.commit();
  await waitFor('the commit to complete', async () => (await json<Row[]>('/api/console/transactions')).find((r) => r.transactionalId === 'console-txn' && r.state === 'CompleteCommit'));
  t.pass('CompleteCommit after the commit');
});

t.test('ACLs created by kafkajs', async (t) => {
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createAcls({
    acl: [
      { resourceType: AclResourceTypes.TOPIC, resourceName: 'payments', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
      { resourceType: AclResourceTypes.GROUP, resourceName: 'pay-', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:bob', host: '10.0.0.1', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.DENY },
    ],
  });
  const { acls } = await json<{ acls: Record<string, string>[] }>('/api/console/acls');
  t.same(
    acls.sort((a, c) => a.principal.localeCompare(c.principal)),
    [
      { resourceType: 'TOPIC', resourceName: 'payments', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permission: 'ALLOW' },
      { resourceType: 'GROUP', resourceName: 'pay-', patternType: 'PREFIXED', principal: 'User:bob', host: '10.0.0.1', operation: 'ALL', permission: 'DENY' },
    ],
  );
  await page.goto(url + '/security');
  t.equal((await rows('#acls')).length, 2, 'the page lists both');
});

t.test('a client quota set by kafka-configs', async (t) => {
  const proc = java('org.apache.kafka.tools.ConfigCommand', ['--bootstrap-server', b.bootstrap, '--alter', '--add-config', 'producer_byte_rate=1048576,consumer_byte_rate=2097152', '--entity-type', 'clients', '--entity-name', 'reporting']);
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise((resolve) => proc.on('close', resolve));
  t.equal(code, 0, out);
  t.same(await json('/api/console/quotas'), [{ entity: 'client-id=reporting', values: { consumer_byte_rate: 2097152, producer_byte_rate: 1048576 } }]);
  await page.goto(url + '/security');
  t.same(await rows('#quotas'), [['client-id=reporting', 'consumer_byte_rate=2097152, producer_byte_rate=1048576']].map((r) => r), 'the page shows it');
});

t.test('metrics a Java producer pushed with KIP-714', async (t) => {
  const proc = java('org.apache.kafka.tools.ProducerPerformance', [
    '--topic', 'payments', '--num-records', '1000000', '--throughput', '20', '--record-size', '16',
    '--producer-props', `bootstrap.servers=${b.bootstrap}`, 'enable.metrics.push=true', 'client.id=perf-console',
  ]);
  proc.stdout!.resume();
  proc.stderr!.resume();
  const closed = new Promise((resolve) => proc.on('close', resolve));
  t.teardown(async () => {
    proc.kill('SIGKILL');
    await closed;
  });
  type Pushed = { clientId: string; metrics: { name: string; value: string; attributes: string }[] };
  const pushed = await waitFor(
    'a push from perf-console',
    async () => (await json<Pushed[]>('/api/console/client-metrics')).find((p) => p.clientId === 'perf-console' && p.metrics.some((m) => m.name === 'org.apache.kafka.producer.record.send.total')),
    180_000,
  );
  const sent = pushed.metrics.find((m) => m.name === 'org.apache.kafka.producer.record.send.total')!;
  t.match(sent.value, /^\d+(\.\d+)?$/, 'a number');
  t.ok(pushed.metrics.some((m) => m.name.startsWith('org.apache.kafka.producer.topic.') && m.attributes === 'topic=payments'), 'per-topic metrics carry their topic attribute');
  await page.goto(url + '/client-metrics');
  t.match(await page.textContent('main'), /perf-console/);
  t.ok((await page.$$eval('main table code', (cs) => cs.map((c) => c.textContent))).includes('org.apache.kafka.producer.record.send.total'), 'the metric listed on the page');
});
