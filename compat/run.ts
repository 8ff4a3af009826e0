// `npm run compat [-- --target samsa|kafka|samsa-cluster] [--clients a,b] [--no-build]`: starts a fresh broker,
// runs every client's compat/<client>/run.sh against it, prints the client × scenario matrix, records it in
// compat/RESULTS.md (samsa-cluster: compat/RESULTS-cluster.md), and exits 1 when an allow-listed scenario
// (samsa, samsa-cluster) or any scenario (Kafka) fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addScramArgs, makePki, saslEnv, saslListeners, saslProperties, type SaslPorts } from './security.js';

type Target = 'samsa' | 'kafka' | 'samsa-cluster';
type Outcome = 'pass' | 'fail' | 'skip';

interface Scenario {
  client: string;
  name: string;
  outcome: Outcome;
  why: string;
  allowed: boolean;
}

interface Broker {
  bootstrap: string;
  /** Where the SASL scenarios connect (compat/security.ts); none for the samsa-cluster target. */
  saslEnv?: Record<string, string>;
  stop(): Promise<void>;
}

const COMPAT = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(COMPAT);

// Run order and time limits; installs get their own limit because a fresh machine downloads a lot.
const CLIENTS: { name: string; installSec: number; testSec: number }[] = [
  { name: 'kcat', installSec: 300, testSec: 240 },
  { name: 'kafkajs', installSec: 60, testSec: 240 },
  { name: 'platformatic', installSec: 300, testSec: 300 },
  { name: 'confluent-kafka', installSec: 300, testSec: 300 },
  { name: 'kafka-python', installSec: 300, testSec: 300 },
  { name: 'java', installSec: 600, testSec: 420 },
  { name: 'kafka-streams', installSec: 300, testSec: 180 },
  { name: 'franz-go', installSec: 900, testSec: 900 },
];

function parseArgs(argv: string[]) {
  let target: Target = 'samsa';
  let only: string[] | undefined;
  let build = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => inline ?? argv[++i];
    if (flag === '--target') {
      const v = val();
      if (v !== 'samsa' && v !== 'kafka' && v !== 'samsa-cluster') throw new Error(`--target must be samsa, kafka or samsa-cluster, got '${v}'`);
      target = v;
    } else if (flag === '--clients') only = val().split(',').filter(Boolean);
    else if (flag === '--no-build') build = false;
    else throw new Error(`unknown argument '${a}' (use --target samsa|kafka|samsa-cluster, --clients a,b, --no-build)`);
  }
  const unknown = only?.filter((c) => !CLIENTS.some((k) => k.name === c)) ?? [];
  if (unknown.length) throw new Error(`unknown client(s): ${unknown.join(', ')}`);
  return { target, clients: CLIENTS.filter((c) => !only || only.includes(c.name)), build };
}

/** Waits for `re` on the child's stdout; rejects if the child exits or `ms` passes first. */
function waitForLine(child: ChildProcess, re: RegExp, ms: number, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no '${re.source}' within ${ms} ms; output: ${out}`)), ms);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = out.match(re);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready; output: ${out}`));
    });
  });
}

function buildSamsa(): void {
  {
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
    // Other work in progress may not type-check; tsc still emits, so a runnable dist/ is good enough.
    if (b.status !== 0) console.error('compat: `npm run build` reported errors; using what it emitted');
  }
}

