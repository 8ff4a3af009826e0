// SCRAM sans-IO: the server and client against RFC 7677's SCRAM-SHA-256 example exchange (user
// "user", password "pencil"), SHA-512 round trips, delegation tokens (tokenauth=true), and the
// failures Kafka's ScramSaslServer reports.
import t from 'tap';
import { SaslAuthenticationError } from '../../src/security/sasl/mechanism.js';
import type { CredentialStore, TokenCredential } from '../../src/security/credentials.js';
import { ScramClient } from '../../src/security/scram/scram-client.js';
import { generateCredential, saslName, usernameOf, SCRAM_SHA_256, SCRAM_SHA_512, type ScramCredential } from '../../src/security/scram/scram-formatter.js';
import { ScramServer } from '../../src/security/scram/scram-server.js';

const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');

function store(users: Record<string, ScramCredential>, tokens: Record<string, TokenCredential> = {}, mechanism = 'SCRAM-SHA-256'): CredentialStore {
  return { scram: (m, u) => (m === mechanism ? users[u] : undefined), token: (id) => tokens[id] };
}

t.test('RFC 7677 SCRAM-SHA-256 example, server side', async (t) => {
  const cred = generateCredential(SCRAM_SHA_256, 'pencil', 4096, SALT);
  const server = new ScramServer(SCRAM_SHA_256, store({ user: cred }), () => SERVER_NONCE);
  const first = server.evaluate(Buffer.from(`n,,n=user,r=${CLIENT_NONCE}`));
  t.equal(first.toString(), `r=${CLIENT_NONCE}${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`);
  t.notOk(server.complete);
  const final = server.evaluate(Buffer.from(`c=biws,r=${CLIENT_NONCE}${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`));
  t.equal(final.toString(), 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  t.ok(server.complete);
  t.equal(server.authorizationId(), 'user');
});

t.test('RFC 7677 example, client side', async (t) => {
  const client = new ScramClient(SCRAM_SHA_256, 'user', 'pencil', false, CLIENT_NONCE);
  t.equal(client.initial().toString(), `n,,n=user,r=${CLIENT_NONCE}`);
  const final = client.evaluate(Buffer.from(`r=${CLIENT_NONCE}${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`));
  t.equal(final?.toString(), `c=biws,r=${CLIENT_NONCE}${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`);
  t.equal(client.evaluate(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), null);
  t.throws(() => new ScramClient(SCRAM_SHA_256, 'user', 'pencil', false, CLIENT_NONCE).evaluate(Buffer.from(`r=${CLIENT_NONCE}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=100`)), /less than the minimum 4096/);
});

function run(server: ScramServer, client: ScramClient): void {
  const challenge = server.evaluate(client.initial());
  const final = client.evaluate(challenge)!;
  t.equal(client.evaluate(server.evaluate(final)), null);
}

t.test('SCRAM-SHA-512 round trip; names with = and , escaped', async (t) => {
  const name = 'a=b,c';
  t.equal(saslName(name), 'a=3Db=2Cc');
  t.equal(usernameOf('a=3Db=2Cc'), name);
  t.throws(() => usernameOf('a=b'), /Invalid username: a=b/);
  const server = new ScramServer(SCRAM_SHA_512, store({ [name]: generateCredential(SCRAM_SHA_512, 'secret', 8192) }, {}, 'SCRAM-SHA-512'));
  run(server, new ScramClient(SCRAM_SHA_512, name, 'secret'));
  t.ok(server.complete);
  t.equal(server.authorizationId(), name);
  t.equal(server.tokenAuthenticated, false);
});

t.test('failures as Kafka reports them', async (t) => {
  const users = { alice: generateCredential(SCRAM_SHA_256, 'alice-secret', 4096) };
  // A wrong password: the proof does not match StoredKey (a plain error: the client sees the generic message).
  const s1 = new ScramServer(SCRAM_SHA_256, store(users));
  const c1 = new ScramClient(SCRAM_SHA_256, 'alice', 'wrong');
  const final = c1.evaluate(s1.evaluate(c1.initial()))!;
  const e1 = t.throws(() => s1.evaluate(final)) as Error;
  t.equal(e1.message, 'Invalid client credentials');
  t.notOk(e1 instanceof SaslAuthenticationError);
  t.notOk(s1.complete);
  t.throws(() => s1.evaluate(final), /Unexpected challenge in Sasl server state FAILED/);
  // Unknown user; a SCRAM-SHA-512 handshake for a user with only SHA-256 credentials.
  t.throws(() => new ScramServer(SCRAM_SHA_256, store(users)).evaluate(new ScramClient(SCRAM_SHA_256, 'bob', 'x').initial()), /^Authentication failed: Invalid user credentials$/);
  t.throws(() => new ScramServer(SCRAM_SHA_512, store(users)).evaluate(new ScramClient(SCRAM_SHA_512, 'alice', 'alice-secret').initial()), /Invalid user credentials/);
  // Another authorization id: the one message the client is told.
  const e2 = t.throws(() => new ScramServer(SCRAM_SHA_256, store(users)).evaluate(Buffer.from('n,a=bob,n=alice,r=abc'))) as Error;
  t.ok(e2 instanceof SaslAuthenticationError);
  t.equal(e2.message, 'Authentication failed: Client requested an authorization id that is different from username');
  t.throws(() => new ScramServer(SCRAM_SHA_256, store(users)).evaluate(Buffer.from('p=tls-unique,,n=alice,r=abc')), /Invalid SCRAM client first message format: p=tls-unique,,n=alice,r=abc/);
  // Too few iterations in a stored credential.
  const weak = { alice: generateCredential(SCRAM_SHA_256, 'pw', 1000) };
  t.throws(() => new ScramServer(SCRAM_SHA_256, store(weak)).evaluate(Buffer.from('n,,n=alice,r=abc')), /Iterations 1000 is less than the minimum 4096 for SCRAM-SHA-256/);
  // A final message whose nonce is not the server's.
  const s3 = new ScramServer(SCRAM_SHA_256, store(users));
  s3.evaluate(Buffer.from('n,,n=alice,r=abc'));
  t.throws(() => s3.evaluate(Buffer.from('c=biws,r=abcdef,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')), /Invalid client nonce in the final client message\./);
  // The server's nonce with anything before it (librdkafka < 2.6.1 prefixes its client nonce once more, and
  // kcat 1.7.1 with librdkafka 2.0.2 is refused by Kafka 4.4.0 for it): Kafka 4.x wants exactly the server's.
  const s4 = new ScramServer(SCRAM_SHA_256, store(users), () => 'srv');
  const c4 = new ScramClient(SCRAM_SHA_256, 'alice', 'alice-secret', false, 'abc');
  const good = c4.evaluate(s4.evaluate(c4.initial()))!.toString();
  t.match(good, /^c=biws,r=abcsrv,p=/);
  t.throws(() => s4.evaluate(Buffer.from(good.replace('r=abcsrv', 'r=abcabcsrv'))), /Invalid client nonce in the final client message\./);
});

t.test('delegation tokens: tokenauth=true authenticates as the owner with the HMAC as password', async (t) => {
  const tokens = { tok1: { owner: 'alice', hmacBase64: 'aGVsbG8gd29ybGQ=', expiryTimestampMs: 12345 } };
  const server = new ScramServer(SCRAM_SHA_256, store({}, tokens));
  run(server, new ScramClient(SCRAM_SHA_256, 'tok1', 'aGVsbG8gd29ybGQ=', true));
  t.ok(server.complete);
  t.equal(server.authorizationId(), 'alice');
  t.equal(server.tokenAuthenticated, true);
  t.equal(server.tokenExpiryTimestampMs, 12345);
  // Without the extension the token id is looked up as a user.
  t.throws(() => new ScramServer(SCRAM_SHA_256, store({}, tokens)).evaluate(new ScramClient(SCRAM_SHA_256, 'tok1', 'x').initial()), /Invalid user credentials/);
  t.throws(() => new ScramServer(SCRAM_SHA_256, store({}, tokens)).evaluate(new ScramClient(SCRAM_SHA_256, 'nope', 'x', true).initial()), /Token Authentication failed: Invalid tokenId : nope/);
  const bad = new ScramServer(SCRAM_SHA_256, store({}, tokens));
  const c = new ScramClient(SCRAM_SHA_256, 'tok1', 'wrong', true);
  const f = c.evaluate(bad.evaluate(c.initial()))!;
  t.throws(() => bad.evaluate(f), /Invalid client credentials/);
});
