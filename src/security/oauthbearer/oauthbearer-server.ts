// One connection's OAUTHBEARER exchange as Kafka's OAuthBearerSaslServer: the client's initial
// response carries the token; a valid one completes at once (an authorization id must equal the
// token's principal); an invalid one is answered with Kafka's JSON error as a challenge, the client
// acknowledges with %x01 and the exchange fails with that JSON as the message.
import { SaslAuthenticationError, type SaslServer } from '../sasl/mechanism.js';
import { parseClientInitialResponse } from './client-response.js';
import { jsonErrorResponse, OAuthValidationError, type OAuthBearerToken } from './token.js';

export type TokenValidator = (tokenValue: string) => OAuthBearerToken | Promise<OAuthBearerToken>;

export class OAuthBearerServer implements SaslServer {
  complete = false;
  private errorMessage: string | null = null;
  private token: OAuthBearerToken | null = null;

  constructor(private readonly validate: TokenValidator) {}

  evaluate(response: Buffer): Buffer | Promise<Buffer> {
    if (response.length === 1 && response[0] === 0x01 && this.errorMessage !== null) throw new SaslAuthenticationError(this.errorMessage);
    this.errorMessage = null;
    const initial = parseClientInitialResponse(response);
    let result: OAuthBearerToken | Promise<OAuthBearerToken>;
    try {
      result = this.validate(initial.tokenValue);
    } catch (e) {
      return this.failure(e);
    }
    if (result instanceof Promise) return result.then((t) => this.accept(t, initial.authorizationId), (e) => this.failure(e));
    return this.accept(result, initial.authorizationId);
  }

  private failure(e: unknown): Buffer {
    if (!(e instanceof OAuthValidationError)) throw e;
    this.errorMessage = jsonErrorResponse(e.status, e.scope);
    return Buffer.from(this.errorMessage, 'utf8');
  }

  private accept(token: OAuthBearerToken, authorizationId: string): Buffer {
    if (authorizationId !== '' && authorizationId !== token.principalName) {
      throw new SaslAuthenticationError(
        `Authentication failed: Client requested an authorization id (${authorizationId}) that is different from the token's principal name (${token.principalName})`,
      );
    }
    this.token = token;
    this.complete = true;
    return Buffer.alloc(0);
  }

  authorizationId(): string {
    if (!this.complete) throw new Error('Authentication exchange has not completed');
    return this.token!.principalName;
  }

  /** The token's expiry: the longest this session may last (KIP-368). */
  get credentialExpiryMs(): number | null {
    return this.token?.lifetimeMs ?? null;
  }
}
