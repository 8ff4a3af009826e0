// Kafka's OAuthBearerUnsecuredValidatorCallbackHandler: unsigned JWTs (alg "none", empty
// signature) for development, with the JAAS options unsecuredValidatorPrincipalClaimName (sub),
// unsecuredValidatorScopeClaimName (scope), unsecuredValidatorRequiredScope (space-delimited) and
// unsecuredValidatorAllowableClockSkewMs (0): principal claim a string, exp required, iat optional,
// exp after iat, every required scope present (else insufficient_scope).
import { decodeJwtPart, javaList, OAuthValidationError, scopeOf, type OAuthBearerToken } from './token.js';

export interface UnsecuredValidatorOptions {
  principalClaimName: string;
  scopeClaimName: string;
  requiredScope: string[];
  allowableClockSkewMs: number;
}

export function unsecuredValidatorOptions(options: ReadonlyMap<string, string>): UnsecuredValidatorOptions {
  const skew = options.get('unsecuredValidatorAllowableClockSkewMs')?.trim();
  const allowableClockSkewMs = skew ? Number(skew) : 0;
  if (!Number.isInteger(allowableClockSkewMs)) throw new Error(`Invalid value for unsecuredValidatorAllowableClockSkewMs: ${skew}`);
  if (allowableClockSkewMs < 0) throw new Error(`Allowable clock skew must not be negative: ${allowableClockSkewMs}`);
  return {
    principalClaimName: options.get('unsecuredValidatorPrincipalClaimName')?.trim() || 'sub',
    scopeClaimName: options.get('unsecuredValidatorScopeClaimName')?.trim() || 'scope',
    requiredScope: (options.get('unsecuredValidatorRequiredScope') ?? '').split(' ').filter((s) => s !== ''),
    allowableClockSkewMs,
  };
}

function numericClaim(claims: Record<string, unknown>, name: string): number | null {
  const v = claims[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number') throw new OAuthValidationError(`The ${name} claim had the incorrect type: ${typeof v}`);
  return v;
}

export function validateUnsecured(tokenValue: string, o: UnsecuredValidatorOptions, now: number): OAuthBearerToken {
  const parts = tokenValue.split('.');
  if (parts.length !== 3) throw new OAuthValidationError('Unsecured JWS compact serializations must have 3 dot-separated Base64URL-encoded values');
  if (parts[2] !== '') throw new OAuthValidationError('Unsecured JWS must not contain a digital signature');
  const header = decodeJwtPart(parts[0]!, 'header');
  if (header.alg !== 'none') throw new OAuthValidationError(`Unsecured JWS must have alg "none": ${String(header.alg)}`);
  const claims = decodeJwtPart(parts[1]!, 'payload');
  const principal = claims[o.principalClaimName];
  if (principal === undefined || principal === null) throw new OAuthValidationError(`Required claim missing: ${o.principalClaimName}`);
  if (typeof principal !== 'string' || principal.trim() === '') throw new OAuthValidationError(`The ${o.principalClaimName} claim had the incorrect type`);
  const iat = numericClaim(claims, 'iat');
  if (iat !== null && 1000 * iat > now + o.allowableClockSkewMs) throw new OAuthValidationError('The Issued At value was after the indicated time plus allowable clock skew');
  const exp = numericClaim(claims, 'exp');
  if (exp === null) throw new OAuthValidationError('Required claim missing: exp');
  if (now - o.allowableClockSkewMs >= 1000 * exp) throw new OAuthValidationError('The indicated time minus allowable clock skew was on or after the Expiration Time value');
  if (iat !== null && exp <= iat) throw new OAuthValidationError('The Expiration Time time was not after the Issued At time');
  const scope = scopeOf(claims[o.scopeClaimName]);
  for (const s of o.requiredScope) {
    if (!scope.includes(s)) throw new OAuthValidationError(`The provided scope was missing a required scope (${s})`, 'insufficient_scope', javaList(o.requiredScope));
  }
  return { principalName: principal, scope, lifetimeMs: Math.round(exp * 1000), startTimeMs: iat === null ? null : Math.round(iat * 1000) };
}
