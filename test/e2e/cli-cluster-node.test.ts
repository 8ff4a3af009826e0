// The `samsa` command for cluster nodes, as kafka-server-start and kafka-storage are used: a
// properties file as first argument (Java syntax, continuation lines) with --config overriding it,
// `samsa format` then a start without --cluster-id, --cluster-id formatting on first start, and
// one-line refusals (exit code 1, Kafka's wording) for a bad config and for dirs of another
// cluster or node. `samsa random-uuid` prints a Kafka cluster id.
import t, { type Test } from 'tap';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, spawnBroker } from '../helpers/cli-broker.js';
import { tempDir } from '../helpers/tmp.js';
import { WireConnection, parseApiVersionsResponse } from '../helpers/wire.js';
import { codecRequest } from '../metadata/helpers.js';

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const OTHER_CLUSTER_ID = 'q1Sh-9_ISia_zwGINzRvyQ';
/** The broker's own log lines, which may come before a refusal. */
const LOG_LINE = /^\[\d{4}-\d\d-\d\dT[^\]]*\] (DEBUG|INFO|WARN) /;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A one-node combined cluster's server.properties, its listeners split over a continuation line. */
async function serverProperties(dir: string): Promise<{ file: string; port: number; controllerPort: number }> {
  const [port, controllerPort] = [await freePort(), await freePort()];
  const file = path.join(dir, 'server.properties');
  writeFileSync(
    file,
    [
      '# one combined node',
      'process.roles = broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},\\`,
      `    CONTROLLER://127.0.0.1:${controllerPort}`,
      'controller.listener.names=CONTROLLER',
      `log.dirs=${path.join(dir, 'data')}`,
      'num.partitions=3',
      '',
    ].join('\n'),
  );
  return { file, port, controllerPort };
}

async function answersApiVersions(t: Test, host: string, port: number): Promise<void> {
  const c = await WireConnection.connect(host, port);
  try {
    t.equal(parseApiVersionsResponse(await c.request(18, 0, Buffer.alloc(0)), 0).errorCode, 0, `a Kafka client is answered on ${host}:${port}`);
  } finally {
    c.destroy();
  }
}

/** Exit code 1, one line on stderr (besides log lines) equal to `line`, never listening. */
async function refuses(t: Test, args: string[], line: string | RegExp): Promise<void> {
  const r = await runCli(args, { timeoutMs: 90_000 });
  t.notOk(r.timedOut, 'exits by itself');
  t.equal(r.code, 1, 'exit code 1');
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !LOG_LINE.test(l));
  t.equal(lines.length, 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  if (typeof line === 'string') t.equal(lines[0], line);
  else t.match(lines[0] ?? '', line);
  t.notMatch(r.stdout, /listening on/, 'never claims to listen');
}