/** SIGTERM, then SIGKILL if the process has not exited within forceMs. */
function stopChild(child: ChildProcess, forceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), forceMs);
    child.on('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startSamsa(dir: string, build: boolean): Promise<Broker> {
  if (build) buildSamsa();
  const sasl = await startSamsaSasl(join(dir, 'sasl'));
  const log = createWriteStream(join(dir, 'samsa.log'));
  const child = spawn(process.execPath, ['bin/samsa.js', '--port', '0', '--data-dir', join(dir, 'data')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.pipe(log);
  const m = await waitForLine(child, /samsa listening on (\S+):(\d+)/, 60_000, 'samsa').catch(async (e) => {
    await sasl.stop();
    throw e;
  });
  child.stdout!.pipe(log);
  return { bootstrap: `${m[1]}:${m[2]}`, saslEnv: sasl.env, stop: async () => void (await Promise.all([stopChild(child, 15_000), sasl.stop()])) };
}

/**
 * The SASL scenarios' samsa: a second process, a KRaft broker+controller node formatted with `samsa format` and
 * started from a server.properties as a user would, with PLAINTEXT, SASL_SSL and SASL_PLAINTEXT listeners and the
 * SCRAM user added by `samsa format --add-scram`. The plain matrix keeps its lone broker.
 */
async function startSamsaSasl(dir: string): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  mkdirSync(dir, { recursive: true });
  const pki = makePki(join(dir, 'pki'));
  const base = await freePortRange(4);
  const ports: SaslPorts = { saslSsl: base + 1, saslPlaintext: base + 2 };
  const sasl = saslListeners(ports);
  const props = join(dir, 'server.properties');
  writeFileSync(props, [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${base + 3}`,
    `listeners=PLAINTEXT://127.0.0.1:${base},${sasl.listeners.join(',')},CONTROLLER://127.0.0.1:${base + 3}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${base},${sasl.listeners.join(',')}`,
    `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,${sasl.protocols.join(',')}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    ...saslProperties(pki),
    '',
  ].join('\n'));
  const samsa = (args: string[]) => spawnSync(process.execPath, ['bin/samsa.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const clusterId = samsa(['random-uuid']).stdout.trim();
  const format = samsa(['format', '-t', clusterId, '-c', props, ...addScramArgs()]);
  if (format.status !== 0) throw new Error(`samsa format: ${format.stdout}${format.stderr}`);
  const log = createWriteStream(join(dir, 'samsa.log'));
  const child = spawn(process.execPath, ['bin/samsa.js', props], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.pipe(log);
  await waitForLine(child, /samsa node 1 \S+ listening on/, 60_000, 'samsa (SASL listeners)');
  child.stdout!.pipe(log);
  return { env: saslEnv(pki, ports), stop: () => stopChild(child, 15_000) };
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port p with p .. p+count-1 free now (`--nodes` lays its ports out consecutively from one base). */
async function freePortRange(count: number, avoid: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    let ok = !avoid.some((p) => p >= base - count && p < base + count);
    for (let i = 0; i < count && ok; i++) ok = await canBind(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** `samsa --nodes 3` (a launcher running one process per node, each broker+controller), fresh data dir. */
async function startSamsaCluster(dir: string, build: boolean): Promise<Broker> {
  if (build) buildSamsa();
  const port = await freePortRange(3);
  const controllerPort = await freePortRange(3, [port]);
  const log = createWriteStream(join(dir, 'samsa.log'));
  const args = ['bin/samsa.js', '--nodes', '3', '--port', String(port), '--controller-port', String(controllerPort), '--data-dir', join(dir, 'data')];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.pipe(log);
  const m = await waitForLine(child, /samsa cluster \S+ of \d+ nodes listening on (\S+)/, 120_000, 'samsa cluster');
  child.stdout!.pipe(log);
  // The launcher gives each node 15 s to shut down cleanly before it SIGKILLs it.
  return { bootstrap: m[1], stop: () => stopChild(child, 30_000) };
}

/** Kafka with the same SASL listeners as samsa's (compat/security.ts), the SCRAM user added by kafka-storage format. */
async function startKafka(dir: string): Promise<Broker> {
  const script = join(COMPAT, 'kafka', 'broker.sh');
  const pki = makePki(join(dir, 'pki'));
  const base = await freePortRange(2);
  const ports: SaslPorts = { saslSsl: base, saslPlaintext: base + 1 };
  const sasl = saslListeners(ports);
  const env = { ...process.env, KAFKA_EXTRA_LISTENERS: sasl.listeners.join(','), KAFKA_EXTRA_PROTOCOLS: sasl.protocols.join(','), KAFKA_FORMAT_ARGS: addScramArgs().join('\n') };
  const child = spawn('bash', [script, 'start', dir, ...saslProperties(pki)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const m = await waitForLine(child, /kafka listening on (\S+):(\d+)/, 900_000, 'kafka');
  return {
    bootstrap: `${m[1]}:${m[2]}`,
    saslEnv: saslEnv(pki, ports),
    stop: async () => {
      spawnSync('bash', [script, 'stop', dir], { stdio: 'inherit', timeout: 60_000 });
    },
  };
}

interface RunResult {
  code: number | null;
  timedOut: boolean;
  stdout: string;
}

/** Runs a client script in its own process group so a timeout ends everything it started, and only that. */
function runScript(script: string, args: string[], env: NodeJS.ProcessEnv, sec: number, logFile: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn('bash', [script, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let timedOut = false;
    let partial = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      log.write(d);
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const l of lines) if (/^(PASS|FAIL|SKIP) /.test(l)) console.log(`  ${l.length > 160 ? l.slice(0, 157) + '...' : l}`);
    });
    child.stderr!.on('data', (d) => log.write(d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }, sec * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      log.end();
      resolve({ code, timedOut, stdout });
    });
  });
}

function readAllowList(client: string): Set<string> {
  const file = join(COMPAT, client, 'tests.allow');
  if (!existsSync(file)) return new Set();
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean),
  );
}

function parseResults(client: string, stdout: string, allow: Set<string>): Scenario[] {
  const seen = new Map<string, Scenario>();
  for (const line of stdout.split('\n')) {
    const m = line.match(/^(PASS|FAIL|SKIP) (\S+)\s*(.*)$/);
    if (!m) continue;
    const name = m[2];
    seen.set(name, { client, name, outcome: m[1].toLowerCase() as Outcome, why: m[3].trim(), allowed: allow.has(name) });
  }
  // An allow-listed scenario that never reported (crash, timeout) counts as failed.
  for (const name of allow) {
    if (!seen.has(name)) seen.set(name, { client, name, outcome: 'fail', why: 'did not report a result', allowed: true });
  }
  return [...seen.values()];
}

async function runClient(c: (typeof CLIENTS)[number], broker: Broker, target: Target, logDir: string): Promise<Scenario[]> {
  const script = join(COMPAT, c.name, 'run.sh');
  const logFile = join(logDir, `${c.name}.log`);
  const env: NodeJS.ProcessEnv = { ...process.env, ...broker.saslEnv, BOOTSTRAP: broker.bootstrap, TARGET: target, RUN_ID: `${target}${Date.now().toString(36)}` };
  // franz-go's tests create their topics with KGO_TEST_RF replicas: all three nodes on the cluster.
  if (target === 'samsa-cluster') env.KGO_TEST_RF ??= '3';
  const allow = readAllowList(c.name);
  const t0 = Date.now();
  const inst = await runScript(script, ['install'], env, c.installSec, logFile);
  const t1 = Date.now();
  console.log(`${c.name}: install ${((t1 - t0) / 1000).toFixed(0)} s${inst.code === 0 ? '' : ' FAILED'}`);
  if (inst.code !== 0) {
    const why = inst.timedOut ? `install timed out after ${c.installSec} s` : `install failed (see ${logFile})`;
    return [{ client: c.name, name: 'install', outcome: 'fail', why, allowed: true }, ...parseResults(c.name, '', allow)];
  }
  const run = await runScript(script, ['test'], env, c.testSec, logFile);
  console.log(`${c.name}: scenarios ${((Date.now() - t1) / 1000).toFixed(0)} s${run.timedOut ? ` (killed after ${c.testSec} s)` : ''}`);
  const results = parseResults(c.name, run.stdout, allow);
  if (run.timedOut) for (const r of results) if (r.why === 'did not report a result') r.why = `timed out after ${c.testSec} s`;
  if (results.length === 0) results.push({ client: c.name, name: 'run', outcome: 'fail', why: `no results (exit ${run.code}; see ${logFile})`, allowed: true });
  return results;
}

// compat/RESULTS.md keeps one row per (client, scenario) with a column per target, so the two runs sit side
// by side; a run rewrites only its own column for the clients it ran.
const RESULTS = join(COMPAT, 'RESULTS.md');
/** The reference broker's version, from the pom that fetches its jars. */
const KAFKA_VERSION = readFileSync(join(COMPAT, 'kafka', 'pom.xml'), 'utf8').match(/<kafka\.version>([^<]+)</)?.[1] ?? '?';
interface Row {
  client: string;
  name: string;
  allowed: string;
  samsa: string;
  kafka: string;
}

function readRows(): Row[] {
  if (!existsSync(RESULTS)) return [];
  const rows: Row[] = [];
  for (const line of readFileSync(RESULTS, 'utf8').split('\n')) {
    const cells = line.split('|').slice(1, -1).map((s) => s.trim());
    if (cells.length !== 5 || cells[0] === 'client' || cells[0].startsWith('---')) continue;
    const [client, name, allowed, samsa, kafka] = cells;
    rows.push({ client, name: name.replace(/`/g, ''), allowed, samsa, kafka });
  }
  return rows;
}

