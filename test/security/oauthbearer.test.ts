// OAUTHBEARER: the client's initial response parsed as Kafka's OAuthBearerClientInitialResponse,
// the unsecured validator's checks with its JAAS options, KIP-768's JWKS validation (RS256 and
// ES256 keys in a file:// JWKS, audience, issuer, clock skew), and on a broker: kafkajs
// authenticates with an unsecured token and with a signed one; a bad token gets Kafka's JSON
// error as the challenge, then, after the client's %x01, SASL_AUTHENTICATION_FAILED with that JSON.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { parseClientInitialResponse } from '../../src/security/oauthbearer/client-response.js';
import { JwksKeys, validateJwt, type JwksValidatorOptions } from '../../src/security/oauthbearer/jwks-validator.js';
import { OAuthBearerServer } from '../../src/security/oauthbearer/oauthbearer-server.js';
import { jsonErrorResponse } from '../../src/security/oauthbearer/token.js';
import { unsecuredValidatorOptions, validateUnsecured } from '../../src/security/oauthbearer/unsecured-validator.js';
import { SaslAuthenticationError } from '../../src/security/sasl/mechanism.js';
import { tempDir } from '../helpers/tmp.js';
import { saslConnect } from './sasl-wire.js';
import { SaslAuthenticateRequest } from '../../src/protocol/generated/sasl-authenticate-request.js';
import { SaslAuthenticateResponse } from '../../src/protocol/generated/sasl-authenticate-response.js';
import { call } from './sasl-wire.js';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const unsecured = (claims: object) => `${b64({ alg: 'none' })}.${b64(claims)}.`;
const nowS = () => Math.floor(Date.now() / 1000);
const initial = (token: string, authzid = '', ext = '') => Buffer.from(`n,${authzid ? `a=${authzid}` : ''},\u0001auth=Bearer ${token}\u0001${ext}\u0001`);

