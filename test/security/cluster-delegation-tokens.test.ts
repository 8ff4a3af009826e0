// Delegation tokens on a 3-node cluster, as Kafka 4.4 runs them: a broker forwards Create/Renew/
// ExpireDelegationToken to the active controller (Envelope, the client's principal inside), which
// writes DelegationTokenRecords to the metadata log; every broker serves DescribeDelegationToken and
// SCRAM token authentication from its own replayed image. Kafka 4.4.0's kafka-delegation-tokens
// creates and renews through one broker; the token then authenticates on another; a broker refuses
// token requests from PLAINTEXT and token-authenticated connections itself (they are never forwarded).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { Node } from '../../src/node/node.js';
import * as P from '../../src/protocol/generated/index.js';
import { ScramClient } from '../../src/security/scram/scram-client.js';
import { SCRAM_SHA_256 } from '../../src/security/scram/scram-formatter.js';
import { WireConnection } from '../helpers/wire.js';
import { kafkaToolIO } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';
import { call, saslConnect } from './sasl-wire.js';

const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule required';
const NONE = 0;
const SASL_AUTHENTICATION_FAILED = 58;
const DELEGATION_TOKEN_OWNER_MISMATCH = 63;
const DELEGATION_TOKEN_REQUEST_NOT_ALLOWED = 64;

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

const dir = tempDir(t, 'samsa-token-cluster-');
let clientPorts: number[] = [];
let internalPorts: number[] = [];
const conns: WireConnection[] = [];
t.teardown(() => conns.forEach((c) => c.destroy()));

t.before(async () => {
  const ports = await freePorts(9);
  clientPorts = ports.slice(0, 3);
  internalPorts = ports.slice(3, 6);
  const controllers = ports.slice(6, 9);
  const voters = controllers.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  const nodes = [0, 1, 2].map(
    (i) =>
      new Node({
        clusterId: 'c2FtC2EtdG9rZW5zLTE',
        properties: {
          'process.roles': 'broker,controller',
          'node.id': String(i + 1),
          'controller.quorum.voters': voters,
          'listeners': `CLIENT://127.0.0.1:${clientPorts[i]},INTERNAL://127.0.0.1:${internalPorts[i]},CONTROLLER://127.0.0.1:${controllers[i]}`,
          'advertised.listeners': `CLIENT://localhost:${clientPorts[i]},INTERNAL://localhost:${internalPorts[i]}`,
          'listener.security.protocol.map': 'CLIENT:SASL_PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
          'inter.broker.listener.name': 'INTERNAL',
          'controller.listener.names': 'CONTROLLER',
          'listener.name.client.sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
          'listener.name.client.plain.sasl.jaas.config': `${PLAIN} user_alice="alice-secret" user_carol="carol-secret";`,
          'delegation.token.secret.key': 'cluster-token-secret',
          'log.dirs': path.join(dir, `node-${i + 1}`),
        },
      }),
  );
  t.teardown(async () => {
    for (const n of nodes) await n.close().catch(() => {});
  });
  await Promise.all(nodes.map((n) => n.start()));
});

const plain = (user: string) => ({ initial: () => Buffer.from(`\0${user}\0${user}-secret`), evaluate: () => null });
async function as(node: number, user: string) {
  const o = await saslConnect(clientPorts[node], 'PLAIN', plain(user) as never);
  conns.push(o.conn);
  if (o.last.errorCode !== NONE) throw new Error(`${user} does not authenticate on node ${node + 1}`);
  return o.conn;
}
async function withToken(node: number, tokenId: string, hmac: string) {
  const o = await saslConnect(clientPorts[node], 'SCRAM-SHA-256', new ScramClient(SCRAM_SHA_256, tokenId, hmac, true));
  conns.push(o.conn);
  return o;
}
const describe = (c: WireConnection) => call(c, 41, 3, P.DescribeDelegationTokenRequest, P.DescribeDelegationTokenResponse, { owners: null }, true);
const renew = (c: WireConnection, hmac: Buffer) => call(c, 39, 2, P.RenewDelegationTokenRequest, P.RenewDelegationTokenResponse, { hmac, renewPeriodMs: -1 }, true);
const expire = (c: WireConnection, hmac: Buffer) => call(c, 40, 2, P.ExpireDelegationTokenRequest, P.ExpireDelegationTokenResponse, { hmac, expiryTimePeriodMs: -1 }, true);
const create = (c: WireConnection) => call(c, 38, 3, P.CreateDelegationTokenRequest, P.CreateDelegationTokenResponse, { ownerPrincipalType: null, ownerPrincipalName: null, renewers: [], maxLifetimeMs: -1 }, true);

