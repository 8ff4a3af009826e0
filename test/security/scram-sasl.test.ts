// SCRAM on a broker: credentials created and deleted with AlterUserScramCredentials (raw v0
// requests as Kafka's admin client sends them: the salted password, never the password), listed
// with DescribeUserScramCredentials, Kafka's errors for each bad entry; kafkajs authenticates with
// SCRAM-SHA-256 and SCRAM-SHA-512 over SASL_PLAINTEXT, a wrong password gets Kafka's message.
import t, { type Test } from 'tap';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import type { Codec } from '../../src/protocol/generated/codec.js';
import { AlterUserScramCredentialsRequest } from '../../src/protocol/generated/alter-user-scram-credentials-request.js';
import { AlterUserScramCredentialsResponse } from '../../src/protocol/generated/alter-user-scram-credentials-response.js';
import { DescribeUserScramCredentialsRequest } from '../../src/protocol/generated/describe-user-scram-credentials-request.js';
import { DescribeUserScramCredentialsResponse } from '../../src/protocol/generated/describe-user-scram-credentials-response.js';
import { saltedPassword, SCRAM_SHA_256, SCRAM_SHA_512 } from '../../src/security/scram/scram-formatter.js';
import { WireConnection } from '../helpers/wire.js';

let running: RunningBroker;
const ports: Record<string, number> = {};

t.before(async () => {
  running = await startBroker({
    memory: true,
    config: { 'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512' },
    listeners: [
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost' },
      { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' },
    ],
  });
  for (const e of running.broker.advertisedEndpoints) ports[e.name] = e.port;
});
t.teardown(() => running?.close());

/** One flexible v0 request over PLAINTEXT, decoded with samsa's codecs. */
async function call<Req, Res>(apiKey: number, req: Codec<Req>, res: Codec<Res>, body: Req): Promise<Res> {
  const c = await WireConnection.connect('127.0.0.1', ports.PLAINTEXT!);
  try {
    const w = new Writer(256);
    req.encode(w, 0, body);
    const frame = await c.request(apiKey, 0, w.toBuffer(), { headerVersion: 2 });
    const r = new Reader(frame);
    r.int32();
    r.uvarint(); // response header v1's tagged fields
    return res.decode(r, 0);
  } finally {
    c.destroy();
  }
}

const alter = (body: Partial<AlterUserScramCredentialsRequest>) =>
  call(51, AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse, { deletions: [], upsertions: [], ...body });
const describe = (users: string[] | null) =>
  call(50, DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse, { users: users && users.map((name) => ({ name })) });

function upsertion(name: string, mechanism: number, password: string, iterations: number) {
  const m = mechanism === 2 ? SCRAM_SHA_512 : SCRAM_SHA_256;
  const salt = Buffer.from(`salt-of-${name}`);
  return { name, mechanism, iterations, salt, saltedPassword: saltedPassword(m, password, salt, iterations) };
}

const byUser = (results: { user: string; errorCode: number; errorMessage: string | null }[]) =>
  Object.fromEntries(results.map((r) => [r.user, [r.errorCode, r.errorMessage]]));

function kafka(sasl: SASLOptions) {
  return new Kafka({
    clientId: 'samsa-scram-test',
    brokers: [`localhost:${ports.SASL_PLAINTEXT}`],
    logLevel: logLevel.NOTHING,
    sasl,
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { retries: 0 },
  });
}

async function roundTrip(t: Test, client: Kafka, topic: string) {
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value: `hello ${topic}` }] });
  await producer.disconnect();
  const consumer = client.consumer({ groupId: `g-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
  await consumer.disconnect();
  t.equal(got, `hello ${topic}`);
}

t.test('AlterUserScramCredentials: upserts, and Kafka errors per user', async (t) => {
  const r = await alter({
    upsertions: [
      upsertion('alice', 1, 'alice-secret', 4096),
      upsertion('bob', 2, 'bob-secret', 8192),
      upsertion('carol', 1, 'x', 4095),
      upsertion('dave', 1, 'x', 16385),
      upsertion('erin', 3, 'x', 4096),
      upsertion('', 1, 'x', 4096),
      upsertion('frank', 1, 'x', 4096),
      upsertion('frank', 2, 'x', 4096),
    ],
    deletions: [{ name: 'gina', mechanism: 1 }],
  });
  t.same(byUser(r.results), {
    alice: [0, null],
    bob: [0, null],
    carol: [93, 'Too few iterations'],
    dave: [93, 'Too many iterations'],
    erin: [33, 'Unknown SCRAM mechanism'],
    '': [93, 'Username must not be empty'],
    frank: [92, 'A user credential cannot be altered twice in the same request'],
    gina: [91, 'Attempt to delete a user credential that does not exist'],
  });
});

t.test('DescribeUserScramCredentials: all users, named ones, missing and duplicate names', async (t) => {
  const all = await describe(null);
  t.equal(all.errorCode, 0);
  t.same(
    all.results.map((r) => [r.user, r.errorCode, r.credentialInfos.map((c) => [c.mechanism, c.iterations])]).sort(),
    [
      ['alice', 0, [[1, 4096]]],
      ['bob', 0, [[2, 8192]]],
    ],
  );
  const named = await describe(['alice', 'nobody', 'bob', 'bob']);
  t.same(byUser(named.results), {
    alice: [0, null],
    nobody: [91, 'Attempt to describe a user credential that does not exist: nobody'],
    bob: [92, 'Cannot describe SCRAM credentials for the same user twice in a single request: bob'],
  });
});

t.test('kafkajs authenticates with SCRAM-SHA-256 and SCRAM-SHA-512', async (t) => {
  await roundTrip(t, kafka({ mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' }), 'scram-256');
  await roundTrip(t, kafka({ mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret' }), 'scram-512');
});

async function connectError(sasl: SASLOptions): Promise<Error | null> {
  const admin = kafka(sasl).admin();
  return admin.connect().then(
    async () => {
      await admin.disconnect();
      return null;
    },
    (e: Error) => e,
  );
}

t.test('wrong passwords, unknown users and the wrong mechanism are refused with Kafka message', async (t) => {
  const generic = (m: string) => new RegExp(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${m}`);
  const e1 = await connectError({ mechanism: 'scram-sha-256', username: 'alice', password: 'wrong' });
  t.match(e1?.message ?? '', generic('SCRAM-SHA-256'));
  t.equal(e1?.name, 'KafkaJSSASLAuthenticationError');
  t.match((await connectError({ mechanism: 'scram-sha-256', username: 'nobody', password: 'x' }))?.message ?? '', generic('SCRAM-SHA-256'));
  t.match((await connectError({ mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' }))?.message ?? '', generic('SCRAM-SHA-512'), 'alice has no SHA-512 credential');
});

t.test('a deleted credential no longer authenticates; a changed password takes effect at once', async (t) => {
  const r = await alter({ deletions: [{ name: 'alice', mechanism: 1 }], upsertions: [upsertion('bob', 2, 'bob-new', 4096)] });
  t.same(byUser(r.results), { alice: [0, null], bob: [0, null] });
  t.ok(await connectError({ mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' }));
  t.ok(await connectError({ mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret' }));
  t.equal(await connectError({ mechanism: 'scram-sha-512', username: 'bob', password: 'bob-new' }), null);
  t.same(byUser((await describe(['alice'])).results), { alice: [91, 'Attempt to describe a user credential that does not exist: alice'] });
});
