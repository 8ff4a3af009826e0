// Key and trust store files of type JKS, JCEKS or PKCS12 as a JDK 17 broker reads them: the
// configured type picks Java's KeyStore, and with keystore.type.compat (on by default) a JKS
// KeyStore also reads PKCS12 files and a PKCS12 KeyStore reads JKS files, by their contents;
// JCEKS reads JKS files too, but no other pairing works ("Invalid keystore format").
import crypto from 'node:crypto';
import { javaKeyStoreFormat, parseJavaKeyStore, recoverKey, type JavaKeyStore } from './jks.js';

export type StoreFormat = 'JKS' | 'JCEKS' | 'PKCS12';

/** What the file holds, if a KeyStore of `type` can read it; throws Java's message otherwise. */
export function storeFormat(type: string, data: Buffer): StoreFormat {
  const found: StoreFormat = javaKeyStoreFormat(data) ?? 'PKCS12';
  const readable: Record<string, StoreFormat[]> = { JKS: ['JKS', 'PKCS12'], PKCS12: ['PKCS12', 'JKS'], JCEKS: ['JCEKS', 'JKS'] };
  const formats = readable[type];
  if (!formats) throw new Error(`${type} not found`); // Java's KeyStoreException for an unknown type
  if (!formats.includes(found)) throw new Error('Invalid keystore format');
  return found;
}

/** The private keys (PEM, PKCS#8) and their chains (PEM) of a JKS/JCEKS key store, for tls.createSecureContext. */
export function javaKeyStoreKeys(data: Buffer, storePassword: string, keyPassword: string): { key: string[]; cert: string[] } {
  const store = parseJavaKeyStore(data, storePassword);
  if (store.keys.length === 0) throw new Error('no private key entry');
  // Like Java's key manager, every key entry must open with the key password; one per key type
  // is served (the first, as SunX509 picks the first alias of a type), since OpenSSL holds one.
  const byType = new Map<string, { key: string; cert: string }>();
  for (const entry of store.keys) {
    let der: Buffer;
    try {
      der = recoverKey(entry.protectedKey, keyPassword);
    } catch (e) {
      throw new Error(`${(e as Error).message} of entry ${entry.alias} (check ssl.key.password; unset, the store password is used)`);
    }
    const key = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    const type = key.asymmetricKeyType ?? 'unknown';
    if (byType.has(type)) continue;
    byType.set(type, { key: key.export({ format: 'pem', type: 'pkcs8' }) as string, cert: entry.chain.map(pemCertificate).join('') });
  }
  return { key: [...byType.values()].map((v) => v.key), cert: [...byType.values()].map((v) => v.cert) };
}

/**
 * The certificates a JKS/JCEKS trust store makes trusted: its trusted certificate entries and, as
 * Java's trust manager does, the first certificate of each private key entry. No password: no integrity check.
 */
export function javaTrustStoreCertificates(data: Buffer, password: string | null): string[] {
  const store: JavaKeyStore = parseJavaKeyStore(data, password);
  const certs = [...store.trusted.map((t) => t.cert), ...store.keys.filter((k) => k.chain.length > 0).map((k) => k.chain[0])].map(pemCertificate);
  return [...new Set(certs)]; // a set, as Java's: a certificate both trusted and a key's own counts once
}

function pemCertificate(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
