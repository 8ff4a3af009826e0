// The server side of Kafka's SASL exchange on one connection (Kafka's SaslServerAuthenticator):
// ApiVersions (once, first), then SaslHandshake naming an enabled mechanism, then the mechanism's
// tokens in SaslAuthenticate requests (handshake v1) or as raw size-prefixed frames (v0). Any other
// request before authentication closes the connection; a failed exchange is answered with
// SASL_AUTHENTICATION_FAILED and Kafka's message, then the connection closes.
import { ErrorCode } from '../protocol/errors.js';
import type { Codec } from '../protocol/generated/codec.js';
import { SaslAuthenticateRequest } from '../protocol/generated/sasl-authenticate-request.js';
import { SaslAuthenticateResponse } from '../protocol/generated/sasl-authenticate-response.js';
import { SaslHandshakeRequest } from '../protocol/generated/sasl-handshake-request.js';
import { SaslHandshakeResponse } from '../protocol/generated/sasl-handshake-response.js';
import { decodeRequestHeader, requestHeaderVersion } from '../protocol/headers.js';
import { Reader } from '../protocol/reader.js';
import type { SaslServerSettings } from '../security/listener-security.js';
import { userPrincipal, type KafkaPrincipal } from '../security/principal.js';
import { SaslAuthenticationError, type SaslServer } from '../security/sasl/index.js';

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

/** What the authenticator asks of its connection. */
export interface AuthenticatorPort {
  /** Queues a Kafka response, in order with the connection's others. */
  respond(apiKey: number, apiVersion: number, correlationId: number, codec: Codec<any>, response: unknown): void;
  /** Queues a raw size-prefixed SASL token (handshake v0). */
  respondRaw(token: Buffer): void;
  /** Reads nothing more; closes once what is queued (responses queued before this call) is written. */
  fail(reason: string): void;
  /** While an exchange step is evaluated asynchronously, no further frame is taken. */
  busy(on: boolean): void;
  /** `sessionExpiryMs`: when the session ends without re-authentication (KIP-368), null: never. */
  authenticated(principal: KafkaPrincipal, session: { mechanism: string; sessionExpiryMs: number | null; reauthenticated: boolean }): void;
  /** The listener serves this ApiVersions version (else it is answered with an error and may be retried). */
  servesApiVersions(apiVersion: number): boolean;
}

type State = 'HANDSHAKE_OR_VERSIONS_REQUEST' | 'HANDSHAKE_REQUEST' | 'AUTHENTICATE' | 'COMPLETE' | 'FAILED';

const API_NAMES: Record<number, string> = { 0: 'PRODUCE', 1: 'FETCH', 3: 'METADATA', 17: 'SASL_HANDSHAKE', 18: 'API_VERSIONS', 36: 'SASL_AUTHENTICATE' };

export class SaslAuthenticator {
  private state: State = 'HANDSHAKE_OR_VERSIONS_REQUEST';
  private server: SaslServer | null = null;
  private mechanism = '';
  /** Handshake v1+: tokens travel in SaslAuthenticate requests; v0: as raw frames. */
  private kafkaHeaders = true;

  /** Re-authentication (KIP-368): the session's mechanism and principal, which may not change. */
  private readonly reauth: { mechanism: string; principal: KafkaPrincipal } | null;
  private badMechanismMessage: string | null = null;

  constructor(
    private readonly settings: SaslServerSettings,
    private readonly port: AuthenticatorPort,
    reauth: { mechanism: string; principal: KafkaPrincipal } | null = null,
    private readonly now: () => number = Date.now,
  ) {
    this.reauth = reauth;
    // A re-authentication starts at the handshake (no ApiVersions first).
    if (reauth) this.state = 'HANDSHAKE_REQUEST';
  }

  /** Takes one frame before authentication: true when handled here, false to serve it normally (ApiVersions). */
  onFrame(frame: Buffer): boolean {
    if (this.state === 'AUTHENTICATE') {
      if (this.kafkaHeaders) this.authenticateRequest(frame);
      else this.rawToken(frame);
      return true;
    }
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    if (apiKey === API_VERSIONS) {
      if (this.state !== 'HANDSHAKE_OR_VERSIONS_REQUEST') {
        this.failWith(`Unexpected ApiVersions request received during SASL authentication state ${this.state}`);
        return true;
      }
      // An ApiVersions at a version not served is answered with the ranges and may come again.
      if (this.port.servesApiVersions(apiVersion)) this.state = 'HANDSHAKE_REQUEST';
      return false;
    }
    if (apiKey !== SASL_HANDSHAKE) {
      this.failWith(`Unexpected Kafka request of type ${API_NAMES[apiKey] ?? apiKey} during SASL handshake.`);
      return true;
    }
    this.handshake(frame, apiVersion);
    return true;
  }

