// The reference for samsa's unclean elections: three samsa brokers (2, 3, 4) under a real Apache
// Kafka 4.4.0 controller. The ISR's replicas (2 and 3) die after 4 left the ISR; 4 comes back and,
// unclean elections off, Kafka leaves the partition leaderless; kafka-configs turns the setting on
// for the topic and Kafka's controller elects 4 with the ISR [4] and RECOVERING, the ELR cleared
// (read from the image samsa's broker 4 replays from Kafka's metadata log). Samsa's leader then
// takes produce, and when 2 returns its AlterPartition to Kafka's controller carries RECOVERED and
// the ISR grows. test/cluster/unclean-election.test.ts runs the same story on samsa's controller.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { Node } from '../../src/node/node.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';

const { Kafka, logLevel } = kafkajs;
t.setTimeout(300_000);
const TOPIC = 'unclean';
const RECOVERING = 1;
const RECOVERED = 0;

function kafkaBroker(action: 'start' | 'stop', dir: string, ...props: string[]): Promise<{ code: number | null; out: string }> {
  const proc = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), action, dir, ...props], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, out })));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

t.test("Kafka 4.4.0's controller elects uncleanly as samsa's does; samsa's brokers recover under it", async (t) => {
  const base = tempDir(t);
  const kafkaDir = path.join(base, 'kafka');
  const started = await kafkaBroker('start', kafkaDir, 'broker.session.timeout.ms=3000', 'broker.heartbeat.interval.ms=500', 'unclean.leader.election.interval.ms=1000');
  t.equal(started.code, 0, started.out);
  t.teardown(() => kafkaBroker('stop', kafkaDir));
  const props = Object.fromEntries(
    readFileSync(path.join(kafkaDir, 'server.properties'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const clusterId = /cluster\.id=(.*)/.exec(readFileSync(path.join(kafkaDir, 'data', 'meta.properties'), 'utf8'))![1].trim();
  const kafkaBootstrap = /PLAINTEXT:\/\/([^,]+)/.exec(props.listeners)![1];

  const ports = new Map<number, number>();
  const nodes = new Map<number, Node>();
  const start = async (id: number) => {
    if (!ports.has(id)) ports.set(id, await freePort());
    const node = new Node({
      clusterId,
      properties: {
        'process.roles': 'broker',
        'node.id': String(id),
        'controller.quorum.voters': props['controller.quorum.voters'],
        listeners: `PLAINTEXT://127.0.0.1:${ports.get(id)}`,
        'controller.listener.names': 'CONTROLLER',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'log.dirs': path.join(base, `samsa-${id}`),
        'broker.heartbeat.interval.ms': '500',
        'replica.lag.time.max.ms': '3000',
      },
    });
    await node.start();
    nodes.set(id, node);
  };
  const kill = async (id: number) => {
    await nodes.get(id)!.kill();
    nodes.delete(id);
  };
  t.teardown(async () => {
    for (const n of nodes.values()) await n.close().catch(() => {});
  });
  for (const id of [2, 3, 4]) await start(id);
  // The partition as a samsa broker's image has it (replayed from Kafka's metadata log).
  const state = (id = [...nodes.keys()].at(-1)!) => nodes.get(id)?.metadata.image.topics.get(TOPIC)?.registrations.get(0);

  const kafka = new Kafka({ brokers: [kafkaBootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await until('the three samsa brokers unfenced', async () => (await admin.describeCluster()).brokers.length === 4);
  await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [2, 3, 4] }] }] });
  await until('2 leads, three in sync', () => state(4)?.leader === 2 && state(4)!.isr.length === 3);

  const produce = async (prefix: string, n: number) => {
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const offsets: number[] = [];
    for (let i = 0; i < n; i++) offsets.push(Number((await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `${prefix}-${i}` }] }))[0].baseOffset));
    await producer.disconnect();
    return offsets;
  };
  t.same(await produce('all', 5), [0, 1, 2, 3, 4]);
  await kill(4);
  await until('4 out of the ISR', () => state(2) && !state(2)!.isr.includes(4));
  t.same(await produce('two', 5), [5, 6, 7, 8, 9]);
  await kill(3);
  await kill(2);
  await start(4);
  const leaderless = await until('4 back, the partition leaderless', () => state(4)?.leader === -1 && state(4));
  // Whichever of 2 and 3 Kafka fenced last (their sessions end together) stays eligible.
  t.same(leaderless.isr, [], "Kafka's controller: ISR empty");
  t.ok(leaderless.elr?.length === 1 && [2, 3].includes(leaderless.elr[0]), `the last ISR member eligible (ELR ${JSON.stringify(leaderless.elr)})`);
  await new Promise((r) => setTimeout(r, 3500));
  t.equal(state(4)!.leader, -1, 'unclean elections off: still no leader');

  const alter = await kafkaTool('org.apache.kafka.tools.ConfigCommand', '--bootstrap-server', kafkaBootstrap, '--alter', '--entity-type', 'topics', '--entity-name', TOPIC, '--add-config', 'unclean.leader.election.enable=true');
  t.equal(alter.code, 0, alter.out);
  const elected = await until('4 elected', () => state(4)?.leader === 4 && state(4));
  t.same([elected.isr, elected.elr, elected.lastKnownElr, elected.leaderRecoveryState, elected.leaderEpoch], [[4], [], [], RECOVERING, leaderless.leaderEpoch + 1], "Kafka's record: ISR [4], ELR and last known leader cleared, RECOVERING, a new leader epoch");

  t.same(await produce('after', 3), [5, 6, 7], "samsa's RECOVERING leader takes produce");
  await start(2);
  const grown = await until('2 back in the ISR', () => state(4)?.isr.includes(2) && state(4));
  t.same([grown.leader, grown.leaderRecoveryState], [4, RECOVERED], "samsa's leader asked Kafka's controller with RECOVERED as the ISR grew");
});
