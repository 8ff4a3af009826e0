// A dynamic quorum (KIP-853, kraft.version 1): a node formatted with `samsa format --standalone` and
// started with controller.quorum.bootstrap.servers (no controller.quorum.voters) takes its voter set
// from the bootstrap checkpoint, elects itself, commits, and Kafka 4.4.0's kafka-metadata-quorum
// shows it as the one voter; the same holds after a restart.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { runFormatCommand } from '../../src/node/format-command.js';
import { spawnBroker } from '../helpers/cli-broker.js';
import { describeStatus } from '../helpers/cluster-quorum.js';
import { waitForLeader, waitUntil } from '../helpers/cluster-wait.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(180_000);

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const TOPICS = 'org.apache.kafka.tools.TopicCommand';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

t.test('a --standalone node with controller.quorum.bootstrap.servers elects itself and commits', async (t) => {
  const dir = tempDir(t);
  const [brokerPort, controllerPort] = [await freePort(), await freePort()];
  const file = path.join(dir, 'server.properties');
  writeFileSync(file, [
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `log.dirs=${path.join(dir, 'data')}`,
    '',
  ].join('\n'));
  let err = '';
  const code = await runFormatCommand(['-t', CLUSTER_ID, '-c', file, '--standalone'], { write: () => true }, { write: (s: string) => ((err += s), true) });
  t.equal(code, 0, `samsa format --standalone: ${err}`);

  for (const round of ['first start', 'after a restart']) {
    const node = await spawnBroker(t, [file], { timeoutMs: 60_000 });
    const leader = await waitForLeader([`127.0.0.1:${controllerPort}`], 30_000);
    t.equal(leader.leaderId, 1, `${round}: the standalone voter leads`);
    t.same(leader.voters.map((v) => v.replicaId), [1], `${round}: the voter set is the bootstrap checkpoint's`);
    const topic = `dq-${round === 'first start' ? 1 : 2}`;
    const created = await kafkaTool(TOPICS, '--bootstrap-server', `127.0.0.1:${brokerPort}`, '--create', '--topic', topic, '--partitions', '1', '--replication-factor', '1');
    t.equal(created.out.trim(), `Created topic ${topic}.`, `${round}: a metadata change commits`);
    const status = await waitUntil('status', 15_000, async () => {
      const s = await describeStatus({ server: `127.0.0.1:${brokerPort}` });
      return s.highWatermark > 0 ? s : undefined;
    });
    t.equal(status.clusterId, CLUSTER_ID, `${round}: --status ClusterId`);
    t.equal(status.leaderId, 1, `${round}: --status LeaderId`);
    t.same(status.currentVoters.map((v) => v.id), [1], `${round}: --status CurrentVoters`);
    t.same(status.currentVoters[0].endpoints, [`CONTROLLER://127.0.0.1:${controllerPort}`], `${round}: the voter's endpoint from the VotersRecord`);
    const e = await node.stop('SIGTERM');
    t.equal(e.code, 0, `${round}: a clean stop`);
  }
});

t.test('a controller formatted with --no-initial-controllers observes the quorum through controller.quorum.bootstrap.servers', async (t) => {
  const dir = tempDir(t);
  const [brokerPort, controllerPort, observerPort] = [await freePort(), await freePort(), await freePort()];
  const props = (nodeId: number, roles: string, listeners: string) => [
    `process.roles=${roles}`,
    `node.id=${nodeId}`,
    `listeners=${listeners}`,
    'controller.listener.names=CONTROLLER',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controllerPort}`,
    `log.dirs=${path.join(dir, `node-${nodeId}`)}`,
    '',
  ].join('\n');
  const [first, second] = [path.join(dir, '1.properties'), path.join(dir, '2.properties')];
  writeFileSync(first, props(1, 'broker,controller', `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`));
  writeFileSync(second, props(2, 'controller', `CONTROLLER://127.0.0.1:${observerPort}`));
  const quiet = { write: () => true };
  t.equal(await runFormatCommand(['-t', CLUSTER_ID, '-c', first, '--standalone'], quiet, quiet), 0, 'format --standalone');
  t.equal(await runFormatCommand(['-t', CLUSTER_ID, '-c', second, '--no-initial-controllers'], quiet, quiet), 0, 'format --no-initial-controllers');
  await spawnBroker(t, [first], { timeoutMs: 60_000 });
  await spawnBroker(t, [second], { timeoutMs: 60_000 });
  // The observer knows no voter: it reaches the leader only through the bootstrap server's answer.
  const view = await waitUntil('node 2 observing', 30_000, async () => {
    const v = await waitForLeader([`127.0.0.1:${controllerPort}`], 10_000);
    return v.observers.some((o) => o.replicaId === 2 && o.logEndOffset >= v.highWatermark) && v.highWatermark > 0 ? v : undefined;
  });
  t.same(view.voters.map((v) => v.replicaId), [1], 'node 1 is still the only voter');
  // The observer controller also registered with the active controller through the leader it learned.
  const status = await waitUntil('node 2 in --status', 20_000, async () => {
    const s = await describeStatus({ controller: `127.0.0.1:${controllerPort}` });
    return s.currentObservers.some((o) => o.id === 2) ? s : undefined;
  });
  t.equal(status.leaderId, 1, '--bootstrap-controller --status: LeaderId');
  t.same(status.currentVoters.map((v) => v.id), [1], '--status: CurrentVoters');
});
