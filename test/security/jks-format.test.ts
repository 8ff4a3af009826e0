// The JKS and JCEKS readers against what the JDK itself reads from the same files: a store made
// by keytool with an RSA key entry (key password of its own), an EC key entry and a trusted
// certificate gives the aliases and certificates `keytool -list -rfc` prints, and keys that match
// their certificates. A flipped byte or a wrong password fails with the message keytool prints;
// without a password the digest is not checked (Java's trust store reading); a JCEKS store's keys
// (PBEWithMD5AndTripleDES) open too, and its secret key entries are refused by name. As a trust
// store, the same file trusts what Java's default TrustManagerFactory accepts: the trusted
// certificate entries and the first certificate of each key entry.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { parseJavaKeyStore, recoverKey } from '../../src/security/jks.js';
import { javaTrustStoreCertificates } from '../../src/security/store-files.js';
import { tempDir } from '../helpers/tmp.js';
import { keytool } from './jks-keytool.js';

t.setTimeout(300_000);
const dir = tempDir(t, 'samsa-jks-format-');
const jks = path.join(dir, 'mixed.jks');
const common = ['-keystore', jks, '-storetype', 'JKS', '-storepass', 'store-pass'];
keytool(dir, '-genkeypair', ...common, '-alias', 'rsa-key', '-keypass', 'rsa-key-pass', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=rsa', '-validity', '2');
keytool(dir, '-genkeypair', ...common, '-alias', 'ec-key', '-keypass', 'ec-key-pass', '-keyalg', 'EC', '-dname', 'CN=ec', '-validity', '2');
keytool(dir, '-exportcert', ...common, '-alias', 'ec-key', '-rfc', '-file', 'ec.pem');
keytool(dir, '-importcert', ...common, '-alias', 'trusted-ec', '-file', 'ec.pem', '-noprompt');

/** alias -> the certificates keytool -list -rfc prints for it, as DER. */
function keytoolListing(file: string, type: string, password: string): Map<string, Buffer[]> {
  const out = keytool(dir, '-list', '-rfc', '-keystore', file, '-storetype', type, '-storepass', password);
  const listing = new Map<string, Buffer[]>();
  for (const block of out.split(/^Alias name: /m).slice(1)) {
    const alias = block.slice(0, block.indexOf('\n')).trim();
    const certs = [...block.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
    listing.set(alias, certs);
  }
  return listing;
}
/** What keytool says when it cannot open the store (its error line). */
function keytoolError(file: string, type: string, password: string): string {
  try {
    keytool(dir, '-list', '-keystore', file, '-storetype', type, '-storepass', password);
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? '');
  }
}

t.test('entries as keytool lists them, keys matching their certificates', async (t) => {
  const data = fs.readFileSync(jks);
  const store = parseJavaKeyStore(data, 'store-pass');
  t.equal(store.format, 'JKS');
  const ours = new Map<string, Buffer[]>([...store.keys.map((k) => [k.alias, k.chain] as const), ...store.trusted.map((e) => [e.alias, [e.cert]] as const)]);
  const java = keytoolListing(jks, 'JKS', 'store-pass');
  t.same([...ours.keys()].sort(), [...java.keys()].sort(), 'the same aliases');
  for (const [alias, certs] of java) t.same(ours.get(alias)?.map((c) => c.toString('hex')), certs.map((c) => c.toString('hex')), `${alias}: the same certificates`);

  const passwords: Record<string, string> = { 'rsa-key': 'rsa-key-pass', 'ec-key': 'ec-key-pass' };
  for (const entry of store.keys) {
    const key = crypto.createPrivateKey({ key: recoverKey(entry.protectedKey, passwords[entry.alias]), format: 'der', type: 'pkcs8' });
    t.equal(key.asymmetricKeyType, entry.alias === 'rsa-key' ? 'rsa' : 'ec', `${entry.alias}: key type`);
    t.ok(new crypto.X509Certificate(entry.chain[0]).checkPrivateKey(key), `${entry.alias}: the key matches its certificate`);
    t.throws(() => recoverKey(entry.protectedKey, 'store-pass'), { message: 'Cannot recover key' }, `${entry.alias}: the store password does not open it`);
  }
});

t.test('wrong password, tampering and no password, as Java reads them', async (t) => {
  const data = fs.readFileSync(jks);
  const wrong = 'Keystore was tampered with, or password was incorrect';
  t.throws(() => parseJavaKeyStore(data, 'not-the-pass'), { message: wrong }, 'a wrong password');
  t.match(keytoolError(jks, 'JKS', 'not-the-pass'), wrong, 'keytool says the same');
  const tampered = Buffer.from(data);
  const at = tampered.indexOf(Buffer.from('trusted-ec')) + 2; // inside an alias: the layout still parses
  tampered[at] ^= 1;
  const tamperedFile = path.join(dir, 'tampered.jks');
  fs.writeFileSync(tamperedFile, tampered);
  t.throws(() => parseJavaKeyStore(tampered, 'store-pass'), { message: wrong }, 'a flipped byte');
  t.match(keytoolError(tamperedFile, 'JKS', 'store-pass'), wrong, 'keytool says the same');
  t.equal(parseJavaKeyStore(tampered, null).trusted.length, 1, 'without a password the digest is not checked');
  t.throws(() => parseJavaKeyStore(data.subarray(0, data.length - 100), 'store-pass'), { message: /Invalid keystore format/ }, 'a truncated store');
});

t.test('JCEKS: keys under PBEWithMD5AndTripleDES, secret keys refused by name', async (t) => {
  const jceks = path.join(dir, 'store.jceks');
  const jc = ['-keystore', jceks, '-storetype', 'JCEKS', '-storepass', 'store-pass'];
  keytool(dir, '-genkeypair', ...jc, '-alias', 'rsa-key', '-keypass', 'jceks-key-pass', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=jceks', '-validity', '2');
  const store = parseJavaKeyStore(fs.readFileSync(jceks), 'store-pass');
  t.equal(store.format, 'JCEKS');
  t.same(store.keys[0].chain.map((c) => c.toString('hex')), keytoolListing(jceks, 'JCEKS', 'store-pass').get('rsa-key')!.map((c) => c.toString('hex')), 'the chain keytool lists');
  const key = crypto.createPrivateKey({ key: recoverKey(store.keys[0].protectedKey, 'jceks-key-pass'), format: 'der', type: 'pkcs8' });
  t.ok(new crypto.X509Certificate(store.keys[0].chain[0]).checkPrivateKey(key), 'the key matches its certificate');
  t.throws(() => recoverKey(store.keys[0].protectedKey, 'store-pass'), { message: 'Cannot recover key' }, 'a wrong key password');

  keytool(dir, '-genseckey', ...jc, '-alias', 'aes-secret', '-keypass', 'store-pass', '-keyalg', 'AES', '-keysize', '128');
  t.throws(() => parseJavaKeyStore(fs.readFileSync(jceks), 'store-pass'), { message: /secret key entry aes-secret is not supported/ }, 'a secret key entry is named');
});

t.test('as a trust store: the issuers the JDK TrustManagerFactory accepts', async (t) => {
  const program = path.join(dir, 'AcceptedIssuers.java');
  fs.writeFileSync(program, [
    'import java.io.FileInputStream; import java.security.KeyStore; import java.security.cert.X509Certificate; import javax.net.ssl.*;',
    'public class AcceptedIssuers { public static void main(String[] a) throws Exception {',
    '  KeyStore ks = KeyStore.getInstance("JKS"); ks.load(new FileInputStream(a[0]), null);',
    '  TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()); f.init(ks);',
    '  for (X509Certificate c : ((X509TrustManager) f.getTrustManagers()[0]).getAcceptedIssuers()) System.out.println(java.util.Base64.getEncoder().encodeToString(c.getEncoded()));',
    '}}',
  ].join('\n'));
  const java = execFileSync('java', [program, jks], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').sort();
  const ours = javaTrustStoreCertificates(fs.readFileSync(jks), null).map((pem) => pem.replace(/-----[A-Z ]+-----|\s+/g, '')).sort();
  t.equal(java.length, 2, 'Java trusts two certificates (two key entries; the trusted one repeats the EC key entry\'s)');
  t.same(ours, java, 'the same certificates');
});
