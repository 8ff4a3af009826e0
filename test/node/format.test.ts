// `samsa format` (and formatNode) against Kafka 4.4.0's `kafka-storage format` (kafka.tools.StorageTool from the 4.4.0
// jars) on the same settings in sibling dirs: the same stdout, the same files, meta.properties with the same lines
// (date and fresh directory ids aside), and bootstrap checkpoints Kafka's own DumpLogSegments prints
// the same (timestamps, CRCs and fresh ids aside; sizes and positions included, so the bytes are
// laid out alike). Kafka reading samsa's checkpoint at all is part of the check, and a Kafka 4.4.0
// node started on a dir samsa formatted with --standalone takes its cluster id and voter set.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { resolveNodeConfig } from '../../src/node/config.js';
import { FormatterError, ensureFormatted, formatNode, parseInitialControllers, readBootstrapQuorum } from '../../src/node/format.js';
import { runFormatCommand } from '../../src/node/format-command.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const STORAGE_TOOL = 'kafka.tools.StorageTool';

/** Properties for a node whose dirs live under `root`. */
function properties(root: string, extra: Record<string, string>): Record<string, string> {
  return {
    'process.roles': 'broker,controller',
    'node.id': '1',
    listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092',
    'controller.listener.names': 'CONTROLLER',
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v.replaceAll('$ROOT', root)])),
  };
}

function writeProps(file: string, props: Record<string, string>): void {
  writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${v}\n`).join(''));
}

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** meta.properties with the date and the directory id blanked, after checking their shape. */
function metaShape(t: { match(found: unknown, wanted: RegExp, message: string): unknown }, file: string): string {
  const text = readFileSync(file, 'latin1');
  const lines = text.split('\n');
  t.match(lines[1], /^#(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [A-Z]+ \d{4}$/, `${file}: Java's date comment`);
  t.match(text, /\ndirectory\.id=[A-Za-z0-9_-]{22}\n/, `${file}: a directory id`);
  return [lines[0], '#DATE', ...lines.slice(2)].join('\n').replace(/directory\.id=\S+/, 'directory.id=ID');
}

/** DumpLogSegments of both checkpoints in one JVM, each normalised. */
async function dump(a: string, b: string, keepIds: boolean): Promise<[string, string]> {
  const r = await kafkaToolIO('org.apache.kafka.tools.DumpLogSegments', ['--cluster-metadata-decoder', '--print-data-log', '--files', `${a},${b}`]);
  const parts = r.out.split(/^Dumping .*$/m).slice(1);
  const norm = (s: string) => {
    let out = s.replace(/CreateTime: \d+/g, 'CreateTime: T').replace(/"lastContainedLogTimestamp":\d+/g, '"lastContainedLogTimestamp":T').replace(/crc: \d+/g, 'crc: C');
    if (!keepIds) out = out.replace(/"voterDirectoryId":"[^"]+"/g, '"voterDirectoryId":"ID"');
    return out.trim();
  };
  return [norm(parts[0] ?? r.out + r.err), norm(parts[1] ?? '')];
}

interface Layout {
  name: string;
  props: Record<string, string>;
  flags: string[];
  /** Voter directory ids are given (not fresh), so they must match too. */
  keepIds?: boolean;
}

const LAYOUTS: Layout[] = [
  {
    name: 'static quorum, two log dirs and a separate metadata log dir',
    props: { 'controller.quorum.voters': '1@127.0.0.1:19092', 'log.dirs': '$ROOT/a,$ROOT/b', 'metadata.log.dir': '$ROOT/meta' },
    flags: [],
  },
  {
    name: 'dynamic quorum, --standalone',
    props: { 'controller.quorum.bootstrap.servers': '127.0.0.1:19092', 'log.dirs': '$ROOT/data' },
    flags: ['--standalone'],
  },
  {
    name: 'dynamic quorum, --initial-controllers naming this node',
    props: { 'controller.quorum.bootstrap.servers': '127.0.0.1:19092', 'log.dirs': '$ROOT/data' },
    flags: ['--initial-controllers', '1@127.0.0.1:19092:VnMd59dHSSu7p8Ncpc0FFQ,2@127.0.0.1:19093:HwLHQMPlIu1JNMkHGl7ceQ'],
    keepIds: true,
  },
  {
    name: 'dynamic quorum, --no-initial-controllers',
    props: { 'controller.quorum.bootstrap.servers': '127.0.0.1:19092', 'log.dirs': '$ROOT/data' },
    flags: ['--no-initial-controllers'],
  },
];