  private handshake(frame: Buffer, apiVersion: number): void {
    const correlationId = frame.readInt32BE(4);
    if (apiVersion < SaslHandshakeRequest.minVersion || apiVersion > SaslHandshakeRequest.maxVersion) {
      return this.failWith(`unsupported SaslHandshake version ${apiVersion}`);
    }
    let mechanism: string;
    try {
      const r = new Reader(frame);
      decodeRequestHeader(r, requestHeaderVersion(SASL_HANDSHAKE, apiVersion));
      mechanism = SaslHandshakeRequest.decode(r, apiVersion).mechanism;
    } catch (e) {
      return this.failWith(`malformed SaslHandshakeRequest: ${(e as Error).message}`);
    }
    const { enabledMechanisms, servers } = this.settings;
    const makeServer = enabledMechanisms.includes(mechanism) ? servers.get(mechanism) : undefined;
    if (!makeServer) {
      this.state = 'FAILED';
      this.port.respond(SASL_HANDSHAKE, apiVersion, correlationId, SaslHandshakeResponse, { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: enabledMechanisms });
      this.port.fail(`Unsupported SASL mechanism ${mechanism}`);
      return;
    }
    this.kafkaHeaders = apiVersion >= 1;
    this.mechanism = mechanism;
    if (this.reauth && this.reauth.mechanism !== mechanism) {
      // Kafka answers the handshake, then fails the exchange at the first token.
      this.badMechanismMessage = `SASL mechanism '${mechanism}' requested by client is not supported for re-authentication of mechanism '${this.reauth.mechanism}'`;
    }
    this.server = makeServer();
    this.state = 'AUTHENTICATE';
    this.port.respond(SASL_HANDSHAKE, apiVersion, correlationId, SaslHandshakeResponse, { errorCode: ErrorCode.NONE, mechanisms: enabledMechanisms });
  }

  private authenticateRequest(frame: Buffer): void {
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    if (apiKey !== SASL_AUTHENTICATE) return this.failWith(`Unexpected Kafka request of type ${API_NAMES[apiKey] ?? apiKey} during SASL authentication.`);
    if (apiVersion < SaslAuthenticateRequest.minVersion || apiVersion > SaslAuthenticateRequest.maxVersion) {
      return this.failWith(`Version ${apiVersion} is not supported for apiKey SASL_AUTHENTICATE`);
    }
    let token: Buffer;
    try {
      const r = new Reader(frame);
      decodeRequestHeader(r, requestHeaderVersion(SASL_AUTHENTICATE, apiVersion));
      token = Buffer.from(SaslAuthenticateRequest.decode(r, apiVersion).authBytes);
    } catch (e) {
      return this.failWith(`malformed SaslAuthenticateRequest: ${(e as Error).message}`);
    }
    const respond = (response: unknown) => this.port.respond(SASL_AUTHENTICATE, apiVersion, correlationId, SaslAuthenticateResponse, response);
    if (this.badMechanismMessage !== null) {
      const message = this.badMechanismMessage;
      this.state = 'FAILED';
      respond({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 });
      return this.port.fail(message);
    }
    this.evaluate(
      token,
      (challenge, sessionLifetimeMs) => respond({ errorCode: ErrorCode.NONE, errorMessage: null, authBytes: challenge, sessionLifetimeMs }),
      (message) => respond({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 }),
    );
  }

  /** Handshake v0: the frame is the mechanism's token; a failure closes without an answer. */
  private rawToken(frame: Buffer): void {
    this.evaluate(Buffer.from(frame), (challenge) => this.port.respondRaw(challenge), () => {});
  }

  private evaluate(token: Buffer, ok: (challenge: Buffer, sessionLifetimeMs: number) => void, failed: (message: string) => void): void {
    const server = this.server!;
    const done = (challenge: Buffer) => {
      if (this.state === 'FAILED') return;
      if (!server.complete) return ok(challenge, 0);
      const principal = userPrincipal(server.authorizationId());
      if (server.tokenAuthenticated) principal.tokenAuthenticated = true;
      const previous = this.reauth?.principal;
      if (previous && (previous.principalType !== principal.principalType || previous.name !== principal.name)) {
        return error(new SaslAuthenticationError(`Cannot change principals during re-authentication from ${previous.principalType}.${previous.name}: ${principal.principalType}.${principal.name}`));
      }
      const lifetimeMs = this.sessionLifetimeMs(server.credentialExpiryMs ?? null);
      this.state = 'COMPLETE';
      ok(challenge, lifetimeMs ?? 0);
      this.port.authenticated(principal, { mechanism: this.mechanism, sessionExpiryMs: lifetimeMs === null ? null : this.now() + lifetimeMs, reauthenticated: this.reauth !== null });
    };
    const error = (e: unknown) => {
      if (this.state === 'FAILED') return;
      // Only a SaslAuthenticationError's message is the client's to see (others may name users).
      const message =
        e instanceof SaslAuthenticationError ? e.message : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`;
      this.state = 'FAILED';
      failed(message);
      this.port.fail(message);
    };
    let result: Buffer | Promise<Buffer>;
    try {
      result = server.evaluate(token);
    } catch (e) {
      return error(e);
    }
    if (!(result instanceof Promise)) return done(result);
    this.port.busy(true);
    result.then(
      (challenge) => {
        this.port.busy(false);
        done(challenge);
      },
      (e) => {
        this.port.busy(false);
        error(e);
      },
    );
  }

  /** Kafka's calcCompletionTimesAndReturnSessionLifetimeMs: the credential's remaining life, capped by connections.max.reauth.ms; null: no expiry. */
  private sessionLifetimeMs(credentialExpiryMs: number | null): number | null {
    const maxReauthMs = this.settings.maxReauthMs?.get(this.mechanism) ?? 0;
    if (credentialExpiryMs === null && maxReauthMs <= 0) return null;
    const now = this.now();
    if (credentialExpiryMs === null) return maxReauthMs;
    if (maxReauthMs <= 0) return Math.max(0, credentialExpiryMs - now);
    return Math.max(0, Math.min(credentialExpiryMs - now, maxReauthMs));
  }

  private failWith(reason: string): void {
    this.state = 'FAILED';
    this.port.fail(reason);
  }
}