function cell(s: Scenario): string {
  return s.outcome === 'pass' ? 'pass' : `${s.outcome}${s.why ? ': ' + s.why.replace(/\|/g, '/').slice(0, 120) : ''}`;
}

function writeResults(target: 'samsa' | 'kafka', ran: string[], results: Scenario[], stamp: string): void {
  let rows = readRows();
  for (const r of rows) if (ran.includes(r.client)) r[target] = '';
  for (const s of results) {
    let row = rows.find((r) => r.client === s.client && r.name === s.name);
    if (!row) rows.push((row = { client: s.client, name: s.name, allowed: '', samsa: '', kafka: '' }));
    row[target] = cell(s);
  }
  rows = rows.filter((r) => r.samsa || r.kafka);
  for (const r of rows) if (ran.includes(r.client)) r.allowed = readAllowList(r.client).has(r.name) ? 'yes' : '';
  const order = (c: string) => CLIENTS.findIndex((k) => k.name === c);
  rows.sort((a, b) => order(a.client) - order(b.client) || a.name.localeCompare(b.name));
  const count = (t: 'samsa' | 'kafka', client?: string) => {
    const mine = rows.filter((r) => !client || r.client === client);
    return `${mine.filter((r) => r[t] === 'pass').length}/${mine.filter((r) => r[t]).length}`;
  };
  const prev = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const stamps = { samsa: prev.match(/^- samsa: (.*)$/m)?.[1] ?? 'not run yet', kafka: prev.match(/^- kafka: (.*)$/m)?.[1] ?? 'not run yet' };
  stamps[target] = stamp;
  const out = [
    '# Compatibility matrix',
    '',
    `Written by \`npm run compat\` (samsa column) and \`npm run compat -- --target kafka\` (Apache Kafka ${KAFKA_VERSION} column).`,
    'A scenario failing against Kafka is a broken scenario; against samsa, each allow-listed one must pass and',
    "every other failure or skip is explained in that client's FINDINGS.md.",
    '',
    `- samsa: ${stamps.samsa}`,
    `- kafka: ${stamps.kafka}`,
    '',
    '| client | passing on samsa | passing on kafka |',
    '|---|---|---|',
    ...CLIENTS.filter((c) => rows.some((r) => r.client === c.name)).map((c) => `| ${c.name} | ${count('samsa', c.name)} | ${count('kafka', c.name)} |`),
    `| all | ${count('samsa')} | ${count('kafka')} |`,
    '',
    '| client | scenario | allow-listed | samsa | kafka |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.client} | \`${r.name}\` | ${r.allowed} | ${r.samsa} | ${r.kafka} |`),
    '',
  ];
  writeFileSync(RESULTS, out.join('\n'));
}

