// The credential store of a node's listeners over its current metadata image: SCRAM credentials
// as UserScramCredentialRecord stored them, delegation tokens with their HMAC computed from
// delegation.token.secret.key (HmacSHA512 of the token id, as Kafka's DelegationTokenManager).
import { createHmac } from 'node:crypto';
import type { MetadataImage } from '../metadata/image.js';
import type { CredentialStore } from './credentials.js';
import { scramMechanismByName } from './scram/scram-formatter.js';

export function tokenHmac(secretKey: string, tokenId: string): Buffer {
  return createHmac('sha512', Buffer.from(secretKey, 'utf8')).update(tokenId, 'utf8').digest();
}

/** delegation.token.secret.key; null: tokens disabled (Kafka 4 dropped the old name delegation.token.master.key). */
export function delegationTokenSecretKey(setting: (name: string) => string | undefined | null): string | null {
  const key = setting('delegation.token.secret.key');
  return key === undefined || key === null || key === '' ? null : key;
}

/** "User:alice" -> "alice" (a principal as the token records hold it). */
export function principalName(principal: string): string {
  const colon = principal.indexOf(':');
  return colon < 0 ? principal : principal.slice(colon + 1);
}

export function imageCredentialStore(image: () => MetadataImage, secretKey: () => string | null, now: () => number = Date.now): CredentialStore {
  return {
    scram(mechanism, username) {
      const m = scramMechanismByName(mechanism);
      return m ? image().scram.get(m.type, username) : undefined;
    },
    token(tokenId) {
      const key = secretKey();
      const info = image().delegationTokens.tokens.get(tokenId);
      if (key === null || !info || info.expirationTimestamp < now()) return undefined;
      return { owner: principalName(info.owner), hmacBase64: tokenHmac(key, tokenId).toString('base64'), expiryTimestampMs: info.expirationTimestamp };
    },
  };
}
