// Kafka's ssl.* settings of one listener as Node TLS options: key stores (PEM in a file or inline,
// JKS, JCEKS, PKCS12), trust stores (PEM, JKS, JCEKS, PKCS12), ssl.client.auth, ssl.enabled.protocols, ssl.cipher.suites
// (Java's IANA names turned into OpenSSL's), and the same for the broker's own client side.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { listenerOnlySetting, listenerSetting, settingList, type Settings } from './listener-settings.js';
import { javaKeyStoreKeys, javaTrustStoreCertificates, storeFormat } from './store-files.js';

export class SslConfigError extends Error {}

export type ClientAuth = 'none' | 'requested' | 'required';

export interface ServerTls {
  /** For new tls.TLSSocket(socket, { isServer: true, ...options }). */
  options: tls.TlsOptions;
  clientAuth: ClientAuth;
}

type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

/** The TLS side of a listener of protocol SSL or SASL_SSL. */
export function serverTls(settings: Settings, listenerName: string, protocol: SecurityProtocol): ServerTls {
  const get = (name: string) => listenerSetting(settings, listenerName, name);
  // KIP-684: a SASL_SSL listener asks for client certificates only when its own prefixed setting says so.
  const rawAuth = protocol === 'SASL_SSL' ? listenerOnlySetting(settings, listenerName, 'ssl.client.auth') : get('ssl.client.auth');
  const clientAuth = (rawAuth ?? 'none').toLowerCase();
  if (clientAuth !== 'none' && clientAuth !== 'requested' && clientAuth !== 'required') {
    throw new SslConfigError(`Invalid value ${rawAuth} for configuration ssl.client.auth: String must be one of: required, requested, none`);
  }
  const keyStore = readKeyStore(get);
  if (!keyStore) throw new SslConfigError(`listener ${listenerName} (${protocol}) needs a key store: set ssl.keystore.location or ssl.keystore.key and ssl.keystore.certificate.chain`);
  const ca = readTrustStore(get);
  const options: tls.TlsOptions = {
    ...keyStore,
    ...(ca ? { ca } : {}),
    ...protocolRange(get('ssl.enabled.protocols')),
    ...cipherOption(get('ssl.cipher.suites')),
    requestCert: clientAuth !== 'none',
    // Checked after the handshake: 'requested' accepts no certificate but not an untrusted one.
    rejectUnauthorized: clientAuth === 'required',
  };
  return { options, clientAuth };
}

/** The broker's client side towards a listener of protocol SSL or SASL_SSL (inter-broker and controller connections). */
export function clientTls(settings: Settings, listenerName: string): (host: string) => tls.ConnectionOptions {
  const get = (name: string) => listenerSetting(settings, listenerName, name);
  const keyStore = readKeyStore(get);
  const ca = readTrustStore(get);
  const checkHost = (get('ssl.endpoint.identification.algorithm') ?? 'https').toLowerCase() === 'https';
  const base: tls.ConnectionOptions = {
    ...(keyStore ?? {}),
    ...(ca ? { ca } : {}),
    ...protocolRange(get('ssl.enabled.protocols')),
    ...cipherOption(get('ssl.cipher.suites')),
    rejectUnauthorized: true,
  };
  return (host) => ({
    ...base,
    ...(net.isIP(host) ? {} : { servername: host }),
    ...(checkHost ? {} : { checkServerIdentity: () => undefined }),
  });
}

type KeyStore = Pick<tls.SecureContextOptions, 'key' | 'cert' | 'pfx' | 'passphrase'>;

function readKeyStore(get: Settings): KeyStore | null {
  const type = (get('ssl.keystore.type') ?? 'JKS').toUpperCase();
  const location = get('ssl.keystore.location');
  const inlineKey = get('ssl.keystore.key');
  const inlineChain = get('ssl.keystore.certificate.chain');
  const keyPassword = get('ssl.key.password') ?? undefined;
  if (type === 'PEM') {
    if (inlineKey !== null || inlineChain !== null) {
      if (location !== null) throw new SslConfigError('SSL key store PEM: set ssl.keystore.location or ssl.keystore.key/ssl.keystore.certificate.chain, not both');
      if (inlineKey === null || inlineChain === null) throw new SslConfigError('SSL key store PEM needs both ssl.keystore.key and ssl.keystore.certificate.chain');
      return { key: inlineKey, cert: inlineChain, passphrase: keyPassword };
    }
    if (location === null) return null;
    // One file holds the private key and the certificate chain.
    const pem = readFile(location, 'ssl.keystore.location');
    const key = pemBlocks(pem, /PRIVATE KEY/);
    const cert = pemBlocks(pem, /^CERTIFICATE$/);
    if (key.length !== 1) throw new SslConfigError(`SSL key store ${location}: expected one private key, found ${key.length}`);
    if (cert.length === 0) throw new SslConfigError(`SSL key store ${location}: no certificate chain`);
    return { key: key[0], cert: cert.join('\n'), passphrase: keyPassword };
  }
  if (location === null) return null;
  // JKS (Kafka's default), JCEKS, PKCS12: read as JDK 17 reads them (store-files.ts).
  const password = get('ssl.keystore.password');
  if (password === null) throw new SslConfigError('SSL key store is specified, but key store password is not specified.');
  const data = readBinary(location, 'ssl.keystore.location');
  return loadStore(location, type, () => {
    if (storeFormat(type, data) === 'PKCS12') {
      checkPkcs12(data, password);
      return { pfx: data, passphrase: password };
    }
    return javaKeyStoreKeys(data, password, keyPassword ?? password);
  });
}