for (const layout of LAYOUTS) {
  t.test(layout.name, async (t) => {
    const base = tempDir(t);
    const [mine, theirs] = [path.join(base, 'samsa'), path.join(base, 'kafka')];
    const kafkaProps = properties(theirs, layout.props);
    writeProps(path.join(base, 'kafka.properties'), kafkaProps);
    const k = await kafkaToolIO(STORAGE_TOOL, ['format', '-t', CLUSTER_ID, '-c', path.join(base, 'kafka.properties'), ...layout.flags]);
    t.equal(k.code, 0, `kafka-storage format: ${k.err}`);

    // samsa's side through the `samsa format` command itself, with the same flags.
    writeProps(path.join(base, 'samsa.properties'), properties(mine, layout.props));
    let out = '';
    let err = '';
    const code = await runFormatCommand(['-t', CLUSTER_ID, '-c', path.join(base, 'samsa.properties'), ...layout.flags], { write: (s: string) => (out += s) }, { write: (s: string) => (err += s) });
    t.equal(code, 0, `samsa format: ${err}`);

    t.same(files(mine), files(theirs), 'the same files');
    const lines = (text: string, dir: string) => text.replaceAll(dir, 'DIR').trim().split('\n').sort();
    t.same(lines(out, mine), lines(k.out, theirs), 'the same lines on stdout (the bootstrap metadata, one per dir formatted)');
    for (const f of files(theirs).filter((f) => f.endsWith('meta.properties'))) {
      t.equal(metaShape(t, path.join(mine, f)), metaShape(t, path.join(theirs, f)), f);
      if (layout.keepIds && f === 'data/meta.properties') {
        t.match(readFileSync(path.join(mine, f), 'utf8'), /directory\.id=VnMd59dHSSu7p8Ncpc0FFQ/, 'the voter\'s metadata dir has the directory id the voter set names');
      }
    }
    const checkpoint = files(theirs).find((f) => f.endsWith('.checkpoint'))!;
    // The quorum facts read back from Kafka's checkpoint and from samsa's.
    const metadataDir = path.dirname(path.dirname(checkpoint));
    const [ours, kafkas] = [await readBootstrapQuorum(path.join(mine, metadataDir)), await readBootstrapQuorum(path.join(theirs, metadataDir))];
    t.equal(kafkas?.kraftVersion, layout.props['controller.quorum.voters'] ? 0 : 1, 'kraft.version 1 exactly when the quorum is dynamic');
    if (layout.keepIds) {
      t.same(kafkas?.voters, {
        listenerName: 'CONTROLLER',
        voters: [
          { id: 1, host: '127.0.0.1', port: 19092, directoryId: 'VnMd59dHSSu7p8Ncpc0FFQ' },
          { id: 2, host: '127.0.0.1', port: 19093, directoryId: 'HwLHQMPlIu1JNMkHGl7ceQ' },
        ],
      }, 'the initial voters, read from Kafka\'s checkpoint');
      t.same(ours, kafkas, 'and the same from samsa\'s');
    } else {
      t.same(ours && { ...ours, voters: ours.voters && ours.voters.voters.map((v) => ({ ...v, directoryId: 'ID' })) }, kafkas && { ...kafkas, voters: kafkas.voters && kafkas.voters.voters.map((v) => ({ ...v, directoryId: 'ID' })) }, 'the same quorum facts (fresh directory ids aside)');
    }
    const [a, b] = await dump(path.join(mine, checkpoint), path.join(theirs, checkpoint), layout.keepIds === true);
    t.match(a, /SnapshotFooter/, 'Kafka reads samsa\'s checkpoint to its footer');
    t.equal(a, b, 'DumpLogSegments prints both checkpoints alike');
    if (layout.flags.includes('--standalone')) {
      // The voter's directory id is the metadata dir's own.
      const dirId = /directory\.id=(\S+)/.exec(readFileSync(path.join(mine, 'data/meta.properties'), 'utf8'))![1];
      const r = await kafkaToolIO('org.apache.kafka.tools.DumpLogSegments', ['--cluster-metadata-decoder', '--files', path.join(mine, checkpoint)]);
      t.match(r.out, `"voterDirectoryId":"${dirId}"`, 'the standalone voter is named by its metadata dir\'s id');
    }
  });
}

