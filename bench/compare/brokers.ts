// Starts samsa or Apache Kafka as a child process on a free loopback port and times it from spawn to
// the first Metadata response that names a broker; reads its resident set and CPU time from /proc.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { Connection } from '../connection.js';
import type { System } from './args.js';

const run = promisify(execFile);
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
/** Metadata v12 is served by both (samsa from 0, Kafka 4.4 0-13). */
const METADATA_VERSION = 12;
const PROBE_INTERVAL_MS = 5;

export interface Broker {
  system: System;
  pid: number;
  host: string;
  port: number;
  /** Milliseconds from spawn to the first Metadata response naming a broker. */
  startupMs: number;
  stop(): Promise<void>;
  /** Last-resort cleanup where nothing can be awaited. */
  killNow(): void;
  logTail(): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resident set now and its peak since start (or since `resetPeak`), in bytes, from /proc/PID/status. */
export function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Resets VmHWM to the current resident set (Linux clear_refs value 5), so a later peak is the load's own. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) the process has used, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Polls until a Metadata request is answered with at least one broker. */
async function probe(child: ChildProcess, host: string, port: number, logTail: () => string): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`broker exited during start-up (${child.signalCode ?? `code ${child.exitCode}`}):\n${logTail()}`);
    }
    let conn: Connection | null = null;
    try {
      conn = await Connection.connect(host, port);
      const md = await conn.request(MetadataRequest, MetadataResponse, METADATA_VERSION, {
        topics: [],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      if (md.brokers.length > 0) return;
    } catch {
      // not listening yet, or closed the connection: try again
    } finally {
      conn?.close();
    }
    if (performance.now() > deadline) throw new Error(`no Metadata answer within ${START_TIMEOUT_MS / 1000} s:\n${logTail()}`);
    await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
  }
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await gone;
  clearTimeout(timer);
}

async function launch(
  system: System,
  dir: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<Broker> {
  const logPath = join(dir, `${system}.log`);
  const fd = openSync(logPath, 'a');
  const t0 = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  const logTail = () => tail(logPath);
  try {
    await probe(child, '127.0.0.1', port, logTail);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const startupMs = performance.now() - t0;
  return {
    system,
    pid: child.pid!,
    host: '127.0.0.1',
    port,
    startupMs,
    stop: () => stopChild(child),
    killNow: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    logTail,
  };
}

/** samsa from bin/samsa.js with a fresh --data-dir under `dir`. */
export async function startSamsa(root: string, dir: string, nodeArgs: string[]): Promise<Broker> {
  const port = await freePort();
  const dataDir = join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  const args = [
    ...nodeArgs,
    join(root, 'bin', 'samsa.js'),
    '--port', String(port),
    '--data-dir', dataDir,
    // The group settings broker.sh gives Kafka: rebalance a new group at once, a small offsets topic.
    '--config', 'group.initial.rebalance.delay.ms=0',
    '--config', 'offsets.topic.num.partitions=3',
    // And its transaction state topic settings (the transactional row's coordinator).
    '--config', 'transaction.state.log.num.partitions=3',
    '--config', 'transaction.state.log.replication.factor=1',
    '--config', 'transaction.state.log.min.isr=1',
  ];
  const env = { ...process.env, SAMSA_LOG_LEVEL: process.env.SAMSA_LOG_LEVEL ?? 'warn' };
  return launch('samsa', dir, process.execPath, args, env, port);
}

/**
 * Kafka: a single KRaft node with the settings compat/kafka/broker.sh uses, from its jars and JVM
 * options (`broker.sh java`, which execs java, so the child's pid is the JVM's). The store is formatted
 * before the clock starts; broker.sh's own start is not used because its readiness probe starts a JVM
 * every second, which would compete with the broker for the two cores while it starts.
 */
export async function startKafka(brokerSh: string, dir: string): Promise<Broker> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  let controller = await freePort();
  while (controller === port) controller = await freePort();
  const props = join(dir, 'server.properties');
  writeFileSync(props, kafkaProperties(join(dir, 'data'), port, controller));
  // Like Kafka's Uuid.randomUuid, never one starting with '-': the format tool would read it as a flag.
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  await run('bash', [brokerSh, 'java', 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return launch('kafka', dir, 'bash', [brokerSh, 'java', 'kafka.Kafka', props], process.env, port);
}

function kafkaProperties(logDir: string, port: number, controller: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    '',
  ].join('\n');
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
