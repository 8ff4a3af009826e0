// The local cluster layout `samsa --nodes N` and startCluster() start, as the README states it, and
// each node's settings accepted by resolveNodeConfig (Kafka 4.4's checks).
import t from 'tap';
import { localClusterNodes, nodeArgs, bootstrapServers, bootstrapControllers } from '../../src/node/local-cluster.js';
import { resolveNodeConfig } from '../../src/node/config.js';

t.test('3 combined nodes', async (t) => {
  const nodes = localClusterNodes({ nodes: 3, dataDir: '/data' });
  t.same(
    nodes.map((n) => [n.nodeId, n.config['process.roles'], n.config.listeners, n.config['log.dirs']]),
    [
      [1, 'broker,controller', 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092', '/data/node-1'],
      [2, 'broker,controller', 'PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:19093', '/data/node-2'],
      [3, 'broker,controller', 'PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:19094', '/data/node-3'],
    ],
  );
  for (const n of nodes) {
    t.equal(n.config['controller.quorum.voters'], '1@127.0.0.1:19092,2@127.0.0.1:19093,3@127.0.0.1:19094');
    t.equal(n.config['controller.listener.names'], 'CONTROLLER');
    const c = resolveNodeConfig(n.config);
    t.same(c.roles, ['broker', 'controller'], `node ${n.nodeId} passes Kafka's checks`);
  }
  t.equal(bootstrapServers(nodes), '127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094');
  t.equal(bootstrapControllers(nodes), '127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094');
  t.same(nodeArgs(nodes[0], 'CID').slice(0, 4), ['--cluster-id', 'CID', '--config', 'process.roles=broker,controller']);
});

t.test('3 controllers and 2 brokers', async (t) => {
  const nodes = localClusterNodes({ controllers: 3, brokers: 2, port: 100, controllerPort: 200, config: { 'num.partitions': '3' } });
  t.same(nodes.map((n) => n.config['process.roles']), ['controller', 'controller', 'controller', 'broker', 'broker']);
  t.same(nodes.map((n) => n.config.listeners), [
    'CONTROLLER://127.0.0.1:200',
    'CONTROLLER://127.0.0.1:201',
    'CONTROLLER://127.0.0.1:202',
    'PLAINTEXT://127.0.0.1:103',
    'PLAINTEXT://127.0.0.1:104',
  ]);
  for (const n of nodes) {
    t.equal(n.config['controller.quorum.voters'], '1@127.0.0.1:200,2@127.0.0.1:201,3@127.0.0.1:202');
    t.equal(n.config['num.partitions'], '3', 'settings for every node');
    t.same(resolveNodeConfig(n.config).roles, n.roles, `node ${n.nodeId} passes Kafka's checks`);
  }
  t.equal(bootstrapServers(nodes), '127.0.0.1:103,127.0.0.1:104');
});
