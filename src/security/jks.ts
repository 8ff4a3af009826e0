// Java's own key store files, the JKS and JCEKS formats keytool writes (Kafka's default
// ssl.keystore.type/ssl.truststore.type is JKS): the entries (private keys with their certificate
// chains, trusted certificates), the store's SHA-1 integrity digest and the two key protections,
// Sun's "JKS key protector" (a SHA-1 keystream) and JCEKS's PBEWithMD5AndTripleDES.
import crypto from 'node:crypto';

export class KeyStoreFormatError extends Error {}

export const JKS_MAGIC = 0xfeedfeed;
export const JCEKS_MAGIC = 0xcececece;

const TAG_PRIVATE_KEY = 1;
const TAG_TRUSTED_CERT = 2;
const TAG_SECRET_KEY = 3; // JCEKS only: a serialized Java object we cannot skip

const JKS_KEY_PROTECTOR_OID = '1.3.6.1.4.1.42.2.17.1.1';
const PBE_MD5_TRIPLE_DES_OID = '1.3.6.1.4.1.42.2.19.1';

export interface PrivateKeyEntry {
  alias: string;
  /** The EncryptedPrivateKeyInfo as stored; recoverKey() opens it. */
  protectedKey: Buffer;
  /** DER certificates, the key's own first. */
  chain: Buffer[];
}

export interface JavaKeyStore {
  format: 'JKS' | 'JCEKS';
  keys: PrivateKeyEntry[];
  /** DER certificates of the trusted certificate entries. */
  trusted: { alias: string; cert: Buffer }[];
}

/** The store format by its magic number, or null for anything else (PKCS12 files are DER and start with 0x30). */
export function javaKeyStoreFormat(data: Buffer): 'JKS' | 'JCEKS' | null {
  if (data.length < 4) return null;
  const magic = data.readUInt32BE(0);
  return magic === JKS_MAGIC ? 'JKS' : magic === JCEKS_MAGIC ? 'JCEKS' : null;
}

/**
 * Reads a JKS or JCEKS store. With a password the trailing digest is checked (a wrong password
 * fails here, as Java's KeyStore.load does); without one it is not, as Java allows for trust stores.
 */
export function parseJavaKeyStore(data: Buffer, password: string | null): JavaKeyStore {
  const format = javaKeyStoreFormat(data);
  if (format === null) throw new KeyStoreFormatError('Invalid keystore format');
  if (data.length < 12 + 20) throw new KeyStoreFormatError('Invalid keystore format: truncated');
  const version = data.readUInt32BE(4);
  if (version !== 1 && version !== 2) throw new KeyStoreFormatError('Invalid keystore format: version ' + version);
  const r = new Reader(data, 8, data.length - 20);
  const count = r.u32();
  const keys: PrivateKeyEntry[] = [];
  const trusted: { alias: string; cert: Buffer }[] = [];
  const cert = () => {
    if (version === 2) r.utf(); // the certificate type, "X.509"
    return r.bytes(r.u32());
  };
  for (let i = 0; i < count; i++) {
    const tag = r.u32();
    const alias = r.utf();
    r.skip(8); // creation date
    if (tag === TAG_PRIVATE_KEY) {
      const protectedKey = r.bytes(r.u32());
      const n = r.u32();
      const chain: Buffer[] = [];
      for (let c = 0; c < n; c++) chain.push(cert());
      keys.push({ alias, protectedKey, chain });
    } else if (tag === TAG_TRUSTED_CERT) {
      trusted.push({ alias, cert: cert() });
    } else if (tag === TAG_SECRET_KEY && format === 'JCEKS') {
      throw new KeyStoreFormatError(`secret key entry ${alias} is not supported (only private keys and trusted certificates)`);
    } else {
      throw new KeyStoreFormatError(`Unrecognized keystore entry: tag ${tag}`);
    }
  }
  if (r.offset !== data.length - 20) throw new KeyStoreFormatError('Invalid keystore format: trailing bytes');
  if (password !== null) {
    const digest = crypto.createHash('sha1').update(utf16be(password)).update('Mighty Aphrodite', 'utf8').update(data.subarray(0, r.offset)).digest();
    if (!crypto.timingSafeEqual(digest, data.subarray(r.offset))) throw new KeyStoreFormatError('Keystore was tampered with, or password was incorrect');
  }
  return { format, keys, trusted };
}