/** Polls `f` until it returns true (metadata reaches every broker asynchronously); false after `ms`. */
async function eventually(f: () => Promise<boolean>, ms = 60_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

t.test('kafka-delegation-tokens through one broker; every broker describes the token and authenticates with it; renew and expire forwarded', async (t) => {
  const alice = path.join(dir, 'alice.properties');
  fs.writeFileSync(alice, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=${PLAIN} username="alice" password="alice-secret";\n`);
  const tool = (node: number, ...args: string[]) =>
    kafkaToolIO('org.apache.kafka.tools.DelegationTokenCommand', ['--bootstrap-server', `localhost:${clientPorts[node]}`, '--command-config', alice, ...args]);

  const created = await tool(0, '--create', '--max-life-time-period', '-1', '--renewer-principal', 'User:bob');
  t.equal(created.code, 0, 'kafka-delegation-tokens --create exits 0', { err: created.err.slice(-1500) });
  const tokenId = /Created delegation token with tokenId : (\S+)/.exec(created.out)?.[1];
  const hmac = created.out.split('\n').find((l) => tokenId !== undefined && l.startsWith(tokenId))?.trim().split(/\s+/)[1];
  t.ok(tokenId && hmac, 'token id and HMAC printed');
  if (!tokenId || !hmac) return;
  const hmacBytes = Buffer.from(hmac, 'base64');

  for (const node of [0, 1, 2]) {
    const c = await as(node, 'alice');
    t.ok(await eventually(async () => (await describe(c)).tokens.some((x) => x.tokenId === tokenId)), `node ${node + 1} describes the token from its metadata image`);
    const d = (await describe(c)).tokens.find((x) => x.tokenId === tokenId)!;
    t.same([Buffer.from(d.hmac).toString('base64'), `${d.principalType}:${d.principalName}`, d.renewers.map((r) => `${r.principalType}:${r.principalName}`)], [hmac, 'User:alice', ['User:bob']]);
    const viaToken = await withToken(node, tokenId, hmac);
    t.equal(viaToken.last.errorCode, NONE, `SCRAM tokenauth=true authenticates on node ${node + 1}`);
    // A token-authenticated connection may not ask for tokens: the broker refuses before forwarding.
    t.equal((await create(viaToken.conn)).errorCode, DELEGATION_TOKEN_REQUEST_NOT_ALLOWED);
  }

  // PLAINTEXT may not ask for tokens either: refused by the broker, the controller never sees it.
  const plaintext = await WireConnection.connect('127.0.0.1', internalPorts[1]);
  conns.push(plaintext);
  t.equal((await create(plaintext)).errorCode, DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, 'PLAINTEXT: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED');
  t.equal((await renew(plaintext, hmacBytes)).errorCode, DELEGATION_TOKEN_REQUEST_NOT_ALLOWED);

  // Neither owner nor renewer: the controller answers DELEGATION_TOKEN_OWNER_MISMATCH for carol's principal.
  const carol = await as(2, 'carol');
  t.equal((await renew(carol, hmacBytes)).errorCode, DELEGATION_TOKEN_OWNER_MISMATCH, 'carol may not renew');
  t.equal((await expire(carol, hmacBytes)).errorCode, DELEGATION_TOKEN_OWNER_MISMATCH, 'carol may not expire');

  const before = (await describe(await as(1, 'alice'))).tokens.find((x) => x.tokenId === tokenId)!.expiryTimestamp;
  await new Promise((r) => setTimeout(r, 20));
  const renewed = await tool(1, '--renew', '--hmac', hmac, '--renew-time-period', '-1');
  t.equal(renewed.code, 0, 'kafka-delegation-tokens --renew through node 2 exits 0', { err: renewed.err.slice(-1500) });
  t.match(renewed.out, /Completed renew operation\. New expiry date : /);
  const c3 = await as(2, 'alice');
  t.ok(await eventually(async () => ((await describe(c3)).tokens.find((x) => x.tokenId === tokenId)?.expiryTimestamp ?? 0) > before), 'node 3 sees the later expiry');

  const expired = await expire(await as(2, 'alice'), hmacBytes);
  t.equal(expired.errorCode, NONE, 'alice expires her token through node 3');
  for (const node of [0, 1, 2]) {
    const c = await as(node, 'alice');
    t.ok(await eventually(async () => !(await describe(c)).tokens.some((x) => x.tokenId === tokenId)), `node ${node + 1} no longer lists it`);
    t.equal((await withToken(node, tokenId, hmac)).last.errorCode, SASL_AUTHENTICATION_FAILED, `the expired token no longer authenticates on node ${node + 1}`);
  }
});