function readTrustStore(get: Settings): string[] | null {
  const type = (get('ssl.truststore.type') ?? 'JKS').toUpperCase();
  const inline = get('ssl.truststore.certificates');
  const location = get('ssl.truststore.location');
  if (type === 'PEM') {
    if (inline !== null) return pemBlocks(inline, /^CERTIFICATE$/);
    if (location === null) return null;
    return pemBlocks(readFile(location, 'ssl.truststore.location'), /^CERTIFICATE$/);
  }
  if (location === null) return null;
  const password = get('ssl.truststore.password');
  const data = readBinary(location, 'ssl.truststore.location');
  const format = loadStore(location, type, () => storeFormat(type, data));
  if (format === 'PKCS12') return pemBlocks(pkcs12Certificates(location, password ?? ''), /^CERTIFICATE$/);
  return loadStore(location, type, () => javaTrustStoreCertificates(data, password));
}

/** Opens a PKCS12 key store now, so a wrong password stops the start as in Kafka, not each handshake later. */
function checkPkcs12(pfx: Buffer, passphrase: string): void {
  try {
    tls.createSecureContext({ pfx, passphrase });
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(/mac verify failure/i.test(message) ? 'keystore password was incorrect' : message);
  }
}

/** Kafka's message for a key or trust store file it cannot load, with the reason. */
function loadStore<T>(location: string, type: string, load: () => T): T {
  try {
    return load();
  } catch (e) {
    throw new SslConfigError(`Failed to load SSL keystore ${location} of type ${type}: ${(e as Error).message}`);
  }
}

function readBinary(location: string, setting: string): Buffer {
  try {
    return fs.readFileSync(location);
  } catch (e) {
    throw new SslConfigError(`${setting} ${location}: ${(e as Error).message}`);
  }
}

/** The trusted certificates of a PKCS12 trust store (Node reads PKCS12 only as a key store; openssl reads certificate-only ones). */
function pkcs12Certificates(location: string, password: string): string {
  const run = (extra: string[]) => execFileSync('openssl', ['pkcs12', '-in', location, '-nokeys', '-passin', `pass:${password}`, ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    return run([]);
  } catch {
    try {
      return run(['-legacy']);
    } catch (e) {
      throw new SslConfigError(`Failed to load SSL trust store ${location} of type PKCS12: ${((e as { stderr?: string }).stderr ?? String(e)).trim()}`);
    }
  }
}

function readFile(location: string, setting: string): string {
  try {
    return fs.readFileSync(location, 'utf8');
  } catch (e) {
    throw new SslConfigError(`${setting} ${location}: ${(e as Error).message}`);
  }
}

/** The PEM blocks of `text` whose label matches. */
export function pemBlocks(text: string, label: RegExp): string[] {
  const out: string[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) if (label.test(m[1])) out.push(m[0]);
  return out;
}

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** ssl.enabled.protocols as Node's version range (Node has no gaps: the lowest to the highest named). */
function protocolRange(value: string | null): Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion'> {
  const named = settingList(value).filter((p): p is (typeof TLS_VERSIONS)[number] => (TLS_VERSIONS as readonly string[]).includes(p));
  if (named.length === 0) return {};
  const sorted = named.sort((a, b) => TLS_VERSIONS.indexOf(a) - TLS_VERSIONS.indexOf(b));
  return { minVersion: sorted[0], maxVersion: sorted[sorted.length - 1] };
}

/** ssl.cipher.suites (Java's names) as Node's cipher list; TLS 1.3 suites keep their names. */
function cipherOption(value: string | null): Pick<tls.SecureContextOptions, 'ciphers'> {
  const suites = settingList(value);
  if (suites.length === 0) return {};
  const known = new Set(tls.getCiphers().map((c) => c.toUpperCase()));
  const names = suites.map(openSslCipherName).filter((n) => known.has(n.toUpperCase()));
  if (names.length === 0) throw new SslConfigError(`None of the cipher suites in ssl.cipher.suites are supported: ${suites.join(', ')}`);
  return { ciphers: names.join(':') };
}

/** TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 -> ECDHE-RSA-AES128-GCM-SHA256 (OpenSSL's naming of the IANA suites). */
export function openSslCipherName(iana: string): string {
  const m = /^TLS_(.+)_WITH_(.+)$/.exec(iana);
  if (!m) return iana; // TLS 1.3 suites (TLS_AES_128_GCM_SHA256) are named alike
  const kx = m[1] === 'RSA' ? '' : m[1].replace(/_/g, '-');
  let cipher = m[2]
    .replace(/^AES_(\d+)_/, 'AES$1-')
    .replace(/^CHACHA20_POLY1305_SHA256$/, 'CHACHA20-POLY1305')
    .replace(/_/g, '-');
  // OpenSSL drops the MAC of CBC suites with SHA-1 (AES128-SHA) and keeps SHA256/384.
  cipher = cipher.replace(/-CBC-/, '-');
  return kx ? `${kx}-${cipher}` : cipher;
}
