// SCRAM credentials and delegation tokens as the metadata log holds them (Kafka's ScramImage and
// DelegationTokenImage): UserScramCredentialRecord / RemoveUserScramCredentialRecord per user and
// mechanism, DelegationTokenRecord / RemoveDelegationTokenRecord per token id.
import type { DelegationTokenRecord } from '../protocol/generated/delegation-token-record.js';
import type { UserScramCredentialRecord } from '../protocol/generated/user-scram-credential-record.js';

export const SecurityRecordType = {
  DELEGATION_TOKEN: 10,
  USER_SCRAM_CREDENTIAL: 11,
  REMOVE_USER_SCRAM_CREDENTIAL: 22,
  REMOVE_DELEGATION_TOKEN: 26,
} as const;

export interface StoredScramCredential {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

export class ScramImage {
  static readonly EMPTY = new ScramImage(new Map());
  /** mechanism type (1: SHA-256, 2: SHA-512) -> user -> credential. */
  constructor(readonly byMechanism: ReadonlyMap<number, ReadonlyMap<string, StoredScramCredential>>) {}

  get(mechanismType: number, user: string): StoredScramCredential | undefined {
    return this.byMechanism.get(mechanismType)?.get(user);
  }

  isEmpty(): boolean {
    return this.byMechanism.size === 0;
  }
}

export class ScramDelta {
  /** "<type>\0<user>" -> the credential, or null when removed. */
  private readonly changes = new Map<string, { type: number; user: string; cred: StoredScramCredential | null }>();
  constructor(readonly image: ScramImage) {}

  replay(r: UserScramCredentialRecord): void {
    this.changes.set(`${r.mechanism}\0${r.name}`, {
      type: r.mechanism,
      user: r.name,
      cred: { salt: Buffer.from(r.salt), storedKey: Buffer.from(r.storedKey), serverKey: Buffer.from(r.serverKey), iterations: r.iterations },
    });
  }

  replayRemove(r: { name: string; mechanism: number }): void {
    this.changes.set(`${r.mechanism}\0${r.name}`, { type: r.mechanism, user: r.name, cred: null });
  }

  apply(): ScramImage {
    const next = new Map<number, Map<string, StoredScramCredential>>();
    for (const [type, users] of this.image.byMechanism) next.set(type, new Map(users));
    for (const { type, user, cred } of this.changes.values()) {
      let users = next.get(type);
      if (cred) {
        if (!users) next.set(type, (users = new Map()));
        users.set(user, cred);
      } else if (users) {
        users.delete(user);
        if (users.size === 0) next.delete(type);
      }
    }
    return new ScramImage(next);
  }
}

/** A token as DelegationTokenRecord holds it (principals as "User:alice"). */
export interface TokenInformation {
  readonly tokenId: string;
  readonly owner: string;
  readonly requester: string;
  readonly renewers: readonly string[];
  readonly issueTimestamp: number;
  readonly maxTimestamp: number;
  readonly expirationTimestamp: number;
}

export class DelegationTokenImage {
  static readonly EMPTY = new DelegationTokenImage(new Map());
  constructor(readonly tokens: ReadonlyMap<string, TokenInformation>) {}

  isEmpty(): boolean {
    return this.tokens.size === 0;
  }
}

export class DelegationTokenDelta {
  private readonly changes = new Map<string, TokenInformation | null>();
  constructor(readonly image: DelegationTokenImage) {}

  replay(r: DelegationTokenRecord): void {
    this.changes.set(r.tokenId, {
      tokenId: r.tokenId,
      owner: r.owner,
      requester: r.requester,
      renewers: [...r.renewers],
      issueTimestamp: r.issueTimestamp,
      maxTimestamp: r.maxTimestamp,
      expirationTimestamp: r.expirationTimestamp,
    });
  }

  replayRemove(tokenId: string): void {
    this.changes.set(tokenId, null);
  }

  apply(): DelegationTokenImage {
    const next = new Map(this.image.tokens);
    for (const [id, info] of this.changes) {
      if (info) next.set(id, info);
      else next.delete(id);
    }
    return new DelegationTokenImage(next);
  }
}

export function scramCredentialRecord(type: number, user: string, c: StoredScramCredential) {
  return { type: SecurityRecordType.USER_SCRAM_CREDENTIAL, version: 0, data: { name: user, mechanism: type, salt: c.salt, storedKey: c.storedKey, serverKey: c.serverKey, iterations: c.iterations } };
}

export function delegationTokenRecord(t: TokenInformation) {
  return { type: SecurityRecordType.DELEGATION_TOKEN, version: 0, data: { ...t, renewers: [...t.renewers] } };
}

/** The records that rebuild both images (snapshots). */
export function securityRecords(scram: ScramImage, tokens: DelegationTokenImage) {
  const out = [];
  for (const [type, users] of scram.byMechanism) for (const [user, c] of users) out.push(scramCredentialRecord(type, user, c));
  for (const t of tokens.tokens.values()) out.push(delegationTokenRecord(t));
  return out;
}
