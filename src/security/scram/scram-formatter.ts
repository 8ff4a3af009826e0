// SCRAM's key derivations (RFC 5802 section 3) for Kafka's two mechanisms, and the credential a
// password is stored as (salt, iterations, StoredKey, ServerKey: never the password itself).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export interface ScramMechanismInfo {
  name: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  /** Kafka's ScramMechanism type as UserScramCredentialRecord and the admin APIs carry it. */
  type: number;
  hash: 'sha256' | 'sha512';
  /** Kafka refuses credentials with fewer iterations (ScramMechanism.minIterations). */
  minIterations: number;
  /** AlterUserScramCredentials refuses more (ScramMechanism.maxIterations). */
  maxIterations: number;
}

export const SCRAM_SHA_256: ScramMechanismInfo = { name: 'SCRAM-SHA-256', type: 1, hash: 'sha256', minIterations: 4096, maxIterations: 16384 };
export const SCRAM_SHA_512: ScramMechanismInfo = { name: 'SCRAM-SHA-512', type: 2, hash: 'sha512', minIterations: 4096, maxIterations: 16384 };

export const SCRAM_MECHANISMS: readonly ScramMechanismInfo[] = [SCRAM_SHA_256, SCRAM_SHA_512];

export function scramMechanismByName(name: string): ScramMechanismInfo | undefined {
  return SCRAM_MECHANISMS.find((m) => m.name === name);
}

export function scramMechanismByType(type: number): ScramMechanismInfo | undefined {
  return SCRAM_MECHANISMS.find((m) => m.type === type);
}

export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

export function hmac(m: ScramMechanismInfo, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(m.hash, key).update(data).digest();
}

export function hash(m: ScramMechanismInfo, data: Buffer): Buffer {
  return createHash(m.hash).update(data).digest();
}

/** Hi(password, salt, i): PBKDF2 with the mechanism's HMAC. */
export function saltedPassword(m: ScramMechanismInfo, password: Buffer | string, salt: Buffer, iterations: number): Buffer {
  const digest = m.hash === 'sha256' ? 32 : 64;
  return pbkdf2Sync(password, salt, iterations, digest, m.hash);
}

export function clientKey(m: ScramMechanismInfo, salted: Buffer): Buffer {
  return hmac(m, salted, 'Client Key');
}

export function serverKey(m: ScramMechanismInfo, salted: Buffer): Buffer {
  return hmac(m, salted, 'Server Key');
}

export function storedKey(m: ScramMechanismInfo, clientKeyBytes: Buffer): Buffer {
  return hash(m, clientKeyBytes);
}

export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new Error('Argument arrays must be of the same length');
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** The stored form of a password (what kafka-configs' client computes and AlterUserScramCredentials carries). */
export function generateCredential(m: ScramMechanismInfo, password: string, iterations: number, salt: Buffer = randomSalt()): ScramCredential {
  const salted = saltedPassword(m, password, salt, iterations);
  return { salt, storedKey: storedKey(m, clientKey(m, salted)), serverKey: serverKey(m, salted), iterations };
}

/** A nonce as Kafka's ScramFormatter.secureRandomString makes them: 130 random bits in base 36. */
export function secureRandomString(): string {
  return BigInt(`0x${randomBytes(17).toString('hex')}`)
    .toString(36)
    .slice(0, 26);
}

/** Kafka salts with the UTF-8 bytes of a secureRandomString. */
export function randomSalt(): Buffer {
  return Buffer.from(secureRandomString(), 'utf8');
}

/** RFC 5802's saslname escaping: '=' as =3D, ',' as =2C. */
export function saslName(username: string): string {
  return username.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** The username of a saslname; an '=' not part of =2C or =3D is invalid. */
export function usernameOf(name: string): string {
  const u = name.replace(/=2C/g, ',');
  if (u.replace(/=3D/g, '').includes('=')) throw new Error(`Invalid username: ${name}`);
  return u.replace(/=3D/g, '=');
}