t.test('server.properties first, --cluster-id formats on first start; another cluster or node id is refused', async (t) => {
  const dir = tempDir(t);
  const { file, port, controllerPort } = await serverProperties(dir);
  const node = await spawnBroker(t, [file, '--cluster-id', CLUSTER_ID], { timeoutMs: 60_000 });
  t.equal(node.port, port, 'listens where listeners says (the line continued in the file)');
  t.match(node.readyLine, new RegExp(`^samsa node 1 \\(broker,controller\\) listening on 127\\.0\\.0\\.1:${port} \\(PLAINTEXT\\), 127\\.0\\.0\\.1:${controllerPort} \\(CONTROLLER\\)`));
  await answersApiVersions(t, node.host, node.port);
  t.same(await node.stop('SIGTERM', 30_000), { code: 0, signal: null }, 'SIGTERM exits 0');
  const meta = readFileSync(path.join(dir, 'data', 'meta.properties'), 'utf8');
  t.match(meta, `cluster.id=${CLUSTER_ID}\n`, 'formatted with the given cluster id');
  t.match(meta, /^#\n#\w{3} \w{3} \d\d \d\d:\d\d:\d\d \w+ \d{4}\nnode\.id=1\ndirectory\.id=\S{22}\nversion=1\ncluster\.id=/, 'as Kafka writes meta.properties');

  const metaFile = path.join(dir, 'data', 'meta.properties');
  await refuses(t, [file, '--cluster-id', OTHER_CLUSTER_ID], `samsa: cannot start: Invalid cluster.id in: ${metaFile}. Expected ${OTHER_CLUSTER_ID}, but read ${CLUSTER_ID}`);
  await refuses(
    t,
    [file, '--config', 'node.id=2', '--config', `controller.quorum.voters=2@127.0.0.1:${controllerPort}`],
    `samsa: cannot start: Stored node id 1 doesn't match previous node id 2 in ${metaFile}. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories.`,
  );
});

t.test('samsa format, then a start without --cluster-id', async (t) => {
  const dir = tempDir(t);
  const { file, port } = await serverProperties(dir);
  const f = await runCli(['format', '-t', CLUSTER_ID, '-c', file]);
  t.equal(f.code, 0, `format exits 0: ${f.stderr}`);
  const lines = f.stdout.trim().split('\n');
  t.match(lines[0], /^Bootstrap metadata: BootstrapMetadata\(records=\[ApiMessageAndVersion\(FeatureLevelRecord\(name='metadata\.version', featureLevel=33\) at version 0\)/);
  t.same(lines.slice(1), [`Formatting metadata directory ${path.join(dir, 'data')} with metadata.version 4.4-IV2.`], 'kafka-storage\'s line');
  const again = await runCli(['format', '-t', CLUSTER_ID, '-c', file]);
  t.equal(again.code, 1);
  t.equal(again.stderr, `Log directory ${path.join(dir, 'data')} is already formatted. Use --ignore-formatted to ignore this directory and format the others.\n`);
  t.equal(again.stdout, '', 'nothing on stdout when refused, as kafka-storage');

  const node = await spawnBroker(t, [file], { timeoutMs: 60_000 });
  t.equal(node.port, port);
  await answersApiVersions(t, node.host, node.port);
  t.same(await node.stop('SIGTERM', 30_000), { code: 0, signal: null });
});

t.test('refusals before anything starts', async (t) => {
  const dir = tempDir(t);
  const { file } = await serverProperties(dir);
  await refuses(t, [file], 'samsa: cannot start: No readable meta.properties files found. Give the cluster id with --cluster-id ID, or format the node with samsa format -t ID -c FILE.');
  // What Kafka 4.4.0's KafkaConfig.fromProps says of the same settings (checked with its jars).
  await refuses(
    t,
    [file, '--cluster-id', CLUSTER_ID, '--config', 'controller.listener.names=OTHER'],
    /^samsa: cannot start: Error creating broker listeners from '\[PLAINTEXT:\/\/127\.0\.0\.1:\d+, CONTROLLER:\/\/127\.0\.0\.1:\d+\]': No security protocol defined for listener CONTROLLER$/,
  );
  await refuses(t, ['--config', 'process.roles=broker,controller', '--config', 'node.id=1'], 'samsa: cannot start: Missing required configuration "controller.listener.names" which has no default value.');
  await refuses(t, [path.join(dir, 'missing.properties')], /^samsa: cannot read .*missing\.properties: ENOENT/);
  const r = await runCli([file, '--port', '9092']);
  t.equal(r.code, 2, 'listeners decide where a cluster node listens: --port is a usage error');
  t.match(r.stderr, /not --host\/--port/);
});

t.test('a lone node with --cluster-id keeps that id; another one is refused', async (t) => {
  const dir = tempDir(t);
  const node = await spawnBroker(t, ['--port', '0', '--data-dir', dir, '--cluster-id', CLUSTER_ID]);
  t.same(await node.stop('SIGTERM'), { code: 0, signal: null });
  t.match(readFileSync(path.join(dir, 'meta.properties'), 'utf8'), `cluster.id=${CLUSTER_ID}\n`);
  await refuses(
    t,
    ['--port', '0', '--data-dir', dir, '--cluster-id', OTHER_CLUSTER_ID],
    `samsa: cannot start: Invalid cluster.id in: ${path.join(dir, 'meta.properties')}. Expected ${OTHER_CLUSTER_ID}, but read ${CLUSTER_ID}`,
  );
});

t.test('a lone node from a properties file: its log.dirs is the data dir, --override wins over the file', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'lone.properties');
  writeFileSync(file, `log.dirs=${path.join(dir, 'logs')}\nnum.partitions=3\nauto.create.topics.enable=true\n`);
  const node = await spawnBroker(t, [file, '--port', '0', '--override', 'auto.create.topics.enable=false']);
  const r = await codecRequest(node.host, node.port, 'DescribeConfigs', 4, {
    resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['num.partitions', 'auto.create.topics.enable'] }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const values = Object.fromEntries(r.results[0].configs.map((c: { name: string; value: string }) => [c.name, c.value]));
  t.same(values, { 'num.partitions': '3', 'auto.create.topics.enable': 'false' }, 'num.partitions from the file, --override over the file');
  t.same(await node.stop('SIGTERM'), { code: 0, signal: null });
  t.match(readFileSync(path.join(dir, 'logs', 'meta.properties'), 'utf8'), /cluster\.id=/, 'the data dir is log.dirs');
});

t.test('samsa random-uuid prints a Kafka Uuid', async (t) => {
  const r = await runCli(['random-uuid']);
  t.equal(r.code, 0);
  t.match(r.stdout, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}\n$/, '22 base64url characters, not starting with "-"');
  t.equal(Buffer.from(r.stdout.trim(), 'base64url').length, 16);
});
