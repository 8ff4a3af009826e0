// KIP-768's broker-side validation of signed JWTs (Kafka's BrokerJwtValidator): the signature by a
// key of the JWKS at sasl.oauthbearer.jwks.endpoint.url (file:// read from disk, https:// fetched,
// both cached for sasl.oauthbearer.jwks.endpoint.refresh.ms and refetched for an unknown kid), exp
// required, iat/nbf/exp checked with sasl.oauthbearer.clock.skew.seconds, the expected audience
// and issuer when configured, the subject from sasl.oauthbearer.sub.claim.name.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeJwtPart, OAuthValidationError, scopeOf, type OAuthBearerToken } from './token.js';

export interface JwksValidatorOptions {
  jwksEndpointUrl: string;
  refreshMs: number;
  clockSkewSeconds: number;
  expectedAudience: string[];
  expectedIssuer: string | null;
  subClaimName: string;
  scopeClaimName: string;
}

const ALGORITHMS: Record<string, { hash: string; padding?: 'pss'; ec?: boolean }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', padding: 'pss' },
  PS384: { hash: 'sha384', padding: 'pss' },
  PS512: { hash: 'sha512', padding: 'pss' },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
  ES512: { hash: 'sha512', ec: true },
};

interface Jwk {
  kid?: string;
  use?: string;
  alg?: string;
  key: KeyObject;
}

export class JwksKeys {
  private keys: Jwk[] = [];
  private fetchedAt = -Infinity;
  private pending: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!/^(file|https?):/i.test(url)) throw new Error(`sasl.oauthbearer.jwks.endpoint.url must be a file: or https: URL: ${url}`);
  }

  private async load(): Promise<void> {
    const text = this.url.startsWith('file:') ? await fs.promises.readFile(fileURLToPath(this.url), 'utf8') : await (await fetch(this.url)).text();
    const doc = JSON.parse(text) as { keys?: Record<string, unknown>[] };
    this.keys = (doc.keys ?? []).flatMap((k) => {
      try {
        return [{ kid: k.kid as string | undefined, use: k.use as string | undefined, alg: k.alg as string | undefined, key: createPublicKey({ key: k as any, format: 'jwk' }) }];
      } catch {
        return [];
      }
    });
    this.fetchedAt = this.now();
  }

  /** The keys a token with this kid may be signed with (refetched once when none match). */
  async candidates(kid: string | undefined): Promise<Jwk[]> {
    const match = () => this.keys.filter((k) => (kid === undefined || k.kid === kid) && (k.use === undefined || k.use === 'sig'));
    if (this.now() - this.fetchedAt >= this.refreshMs || match().length === 0) {
      this.pending ??= this.load().finally(() => (this.pending = null));
      await this.pending;
    }
    return match();
  }
}

export async function validateJwt(tokenValue: string, keys: JwksKeys, o: JwksValidatorOptions, now: number): Promise<OAuthBearerToken> {
  const parts = tokenValue.split('.');
  if (parts.length !== 3 || parts[2] === '') throw new OAuthValidationError('Malformed JWT provided; expected three sections (header, payload, and signature)');
  const header = decodeJwtPart(parts[0]!, 'header');
  const alg = ALGORITHMS[String(header.alg)];
  if (!alg) throw new OAuthValidationError(`Unsupported JWS algorithm: ${String(header.alg)}`);
  const signature = Buffer.from(parts[2]!, 'base64url');
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const candidates = await keys.candidates(typeof header.kid === 'string' ? header.kid : undefined);
  const verified = candidates.some((k) => {
    try {
      return verify(alg.hash, data, { key: k.key, ...(alg.padding === 'pss' ? { padding: 6, saltLength: 32 } : {}), ...(alg.ec ? { dsaEncoding: 'ieee-p1363' as const } : {}) }, signature);
    } catch {
      return false;
    }
  });
  if (!verified) throw new OAuthValidationError('Unable to verify the JWT signature with the keys of the JWKS');
  const claims = decodeJwtPart(parts[1]!, 'payload');
  const skewMs = o.clockSkewSeconds * 1000;
  const exp = claims.exp;
  if (typeof exp !== 'number') throw new OAuthValidationError('No Expiration Time (exp) claim present');
  if (now - skewMs >= exp * 1000) throw new OAuthValidationError('The JWT is no longer valid');
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 > now + skewMs) throw new OAuthValidationError('The JWT is not yet valid');
  if (typeof claims.iat === 'number' && claims.iat * 1000 > now + skewMs) throw new OAuthValidationError('The JWT was issued in the future');
  if (o.expectedAudience.length > 0) {
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!aud.some((a) => o.expectedAudience.includes(String(a)))) throw new OAuthValidationError('Audience (aud) claim does not contain an acceptable identifier');
  }
  if (o.expectedIssuer !== null && claims.iss !== o.expectedIssuer) throw new OAuthValidationError('Issuer (iss) claim value does not match the expected value');
  const sub = claims[o.subClaimName];
  if (typeof sub !== 'string' || sub.trim() === '') throw new OAuthValidationError(`Required claim missing: ${o.subClaimName}`);
  return { principalName: sub, scope: scopeOf(claims[o.scopeClaimName]), lifetimeMs: Math.round(exp * 1000), startTimeMs: typeof claims.iat === 'number' ? Math.round(claims.iat * 1000) : null };
}