/** The PKCS#8 PrivateKeyInfo (DER) inside a protected key; throws 'Cannot recover key' on a wrong password. */
export function recoverKey(protectedKey: Buffer, password: string): Buffer {
  // EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier { OID, params }, OCTET STRING }
  const info = der(protectedKey, 0, 0x30);
  const algorithm = der(protectedKey, info.start, 0x30);
  const oid = der(protectedKey, algorithm.start, 0x06);
  const encrypted = der(protectedKey, algorithm.end, 0x04);
  const oidText = oidString(protectedKey.subarray(oid.start, oid.end));
  const body = protectedKey.subarray(encrypted.start, encrypted.end);
  if (oidText === JKS_KEY_PROTECTOR_OID) return openJksProtector(body, password);
  if (oidText === PBE_MD5_TRIPLE_DES_OID) {
    // PBEParameter ::= SEQUENCE { salt OCTET STRING (8), iterationCount INTEGER }
    const params = der(protectedKey, oid.end, 0x30);
    const salt = der(protectedKey, params.start, 0x04);
    const iterations = der(protectedKey, salt.end, 0x02);
    return openPbeMd5TripleDes(body, password, protectedKey.subarray(salt.start, salt.end), Number(BigInt('0x' + protectedKey.subarray(iterations.start, iterations.end).toString('hex'))));
  }
  throw new KeyStoreFormatError(`Unsupported key protection algorithm ${oidText}`);
}

/** Sun's key protector: salt(20) | key XOR SHA-1 keystream | SHA-1(password | key) as check. */
function openJksProtector(body: Buffer, password: string): Buffer {
  if (body.length < 40) throw new KeyStoreFormatError('Cannot recover key: protected key too short');
  const pass = utf16be(password);
  const salt = body.subarray(0, 20);
  const encrypted = body.subarray(20, body.length - 20);
  const check = body.subarray(body.length - 20);
  const plain = Buffer.alloc(encrypted.length);
  let block: Buffer = salt;
  for (let off = 0; off < encrypted.length; off += 20) {
    block = crypto.createHash('sha1').update(pass).update(block).digest();
    for (let i = 0; i < 20 && off + i < encrypted.length; i++) plain[off + i] = encrypted[off + i] ^ block[i];
  }
  const expected = crypto.createHash('sha1').update(pass).update(plain).digest();
  if (!crypto.timingSafeEqual(expected, check)) throw new KeyStoreFormatError('Cannot recover key');
  return plain;
}

/** JCEKS's PBEWithMD5AndTripleDES: each salt half MD5-iterated with the password gives 3DES key and IV. */
function openPbeMd5TripleDes(body: Buffer, password: string, saltIn: Buffer, iterations: number): Buffer {
  if (saltIn.length !== 8) throw new KeyStoreFormatError('Cannot recover key: salt must be 8 bytes');
  const salt = Buffer.from(saltIn);
  // Equal halves would give equal key parts: the first half is reversed, as Sun's PBE does.
  if (salt.subarray(0, 4).equals(salt.subarray(4))) salt.subarray(0, 4).reverse();
  const pass = Buffer.from(Array.from(password, (c) => c.charCodeAt(0) & 0x7f));
  const derived: Buffer[] = [];
  for (let half = 0; half < 2; half++) {
    let h: Buffer = salt.subarray(half * 4, half * 4 + 4);
    for (let i = 0; i < iterations; i++) h = crypto.createHash('md5').update(h).update(pass).digest();
    derived.push(h);
  }
  const keyIv = Buffer.concat(derived);
  try {
    const decipher = crypto.createDecipheriv('des-ede3-cbc', keyIv.subarray(0, 24), keyIv.subarray(24, 32));
    const plain = Buffer.concat([decipher.update(body), decipher.final()]);
    // No check value here: a wrong password shows as bad padding or as bytes that are no one DER SEQUENCE.
    if (der(plain, 0, 0x30).end !== plain.length) throw new KeyStoreFormatError('Cannot recover key');
    return plain;
  } catch {
    throw new KeyStoreFormatError('Cannot recover key');
  }
}

function utf16be(s: string): Buffer {
  const out = Buffer.alloc(s.length * 2);
  for (let i = 0; i < s.length; i++) out.writeUInt16BE(s.charCodeAt(i), i * 2);
  return out;
}

/** One DER element at `at` with the expected tag: where its content starts and ends. */
function der(buf: Buffer, at: number, tag: number): { start: number; end: number } {
  if (at + 2 > buf.length || buf[at] !== tag) throw new KeyStoreFormatError('Cannot recover key: malformed key encoding');
  let len = buf[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > buf.length) throw new KeyStoreFormatError('Cannot recover key: malformed key encoding');
    len = buf.readUIntBE(start, n);
    start += n;
  }
  if (start + len > buf.length) throw new KeyStoreFormatError('Cannot recover key: malformed key encoding');
  return { start, end: start + len };
}

function oidString(b: Buffer): string {
  const parts = [Math.floor(b[0] / 40), b[0] % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) (parts.push(v), (v = 0));
  }
  return parts.join('.');
}

/** Reads big-endian fields up to `limit` (the digest's start). */
class Reader {
  constructor(private readonly buf: Buffer, public offset: number, private readonly limit: number) {}
  private need(n: number): void {
    if (this.offset + n > this.limit) throw new KeyStoreFormatError('Invalid keystore format: truncated');
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
  skip(n: number): void {
    this.bytes(n);
  }
  /** Java's writeUTF: a u16 length then modified UTF-8 (plain UTF-8 for every alias keytool writes but NUL/astral ones). */
  utf(): string {
    this.need(2);
    const n = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return this.bytes(n).toString('utf8');
  }
}