t.test('refusals with kafka-storage\'s messages', async (t) => {
  const base = tempDir(t);
  const cases: { name: string; props: Record<string, string>; flags: string[]; before?: boolean }[] = [
    { name: 'already formatted', props: { 'controller.quorum.voters': '1@127.0.0.1:19092', 'log.dirs': '$ROOT/d' }, flags: [], before: true },
    { name: 'static voters with --standalone', props: { 'controller.quorum.voters': '1@127.0.0.1:19092', 'log.dirs': '$ROOT/d' }, flags: ['--standalone'] },
    { name: 'dynamic controller without initial controllers', props: { 'controller.quorum.bootstrap.servers': '127.0.0.1:19092', 'log.dirs': '$ROOT/d' }, flags: [] },
  ];
  for (const c of cases) {
    const [mine, theirs] = [path.join(base, `${c.name}-samsa`), path.join(base, `${c.name}-kafka`)];
    writeProps(path.join(base, 'k.properties'), properties(theirs, c.props));
    const config = resolveNodeConfig(properties(mine, c.props));
    const opts = { clusterId: CLUSTER_ID, config, standalone: c.flags.includes('--standalone') };
    if (c.before) {
      await formatNode(opts);
      t.equal((await kafkaToolIO(STORAGE_TOOL, ['format', '-t', CLUSTER_ID, '-c', path.join(base, 'k.properties')])).code, 0);
    }
    const k = await kafkaToolIO(STORAGE_TOOL, ['format', '-t', CLUSTER_ID, '-c', path.join(base, 'k.properties'), ...c.flags]);
    t.equal(k.code, 1, `${c.name}: kafka-storage refuses`);
    const err = await formatNode(opts).then(
      () => null,
      (e) => e as Error,
    );
    t.type(err, FormatterError, c.name);
    t.equal(err?.message.replaceAll(mine, 'DIR'), (k.out + k.err).trim().split('\n').pop()!.replaceAll(theirs, 'DIR'), `${c.name}: the same message`);
  }
});

t.test('--initial-controllers parsed as Kafka\'s DynamicVoters.parse', async (t) => {
  t.same(parseInitialControllers('2@h2:9093:HwLHQMPlIu1JNMkHGl7ceQ, 1@[::1]:9093:VnMd59dHSSu7p8Ncpc0FFQ'), [
    { id: 1, host: '::1', port: 9093, directoryId: 'VnMd59dHSSu7p8Ncpc0FFQ' },
    { id: 2, host: 'h2', port: 9093, directoryId: 'HwLHQMPlIu1JNMkHGl7ceQ' },
  ], 'sorted by node id, IPv6 hosts in brackets');
  // Messages from org.apache.kafka.raft.DynamicVoter/DynamicVoters (kafka-raft 4.4.0), as kafka-storage prints them.
  const bad: [string, string][] = [
    ['1@127.0.0.1:19092', 'No colon following port could be found.'],
    ['127.0.0.1:19092:VnMd59dHSSu7p8Ncpc0FFQ', 'No @ found in dynamic voter string.'],
    ['x@h:1:VnMd59dHSSu7p8Ncpc0FFQ', 'Failed to parse node id in dynamic voter string.'],
    ['1@h:70000:VnMd59dHSSu7p8Ncpc0FFQ', 'Invalid port 70000 in dynamic voter string.'],
    ['1@h:1:nope', 'Failed to parse directory ID in dynamic voter string.'],
    ['1@h:1:VnMd59dHSSu7p8Ncpc0FFQ,1@h:2:HwLHQMPlIu1JNMkHGl7ceQ', 'Node id 1 was specified more than once.'],
  ];
  for (const [input, message] of bad) t.throws(() => parseInitialControllers(input), new FormatterError(message), input);
  const dir = tempDir(t);
  writeProps(path.join(dir, 'k.properties'), properties(dir, { 'controller.quorum.bootstrap.servers': '127.0.0.1:19092', 'log.dirs': '$ROOT/d' }));
  const k = await kafkaToolIO(STORAGE_TOOL, ['format', '-t', CLUSTER_ID, '-c', path.join(dir, 'k.properties'), '--initial-controllers', bad[0][0]]);
  t.match(k.out + k.err, bad[0][1], 'kafka-storage says the same of the first');
});

