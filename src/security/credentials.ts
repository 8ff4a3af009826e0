// What a listener's SASL mechanisms look credentials up in: the SCRAM credentials and delegation
// tokens of the current metadata image (read at each authentication, so changes apply at once).
import type { ScramCredential } from './scram/scram-formatter.js';

/** A delegation token as SCRAM authenticates with it (username: the token id, password: its HMAC in base64). */
export interface TokenCredential {
  /** The principal the connection acts as: the token's owner ("User:alice"). */
  owner: string;
  /** The token's HMAC in base64: the SCRAM password. */
  hmacBase64: string;
  expiryTimestampMs: number;
}

export interface CredentialStore {
  /** A user's credential for a SCRAM mechanism ("SCRAM-SHA-256"), or undefined. */
  scram(mechanism: string, username: string): ScramCredential | undefined;
  /** A live delegation token by id, or undefined (unknown or expired). */
  token(tokenId: string): TokenCredential | undefined;
}

export const NO_CREDENTIALS: CredentialStore = { scram: () => undefined, token: () => undefined };