function signed(key: KeyObject, alg: 'RS256' | 'ES256', kid: string, claims: object): string {
  const data = `${b64({ alg, kid, typ: 'JWT' })}.${b64(claims)}`;
  const sig = sign('sha256', Buffer.from(data), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${data}.${sig.toString('base64url')}`;
}

t.test('client initial response: token, authorization id, extensions; malformed ones', async (t) => {
  const r = parseClientInitialResponse(initial('abc.def.', 'bob=2Cx', 'traceId=123\u0001'));
  t.equal(r.tokenValue, 'abc.def.');
  t.equal(r.authorizationId, 'bob,x');
  t.same([...r.extensions], [['traceId', '123']]);
  t.throws(() => parseClientInitialResponse(Buffer.from('n,,auth=Bearer x')), /^Invalid OAUTHBEARER client first message$/);
  t.throws(() => parseClientInitialResponse(Buffer.from('n,,\u0001foo=bar\u0001\u0001')), /'auth' not specified/);
  t.throws(() => parseClientInitialResponse(Buffer.from('n,,\u0001auth=Basic abc\u0001\u0001')), /Invalid scheme in OAUTHBEARER client first message/);
  t.equal(jsonErrorResponse('insufficient_scope', '[a, b]'), '{"status":"insufficient_scope", "scope":"[a, b]"}');
});

t.test('unsecured validator: claims, times and scope as Kafka checks them', async (t) => {
  const now = Date.now();
  const o = unsecuredValidatorOptions(new Map([['unsecuredValidatorRequiredScope', 'kafka read'], ['unsecuredValidatorAllowableClockSkewMs', '1000']]));
  const ok = validateUnsecured(unsecured({ sub: 'alice', iat: nowS(), exp: nowS() + 60, scope: 'kafka read write' }), o, now);
  t.equal(ok.principalName, 'alice');
  t.same(ok.scope, ['kafka', 'read', 'write']);
  t.ok(ok.lifetimeMs > now);
  const fails = (claims: object, re: RegExp, opts = o) => t.throws(() => validateUnsecured(unsecured(claims), opts, now), re);
  fails({ exp: nowS() + 60, scope: 'kafka read' }, /Required claim missing: sub/);
  fails({ sub: 'a', scope: 'kafka read' }, /Required claim missing: exp/);
  fails({ sub: 'a', exp: nowS() - 5, scope: 'kafka read' }, /on or after the Expiration Time/);
  fails({ sub: 'a', iat: nowS() + 30, exp: nowS() + 60, scope: 'kafka read' }, /Issued At value was after/);
  fails({ sub: 'a', exp: nowS() + 60, scope: ['kafka'] }, /missing a required scope \(read\)/);
  const custom = unsecuredValidatorOptions(new Map([['unsecuredValidatorPrincipalClaimName', 'user']]));
  t.equal(validateUnsecured(unsecured({ user: 'carol', exp: nowS() + 60 }), custom, now).principalName, 'carol');
  t.throws(() => validateUnsecured(`${b64({ alg: 'HS256' })}.${b64({ sub: 'a', exp: nowS() + 60 })}.`, custom, now), /alg "none"/);
  t.throws(() => validateUnsecured('a.b', custom, now), /3 dot-separated/);
  t.throws(() => unsecuredValidatorOptions(new Map([['unsecuredValidatorAllowableClockSkewMs', '-1']])), /must not be negative/);
});

t.test('server: a failed validation answers the JSON, then fails with it after %x01', async (t) => {
  const o = unsecuredValidatorOptions(new Map([['unsecuredValidatorRequiredScope', 'kafka']]));
  const s = new OAuthBearerServer((tok) => validateUnsecured(tok, o, Date.now()));
  const challenge = s.evaluate(initial(unsecured({ sub: 'a', exp: nowS() + 60 }))) as Buffer;
  t.equal(challenge.toString(), '{"status":"insufficient_scope", "scope":"[kafka]"}');
  t.notOk(s.complete);
  const e = t.throws(() => s.evaluate(Buffer.from([1]))) as Error;
  t.ok(e instanceof SaslAuthenticationError);
  t.equal(e.message, '{"status":"insufficient_scope", "scope":"[kafka]"}');
  const s2 = new OAuthBearerServer((tok) => validateUnsecured(tok, o, Date.now()));
  t.throws(() => s2.evaluate(initial(unsecured({ sub: 'alice', exp: nowS() + 60, scope: 'kafka' }), 'bob')), /Client requested an authorization id \(bob\) that is different from the token's principal name \(alice\)/);
  const s3 = new OAuthBearerServer((tok) => validateUnsecured(tok, o, Date.now()));
  t.same(s3.evaluate(initial(unsecured({ sub: 'alice', exp: nowS() + 60, scope: 'kafka' }))), Buffer.alloc(0));
  t.ok(s3.complete);
  t.equal(s3.authorizationId(), 'alice');
});

const dir = tempDir(t, 'samsa-oauth-');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwksFile = path.join(dir, 'jwks.json');
fs.writeFileSync(
  jwksFile,
  JSON.stringify({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa1', use: 'sig', alg: 'RS256' }, { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec1' }] }),
);
const jwksUrl = pathToFileURL(jwksFile).href;

t.test('JWKS validation (KIP-768): signatures, exp, audience, issuer, skew', async (t) => {
  const o: JwksValidatorOptions = { jwksEndpointUrl: jwksUrl, refreshMs: 3600000, clockSkewSeconds: 30, expectedAudience: ['kafka'], expectedIssuer: 'https://idp', subClaimName: 'sub', scopeClaimName: 'scope' };
  const keys = new JwksKeys(jwksUrl, o.refreshMs);
  const good = { sub: 'svc', aud: ['kafka', 'x'], iss: 'https://idp', iat: nowS(), exp: nowS() + 300 };
  t.equal((await validateJwt(signed(rsa.privateKey, 'RS256', 'rsa1', good), keys, o, Date.now())).principalName, 'svc');
  t.equal((await validateJwt(signed(ec.privateKey, 'ES256', 'ec1', good), keys, o, Date.now())).principalName, 'svc');
  const rejects = (tok: string, re: RegExp) => t.rejects(validateJwt(tok, keys, o, Date.now()), re);
  await rejects(signed(other.privateKey, 'RS256', 'rsa1', good), /verify the JWT signature/);
  await rejects(signed(rsa.privateKey, 'RS256', 'unknown', good), /verify the JWT signature/);
  await rejects(signed(rsa.privateKey, 'RS256', 'rsa1', { ...good, aud: 'other' }), /Audience/);
  await rejects(signed(rsa.privateKey, 'RS256', 'rsa1', { ...good, iss: 'https://evil' }), /Issuer/);
  await rejects(signed(rsa.privateKey, 'RS256', 'rsa1', { ...good, exp: nowS() - 60 }), /no longer valid/);
  t.ok(await validateJwt(signed(rsa.privateKey, 'RS256', 'rsa1', { ...good, exp: nowS() - 10 }), keys, o, Date.now()), 'expired within the clock skew');
  await rejects(signed(rsa.privateKey, 'RS256', 'rsa1', { ...good, sub: undefined }), /Required claim missing: sub/);
  await rejects(unsecured(good), /three sections/);
});

let running: RunningBroker;
const ports: Record<string, number> = {};
t.test('on a broker', async (t) => {
  running = await startBroker({
    memory: true,
    config: {
      'sasl.enabled.mechanisms': 'OAUTHBEARER',
      'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config':
        'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredValidatorRequiredScope="kafka";',
      'listener.name.jwks.oauthbearer.sasl.jaas.config': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
      'listener.name.jwks.oauthbearer.sasl.server.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
      'listener.name.jwks.oauthbearer.sasl.oauthbearer.jwks.endpoint.url': jwksUrl,
      'listener.name.jwks.oauthbearer.sasl.oauthbearer.expected.audience': 'kafka',
    },
    listeners: [
      { name: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' },
      { name: 'JWKS', host: '127.0.0.1', port: 0, advertisedHost: 'localhost', securityProtocol: 'SASL_PLAINTEXT' },
    ],
  });
  t.teardown(() => running.close());
  for (const e of running.broker.advertisedEndpoints) ports[e.name] = e.port;

  const roundTrip = async (port: number, token: string, topic: string) => {
    const kafka = new Kafka({
      clientId: 'samsa-oauth-test',
      brokers: [`localhost:${port}`],
      logLevel: logLevel.NOTHING,
      sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: token }) },
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'via oauth' }] });
    await producer.disconnect();
  };
  await roundTrip(ports.SASL_PLAINTEXT!, unsecured({ sub: 'alice', exp: nowS() + 600, scope: 'kafka' }), 'oauth-unsecured');
  await roundTrip(ports.JWKS!, signed(rsa.privateKey, 'RS256', 'rsa1', { sub: 'svc', aud: 'kafka', exp: nowS() + 600 }), 'oauth-jwks');
  t.pass('kafkajs produced with an unsecured and with a JWKS-validated token');

  const client = (token: string) => ({ initial: () => initial(token), evaluate: () => null });
  const bad = await saslConnect(ports.SASL_PLAINTEXT!, 'OAUTHBEARER', client(unsecured({ sub: 'alice', exp: nowS() - 60, scope: 'kafka' })));
  t.teardown(() => bad.conn.destroy());
  t.equal(bad.last.errorCode, 0, 'the first answer is the error challenge');
  t.equal(Buffer.from(bad.last.authBytes).toString(), '{"status":"invalid_token"}');
  const final = await call(bad.conn, 36, 2, SaslAuthenticateRequest, SaslAuthenticateResponse, { authBytes: Buffer.from([1]) }, true);
  t.equal(final.errorCode, 58);
  t.equal(final.errorMessage, '{"status":"invalid_token"}');
  await bad.conn.closed;
  const wrongKey = await saslConnect(ports.JWKS!, 'OAUTHBEARER', client(signed(other.privateKey, 'RS256', 'rsa1', { sub: 'svc', aud: 'kafka', exp: nowS() + 600 })));
  t.teardown(() => wrongKey.conn.destroy());
  t.equal(Buffer.from(wrongKey.last.authBytes).toString(), '{"status":"invalid_token"}', 'a token signed by another key');
});
