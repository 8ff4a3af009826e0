// The SASL mechanism registry: each mechanism (PLAIN here; SCRAM and OAUTHBEARER plug in the same
// way) configures itself once per listener from that listener's settings and JAAS config, then
// makes one server per connection, and a client for the broker's own connections.
import type { JaasModule } from '../jaas.js';
import type { Settings } from '../listener-settings.js';
import type { CredentialStore } from '../credentials.js';

/** A failed exchange: answered with SASL_AUTHENTICATION_FAILED and this message, then the connection closes. */
export class SaslAuthenticationError extends Error {
  override name = 'SaslAuthenticationError';
}

/** One connection's server side of a mechanism (Java's SaslServer). */
export interface SaslServer {
  /** Takes the client's next token; returns the challenge to send back (empty: none). Throws SaslAuthenticationError. */
  evaluate(token: Buffer): Buffer | Promise<Buffer>;
  /** The exchange is over and the client authenticated. */
  readonly complete: boolean;
  /** Whom the client authenticated as (Kafka's authorization id), once complete. */
  authorizationId(): string;
  /** The client authenticated with a delegation token (SCRAM's tokenauth extension). */
  readonly tokenAuthenticated?: boolean;
  /** When the credential expires (a delegation token's expiry, an OAuth token's exp), in ms; null/absent: never. KIP-368 bounds the session by it. */
  readonly credentialExpiryMs?: number | null;
}

/** One connection's client side (the broker's inter-broker and controller connections). */
export interface SaslClient {
  /** The first token (PLAIN: all it sends). */
  initial(): Buffer;
  /** Takes the server's challenge; returns the next token, or null when the exchange is over. */
  evaluate(challenge: Buffer): Buffer | null;
}

/** What a mechanism sees of the listener it serves; later mechanisms add what they need (credential stores). */
export interface SaslListenerContext {
  listenerName: string;
  settings: Settings;
  /** The listener's JAAS config for this mechanism (`listener.name.<l>.<mech>.sasl.jaas.config`, else `sasl.jaas.config`); null when unset. */
  jaas: JaasModule[] | null;
  /** SCRAM credentials and delegation tokens (the metadata image's); absent: none. */
  credentials?: CredentialStore;
}

export interface SaslMechanism {
  /** The mechanism's SASL name (PLAIN, SCRAM-SHA-256, ...). */
  name: string;
  /** Reads the listener's settings once (throws on a bad config) and returns a maker of per-connection servers. */
  server(listener: SaslListenerContext): () => SaslServer;
  /** The broker's own client for this mechanism, with the credentials of the listener's JAAS config. */
  client?(listener: SaslListenerContext): () => SaslClient;
}

const MECHANISMS = new Map<string, SaslMechanism>();

export function registerSaslMechanism(m: SaslMechanism): void {
  MECHANISMS.set(m.name, m);
}

export function saslMechanism(name: string): SaslMechanism | undefined {
  return MECHANISMS.get(name);
}