// The 3-node run is recorded by hand (CI runs the single-node matrix), in its own file so the two columns above
// stay as the single-node runs wrote them; each run rewrites the rows of the clients it ran.
const RESULTS_CLUSTER = join(COMPAT, 'RESULTS-cluster.md');

function writeClusterResults(ran: string[], results: Scenario[], stamp: string): void {
  const rows: { client: string; name: string; result: string }[] = [];
  if (existsSync(RESULTS_CLUSTER)) {
    for (const line of readFileSync(RESULTS_CLUSTER, 'utf8').split('\n')) {
      const cells = line.split('|').slice(1, -1).map((s) => s.trim());
      if (cells.length !== 4 || cells[0] === 'client' || cells[0].startsWith('---') || ran.includes(cells[0])) continue;
      rows.push({ client: cells[0], name: cells[1].replace(/`/g, ''), result: cells[3] });
    }
  }
  for (const s of results) rows.push({ client: s.client, name: s.name, result: cell(s) });
  const order = (c: string) => CLIENTS.findIndex((k) => k.name === c);
  rows.sort((a, b) => order(a.client) - order(b.client) || a.name.localeCompare(b.name));
  const allowed = new Map(CLIENTS.map((c) => [c.name, readAllowList(c.name)]));
  const count = (client?: string, onlyAllowed = false) => {
    const mine = rows.filter((r) => (!client || r.client === client) && (!onlyAllowed || allowed.get(r.client)!.has(r.name)));
    return `${mine.filter((r) => r.result === 'pass').length}/${mine.length}`;
  };
  const clients = CLIENTS.filter((c) => rows.some((r) => r.client === c.name));
  const out = [
    '# Compatibility matrix: 3-node samsa cluster',
    '',
    'Written by `npm run compat -- --target samsa-cluster` (run by hand; CI runs the single-node matrix in RESULTS.md):',
    '`samsa --nodes 3`, each node broker and controller in its own process, the clients given all three brokers;',
    'franz-go runs with KGO_TEST_RF=3. The allow-lists are the single-node ones; failures are explained in each',
    "client's FINDINGS.md (cluster section).",
    '',
    `- samsa-cluster: ${stamp}`,
    '',
    '| client | passing | allow-listed passing |',
    '|---|---|---|',
    ...clients.map((c) => `| ${c.name} | ${count(c.name)} | ${count(c.name, true)} |`),
    `| all | ${count()} | ${count(undefined, true)} |`,
    '',
    '| client | scenario | allow-listed | samsa-cluster |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.client} | \`${r.name}\` | ${allowed.get(r.client)?.has(r.name) ? 'yes' : ''} | ${r.result} |`),
    '',
  ];
  writeFileSync(RESULTS_CLUSTER, out.join('\n'));
}

function printMatrix(target: Target, results: Scenario[]): void {
  const w = Math.max(...results.map((r) => r.client.length + r.name.length + 3), 20);
  console.log(`\n${'client / scenario'.padEnd(w)}  ${target}`);
  for (const r of results) {
    const mark = r.allowed ? '*' : ' ';
    console.log(`${`${r.client} / ${r.name}`.padEnd(w)} ${mark}${r.outcome}${r.outcome === 'pass' ? '' : '  ' + r.why.slice(0, 100)}`);
  }
  console.log('(* = on the allow-list)');
}

async function main(): Promise<void> {
  const { target, clients, build } = parseArgs(process.argv.slice(2));
  const runDir = join(COMPAT, '.work', `${target}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  const started = Date.now();
  console.log(`compat: starting ${target} (logs in ${runDir})`);
  const broker =
    target === 'samsa'
      ? await startSamsa(runDir, build)
      : target === 'samsa-cluster'
        ? await startSamsaCluster(runDir, build)
        : await startKafka(join(runDir, 'kafka'));
  console.log(`compat: ${target} at ${broker.bootstrap}`);
  const stopOnSignal = () => void broker.stop().then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const results: Scenario[] = [];
  try {
    for (const c of clients) {
      console.log(`${c.name}:`);
      results.push(...(await runClient(c, broker, target, runDir)));
    }
  } finally {
    await broker.stop();
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  printMatrix(target, results);
  const subset = clients.length < CLIENTS.length ? ` (only ${clients.map((c) => c.name).join(', ')})` : '';
  const stamp = `${new Date().toISOString().slice(0, 16)}Z, ${minutes} min${subset}`;
  if (target === 'samsa-cluster') writeClusterResults(clients.map((c) => c.name), results, stamp);
  else writeResults(target, clients.map((c) => c.name), results, stamp);
  const broken = results.filter((r) => r.outcome === 'fail' && (target === 'kafka' || r.allowed));
  const passed = results.filter((r) => r.outcome === 'pass').length;
  console.log(`\ncompat: ${passed}/${results.length} passed against ${target} in ${minutes} min; wrote compat/${target === 'samsa-cluster' ? 'RESULTS-cluster.md' : 'RESULTS.md'}`);
  if (broken.length) {
    console.log(`compat: ${broken.length} ${target === 'kafka' ? 'scenario(s) fail against Kafka (broken scenarios)' : 'allow-listed scenario(s) fail'}:`);
    for (const b of broken) console.log(`  ${b.client} / ${b.name}: ${b.why}`);
    process.exitCode = 1;
  }
  if (target !== 'kafka' && broken.length === 0) for (const d of ['data', 'sasl/data']) rmSync(join(runDir, d), { recursive: true, force: true });
}

main().catch((e) => {
  console.error(`compat: ${(e as Error).message}`);
  process.exit(2);
});
