// The controller listener with the StandardAuthorizer, as Kafka 4.4's ControllerApis: the quorum's
// and the cluster's own APIs need CLUSTER_ACTION (DescribeQuorum DESCRIBE, UnregisterBroker and
// Add/RemoveRaftVoter ALTER) on the cluster. A 3-node cluster whose brokers and controllers
// authenticate as super users forms, registers and serves a forwarded CreateTopics; a principal with
// no ACLs that authenticates on the controller listener gets CLUSTER_AUTHORIZATION_FAILED from every
// one of them, never the metadata log (Fetch, FetchSnapshot) or a producer id block.
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { Node } from '../../src/node/node.js';
import * as P from '../../src/protocol/generated/index.js';
import type { Codec } from '../../src/protocol/generated/codec.js';
import { tempDir } from '../helpers/tmp.js';
import { call, saslConnect } from './sasl-wire.js';

const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule required';
const CLUSTER_DENIED = 31;
/** Kafka's ControllerApis: the APIs a controller listener authorizes on the cluster. */
const CLUSTER_APIS = [1, 52, 53, 54, 55, 56, 58, 59, 62, 63, 64, 67, 70, 73, 80, 81, 82];

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

const dir = tempDir(t, 'samsa-controller-acl-');
let internal: number[] = [];
let controllers: number[] = [];

t.before(async () => {
  const ports = await freePorts(6);
  internal = ports.slice(0, 3);
  controllers = ports.slice(3, 6);
  const voters = controllers.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  const nodes = [0, 1, 2].map(
    (i) =>
      new Node({
        clusterId: 'c2FtC2EtY3RybC1hY2wx',
        properties: {
          'process.roles': 'broker,controller',
          'node.id': String(i + 1),
          'controller.quorum.voters': voters,
          'listeners': `INTERNAL://127.0.0.1:${internal[i]},CONTROLLER://127.0.0.1:${controllers[i]}`,
          'advertised.listeners': `INTERNAL://localhost:${internal[i]}`,
          'listener.security.protocol.map': 'INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT',
          'inter.broker.listener.name': 'INTERNAL',
          'controller.listener.names': 'CONTROLLER',
          'sasl.enabled.mechanisms': 'PLAIN',
          'sasl.mechanism.inter.broker.protocol': 'PLAIN',
          'sasl.mechanism.controller.protocol': 'PLAIN',
          'listener.name.internal.plain.sasl.jaas.config': `${PLAIN} username="broker" password="broker-secret" user_broker="broker-secret";`,
          'listener.name.controller.plain.sasl.jaas.config': `${PLAIN} username="controller" password="controller-secret" user_controller="controller-secret" user_nobody="nobody-secret";`,
          'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
          'super.users': 'User:broker;User:controller',
          'log.dirs': path.join(dir, `node-${i + 1}`),
        },
      }),
  );
  t.teardown(async () => {
    for (const n of nodes) await n.close().catch(() => {});
  });
  await Promise.all(nodes.map((n) => n.start()));
});

t.test('super-user peers form the cluster; a forwarded CreateTopics is authorized as the client', async (t) => {
  const kafka = new Kafka({ brokers: [`localhost:${internal[1]}`], sasl: { mechanism: 'plain', username: 'broker', password: 'broker-secret' }, logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.ok(await admin.createTopics({ topics: [{ topic: 'acl-cluster', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true }), 'created through node 2');
  const md = await admin.fetchTopicMetadata({ topics: ['acl-cluster'] });
  t.equal(md.topics[0].partitions.length, 3);
  t.equal((await admin.describeCluster()).brokers.length, 3, 'all three brokers registered (their BrokerRegistrations authorized: User:controller is a super user)');
});

t.test('a principal without ACLs on the controller listener: CLUSTER_AUTHORIZATION_FAILED from every cluster API', async (t) => {
  const plain = { initial: () => Buffer.from('\0nobody\0nobody-secret'), evaluate: () => null };
  const codecs = new Map<number, { req: Codec<unknown>; res: Codec<{ errorCode?: number }> }>();
  for (const value of Object.values(P) as { name?: string; apiKey?: number }[]) {
    if (typeof value?.name !== 'string' || !value.name.endsWith('Request') || !CLUSTER_APIS.includes(value.apiKey!)) continue;
    codecs.set(value.apiKey!, { req: value as Codec<unknown>, res: (P as Record<string, unknown>)[value.name.replace(/Request$/, 'Response')] as Codec<{ errorCode?: number }> });
  }
  t.equal(codecs.size, CLUSTER_APIS.length);
  for (const node of [0, 2]) {
    const { conn, last } = await saslConnect(controllers[node], 'PLAIN', plain as never);
    t.teardown(() => conn.destroy());
    t.equal(last.errorCode, 0, `nobody authenticates on node ${node + 1}'s controller listener`);
    for (const apiKey of CLUSTER_APIS) {
      const { req, res } = codecs.get(apiKey)!;
      const version = req.maxVersion;
      // Fields left out take their defaults: a well-formed request with empty lists.
      const answer = await call(conn, apiKey, version, req, res, { clusterId: null, replicaId: -1 } as never, req.firstFlexibleVersion >= 0 && version >= req.firstFlexibleVersion);
      t.equal(answer.errorCode, CLUSTER_DENIED, `${req.name} v${version} on node ${node + 1}`);
      if (apiKey === 1) t.same((answer as { responses?: unknown[] }).responses, [], 'no metadata log records');
    }
  }
});
