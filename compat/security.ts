// The SASL listeners of a compat run: a throw-away CA and broker certificate made with openssl in the run's
// directory (never committed), the server.properties lines both brokers get (a SASL_SSL and a SASL_PLAINTEXT
// listener, SCRAM-SHA-256/512, OAUTHBEARER on SASL_PLAINTEXT), the SCRAM user added when the storage is formatted
// (format --add-scram) as a user would, and the environment the client scripts read (SASL_SSL_BOOTSTRAP, SASL_PLAINTEXT_BOOTSTRAP,
// SSL_CA, SCRAM_USER, SCRAM_PASSWORD; franz-go's KGO_TEST_SCRAM_SEEDS/KGO_TEST_SCRAM/KGO_TEST_OAUTH_SEEDS).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SCRAM_USER = 'compat-scram';
export const SCRAM_PASSWORD = 'compat-scram-secret';
const SCRAM_LOGIN = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
const MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

export interface SaslPorts {
  saslSsl: number;
  saslPlaintext: number;
}

export interface Pki {
  caPem: string;
  /** Key, certificate and CA certificate in one file: Kafka's ssl.keystore.type=PEM with ssl.keystore.location. */
  keyStorePem: string;
}

/** A CA and a broker certificate for localhost / 127.0.0.1, valid two days. */
export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=samsa-compat-ca');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'broker.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'broker.pem', '-days', '2', '-extfile', 'broker.ext');
  const keyStorePem = join(dir, 'broker.keystore.pem');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  writeFileSync(keyStorePem, read('broker.key') + read('broker.pem') + read('ca.pem'));
  return { caPem: join(dir, 'ca.pem'), keyStorePem };
}

/** Listener entries (for listeners= and advertised.listeners=) and protocol map entries of the SASL listeners. */
export function saslListeners(ports: SaslPorts): { listeners: string[]; protocols: string[] } {
  return {
    listeners: [`SASL_SSL://127.0.0.1:${ports.saslSsl}`, `SASL_PLAINTEXT://127.0.0.1:${ports.saslPlaintext}`],
    protocols: ['SASL_SSL:SASL_SSL', 'SASL_PLAINTEXT:SASL_PLAINTEXT'],
  };
}

/** The rest of server.properties for them: mechanisms, the key store, a JAAS entry per listener and mechanism. */
export function saslProperties(pki: Pki): string[] {
  const lines = [
    `sasl.enabled.mechanisms=${MECHANISMS.join(',')}`,
    'listener.name.sasl_ssl.ssl.keystore.type=PEM',
    `listener.name.sasl_ssl.ssl.keystore.location=${pki.keyStorePem}`,
  ];
  for (const l of ['sasl_ssl', 'sasl_plaintext']) {
    for (const m of MECHANISMS) lines.push(`listener.name.${l}.${m.toLowerCase()}.sasl.jaas.config=${SCRAM_LOGIN}`);
  }
  // franz-go's TestOAuthAuth: OAUTHBEARER with Kafka's default (unsecured JWS) validator, on SASL_PLAINTEXT only.
  lines.push(
    `listener.name.sasl_plaintext.sasl.enabled.mechanisms=${[...MECHANISMS, 'OAUTHBEARER'].join(',')}`,
    'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
  );
  return lines;
}

/**
 * The SCRAM user, created when the storage is formatted as a user would: `samsa format` / `kafka-storage format`
 * `--add-scram 'SCRAM-SHA-256=[name=..,password=..]'`, once per mechanism.
 */
export function addScramArgs(): string[] {
  return MECHANISMS.flatMap((m) => ['--add-scram', `${m}=[name=${SCRAM_USER},password=${SCRAM_PASSWORD}]`]);
}

/** What the client scripts read to reach the SASL listeners. */
export function saslEnv(pki: Pki, ports: SaslPorts): Record<string, string> {
  const saslPlaintext = `127.0.0.1:${ports.saslPlaintext}`;
  return {
    SASL_SSL_BOOTSTRAP: `127.0.0.1:${ports.saslSsl}`,
    SASL_PLAINTEXT_BOOTSTRAP: saslPlaintext,
    SSL_CA: pki.caPem,
    SCRAM_USER,
    SCRAM_PASSWORD,
    // franz-go's TestSCRAMAuth dials its seeds without TLS (KGO_TEST_TLS would put every other test on TLS).
    KGO_TEST_SCRAM_SEEDS: saslPlaintext,
    KGO_TEST_SCRAM: `${SCRAM_USER}:${SCRAM_PASSWORD}`,
    KGO_TEST_OAUTH_SEEDS: saslPlaintext,
  };
}
