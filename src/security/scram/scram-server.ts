// One connection's SCRAM exchange as Kafka's ScramSaslServer: client-first (a user, or with the
// tokenauth=true extension a delegation token id) -> server-first (nonce, salt, iterations) ->
// client-final (proof checked against StoredKey) -> server-final (signature). Failures a client may
// see get SaslAuthenticationError; the rest (unknown user, bad proof) a plain Error, which the
// authenticator answers with Kafka's generic "invalid credentials" message.
import { timingSafeEqual } from 'node:crypto';
import { SaslAuthenticationError, type SaslServer } from '../sasl/mechanism.js';
import type { CredentialStore } from '../credentials.js';
import {
  generateCredential,
  hmac,
  secureRandomString,
  storedKey as storedKeyOf,
  usernameOf,
  xor,
  type ScramCredential,
  type ScramMechanismInfo,
} from './scram-formatter.js';
import { parseClientFinal, parseClientFirst, serverFinalMessage, serverFirstMessage, type ClientFirstMessage } from './scram-messages.js';

type State = 'RECEIVE_CLIENT_FIRST_MESSAGE' | 'RECEIVE_CLIENT_FINAL_MESSAGE' | 'COMPLETE' | 'FAILED';

/** A token's SCRAM credential is derived from its HMAC with the minimum iterations (Kafka's DelegationTokenCache). */
const tokenCredentials = new Map<string, ScramCredential>();

function tokenCredential(m: ScramMechanismInfo, tokenId: string, hmacBase64: string): ScramCredential {
  const key = `${m.name}\0${tokenId}\0${hmacBase64}`;
  let c = tokenCredentials.get(key);
  if (!c) {
    c = generateCredential(m, hmacBase64, m.minIterations);
    if (tokenCredentials.size > 1000) tokenCredentials.clear();
    tokenCredentials.set(key, c);
  }
  return c;
}

export class ScramServer implements SaslServer {
  private state: State = 'RECEIVE_CLIENT_FIRST_MESSAGE';
  private credential: ScramCredential | null = null;
  private clientFirst: ClientFirstMessage | null = null;
  private serverFirst = '';
  private serverNonce = '';
  private authorized = '';
  /** Set when a delegation token authenticated: its expiry bounds the session (KIP-368). */
  tokenExpiryTimestampMs: number | null = null;
  tokenAuthenticated = false;

  get credentialExpiryMs(): number | null {
    return this.tokenExpiryTimestampMs;
  }

  constructor(
    private readonly mechanism: ScramMechanismInfo,
    private readonly store: CredentialStore,
    private readonly nonce: () => string = secureRandomString,
  ) {}

  get complete(): boolean {
    return this.state === 'COMPLETE';
  }

  evaluate(token: Buffer): Buffer {
    try {
      switch (this.state) {
        case 'RECEIVE_CLIENT_FIRST_MESSAGE':
          return this.first(token);
        case 'RECEIVE_CLIENT_FINAL_MESSAGE':
          return this.final(token);
        default:
          throw new Error(`Unexpected challenge in Sasl server state ${this.state}`);
      }
    } catch (e) {
      this.credential = null;
      this.state = 'FAILED';
      throw e;
    }
  }

  private first(token: Buffer): Buffer {
    const first = parseClientFirst(token);
    this.clientFirst = first;
    const username = usernameOf(first.saslName);
    let credential: ScramCredential | undefined;
    if (first.extensions.get('tokenauth')?.toLowerCase() === 'true') {
      const t = this.store.token(username);
      if (!t) throw new Error(`Token Authentication failed: Invalid tokenId : ${username}`);
      this.authorized = t.owner;
      this.tokenExpiryTimestampMs = t.expiryTimestampMs;
      this.tokenAuthenticated = true;
      credential = tokenCredential(this.mechanism, username, t.hmacBase64);
    } else {
      this.authorized = username;
      credential = this.store.scram(this.mechanism.name, username);
    }
    if (!credential) throw new Error('Authentication failed: Invalid user credentials');
    if (first.authorizationId !== '' && first.authorizationId !== username) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    }
    if (credential.iterations < this.mechanism.minIterations) {
      throw new Error(`Iterations ${credential.iterations} is less than the minimum ${this.mechanism.minIterations} for ${this.mechanism.name}`);
    }
    this.credential = credential;
    this.serverNonce = first.nonce + this.nonce();
    this.serverFirst = serverFirstMessage(this.serverNonce, credential.salt, credential.iterations);
    this.state = 'RECEIVE_CLIENT_FINAL_MESSAGE';
    return Buffer.from(this.serverFirst, 'utf8');
  }

  private final(token: Buffer): Buffer {
    const final = parseClientFinal(token);
    // Kafka 4.x compares the whole nonce (RFC 5802); librdkafka < 2.6.1 sends its client nonce twice and is refused.
    if (final.nonce !== this.serverNonce) throw new Error('Invalid client nonce in the final client message.');
    const m = this.mechanism;
    const credential = this.credential!;
    const authMessage = `${this.clientFirst!.bare},${this.serverFirst},${final.withoutProof}`;
    const clientSignature = hmac(m, credential.storedKey, authMessage);
    if (final.proof.length !== clientSignature.length) throw new Error('Invalid client credentials');
    const computed = storedKeyOf(m, xor(clientSignature, final.proof));
    if (!timingSafeEqual(computed, credential.storedKey)) throw new Error('Invalid client credentials');
    const signature = hmac(m, credential.serverKey, authMessage);
    this.credential = null;
    this.state = 'COMPLETE';
    return Buffer.from(serverFinalMessage(signature), 'utf8');
  }

  authorizationId(): string {
    if (!this.complete) throw new Error('Authentication exchange has not completed');
    return this.authorized;
  }
}