t.test('a start over formatted dirs: formats the empty ones, refuses another cluster or node', async (t) => {
  const root = tempDir(t);
  const props = properties(root, { 'controller.quorum.voters': '1@127.0.0.1:19092', 'log.dirs': '$ROOT/a', 'metadata.log.dir': '$ROOT/m' });
  const config = resolveNodeConfig(props);
  await t.rejects(ensureFormatted(config), /^No readable meta\.properties files found\./, 'no cluster id anywhere');
  const first = await ensureFormatted(config, CLUSTER_ID);
  t.equal(first.clusterId, CLUSTER_ID);
  t.equal(first.directoryIds.size, 2, 'the log dir and the metadata log dir');
  t.equal(first.metadataDirectoryId, first.directoryIds.get(path.join(root, 'm')));
  const again = await ensureFormatted(config);
  t.same([...again.directoryIds], [...first.directoryIds], 'a restart keeps each dir\'s id and the cluster id');

  await t.rejects(
    ensureFormatted(config, 'AAAAAAAAAAAAAAAAAAAAAg'),
    new FormatterError(`Invalid cluster.id in: ${path.join(root, 'a', 'meta.properties')}. Expected AAAAAAAAAAAAAAAAAAAAAg, but read ${CLUSTER_ID}`),
  );
  await t.rejects(
    ensureFormatted(resolveNodeConfig({ ...props, 'node.id': '2', 'controller.quorum.voters': '2@127.0.0.1:19092' })),
    new FormatterError(
      `Stored node id 1 doesn't match previous node id 2 in ${path.join(root, 'a', 'meta.properties')}. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories.`,
    ),
  );
});

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

t.test('Apache Kafka 4.4.0 runs on a dir samsa formatted with --standalone, with samsa\'s voter set', async (t) => {
  const dir = tempDir(t);
  const [port, controllerPort] = [await freePort(), await freePort()];
  const props = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': path.join(dir, 'data'),
    'offsets.topic.replication.factor': '1',
  };
  writeProps(path.join(dir, 'server.properties'), props);
  await formatNode({ clusterId: CLUSTER_ID, config: resolveNodeConfig(props), standalone: true });
  const directoryId = /directory\.id=(\S+)/.exec(readFileSync(path.join(dir, 'data', 'meta.properties'), 'utf8'))![1];

  // broker.sh execs java, so this pid is Kafka's own.
  const kafka = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), 'java', 'kafka.Kafka', path.join(dir, 'server.properties')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  kafka.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<number | null>((resolve) => kafka.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (kafka.exitCode === null && kafka.signalCode === null) kafka.kill('SIGKILL');
  });
  let status = '';
  for (let attempt = 0; attempt < 30 && !/LeaderId:\s+1\b/.test(status); attempt++) {
    if (kafka.exitCode !== null) break;
    status = (await kafkaToolIO('org.apache.kafka.tools.MetadataQuorumCommand', ['--bootstrap-controller', `127.0.0.1:${controllerPort}`, 'describe', '--status'])).out;
  }
  if (!status.includes(CLUSTER_ID)) t.comment(`Kafka's log: ${log.slice(-4000)}`);
  t.match(status, `ClusterId:              ${CLUSTER_ID}`, 'Kafka serves the cluster samsa formatted');
  t.match(status, /LeaderId:\s+1\b/, 'and elects node 1');
  t.match(status, `CurrentVoters:          [{"id": 1, "directoryId": "${directoryId}", "endpoints": ["CONTROLLER://127.0.0.1:${controllerPort}"]}]`, 'the voter set of samsa\'s checkpoint');
  kafka.kill('SIGTERM');
  t.equal(await exited, 143, 'Kafka stops on SIGTERM');
});
