// kafkajs, unmodified: three consumers of one group on a 6-partition topic get 2 partitions
// each; when one leaves, and when another is killed (SIGKILL, no LeaveGroup) and its session
// times out, the others take its partitions. A producer runs through all of it; every
// acknowledged message is consumed at least once, nothing is skipped, and the group's committed
// offsets end at each partition's log end.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { sleep, withTimeout } from '../helpers/timeout.js';

const TOPIC = 'churn';
const GROUP = 'churners';
const PARTITIONS = 6;
const SESSION_TIMEOUT = 3000;

interface Member {
  name: string;
  /** The partitions of its latest join. */
  assigned: number[];
  stop(): Promise<void>;
}

t.test('consumers share, hand over and recover partitions through leave and crash', async (t) => {
  const b = await startBroker({
    port: 0,
    dataDir: tempDir(t),
    config: { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'num.partitions': '1' },
  });
  t.teardown(() => b.close());
  const kafka = new Kafka({ clientId: 'churn-test', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });

  const consumed = new Set<string>();
  const members: Member[] = [];

  const inProcess = async (name: string): Promise<Member & { consumer: Consumer }> => {
    const consumer = kafka.consumer({ groupId: GROUP, sessionTimeout: SESSION_TIMEOUT, heartbeatInterval: 200, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 });
    const m = { name, assigned: [] as number[], consumer, stop: () => consumer.disconnect() };
    consumer.on(consumer.events.GROUP_JOIN, (e) => (m.assigned = [...(e.payload.memberAssignment[TOPIC] ?? [])].sort()));
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        consumed.add(`${partition}/${message.offset}`);
      },
    });
    return m;
  };

  const child = (name: string): Member & { proc: ChildProcess } => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'test/coordinator/kafkajs-consumer-child.ts'), b.bootstrap, GROUP, TOPIC, String(SESSION_TIMEOUT)],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    t.teardown(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    });
    const m = { name, assigned: [] as number[], proc, stop: async () => {} };
    let buf = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (line.assigned) m.assigned = [...line.assigned].sort();
        if (line.m) consumed.add(`${line.m[0]}/${line.m[1]}`);
      }
    });
    return m;
  };

  /** Waits until the live members' latest assignments split the partitions as `sizes` say. */
  const settled = async (live: Member[], sizes: number[], what: string) => {
    await withTimeout(
      (async () => {
        for (;;) {
          const all = live.flatMap((m) => m.assigned);
          const ok =
            new Set(all).size === PARTITIONS &&
            all.length === PARTITIONS &&
            JSON.stringify(live.map((m) => m.assigned.length).sort()) === JSON.stringify([...sizes].sort());
          if (ok) {
            // The coordinator's view agrees: a Stable group with exactly these members.
            const d = (await admin.describeGroups([GROUP])).groups[0];
            if (d.state === 'Stable' && d.members.length === live.length) return;
          }
          await sleep(100);
        }
      })(),
      30_000,
      what,
    );
    t.pass(`${what}: ${live.map((m) => `${m.name}=${m.assigned.join(',')}`).join(' ')}`);
  };

  // A producer that keeps writing through every phase.
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const acked: string[] = [];
  let producing = true;
  let n = 0;
  const production = (async () => {
    while (producing) {
      await producer.send({ topic: TOPIC, messages: Array.from({ length: 12 }, () => ({ key: `k${n}`, value: `v${n++}` })) });
      await sleep(30);
    }
  })();

  const c1 = await inProcess('c1');
  const c2 = await inProcess('c2');
  const c3 = child('c3');
  members.push(c1, c2, c3);
  await settled([c1, c2, c3], [2, 2, 2], 'three members, two partitions each');

  await c1.stop();
  await settled([c2, c3], [3, 3], 'after c1 left');

  const c4 = await inProcess('c4');
  await settled([c2, c3, c4], [2, 2, 2], 'c4 joined');

  c3.proc.kill('SIGKILL');
  const killedAt = Date.now();
  await settled([c2, c4], [3, 3], 'after c3 was killed and its session expired');
  t.ok(Date.now() - killedAt >= SESSION_TIMEOUT - 500, `the survivors waited for c3's session timeout (${Date.now() - killedAt} ms)`);

  producing = false;
  await production;
  const offsets = await admin.fetchTopicOffsets(TOPIC);
  const end = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  let total = 0;
  for (const e of end.values()) total += e;
  t.equal(total, n, 'every produced message was acknowledged');
  for (const [p, high] of end) for (let o = 0; o < high; o++) acked.push(`${p}/${o}`);

  // Everything is consumed at least once (nothing skipped) and the committed offsets reach the end.
  await withTimeout(
    (async () => {
      for (;;) {
        const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
        const done = committed[0].partitions.every((p) => Number(p.offset) === end.get(p.partition));
        if (done && acked.every((k) => consumed.has(k))) return;
        await sleep(200);
      }
    })(),
    30_000,
    'consuming and committing everything',
  );
  const missing = acked.filter((k) => !consumed.has(k));
  t.same(missing, [], `all ${acked.length} messages consumed`);
  const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  t.same(
    committed[0].partitions.map((p) => [p.partition, Number(p.offset)]).sort((x, y) => x[0] - y[0]),
    [...end].sort((x, y) => x[0] - y[0]),
    'committed offsets are the log ends',
  );
  await c2.stop();
  await c4.stop();
});
