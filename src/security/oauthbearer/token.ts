// What a validated OAUTHBEARER token tells the broker (Kafka's OAuthBearerToken), and validation
// failures as the error status, scope and OpenID configuration Kafka's server puts in its JSON answer.

export interface OAuthBearerToken {
  principalName: string;
  scope: string[];
  /** exp in ms: the session may not outlive it (KIP-368). */
  lifetimeMs: number;
  startTimeMs: number | null;
}

export class OAuthValidationError extends Error {
  constructor(
    description: string,
    readonly status: 'invalid_token' | 'insufficient_scope' = 'invalid_token',
    readonly scope: string | null = null,
  ) {
    super(description);
  }
}

/** Kafka's jsonErrorResponse: {"status":"<status>"[, "scope":"<scope>"][, "openid-configuration":"<url>"]}. */
export function jsonErrorResponse(status: string, scope: string | null, openIdConfiguration: string | null = null): string {
  let s = `{"status":"${status}"`;
  if (scope !== null) s += `, "scope":"${scope}"`;
  if (openIdConfiguration !== null) s += `, "openid-configuration":"${openIdConfiguration}"`;
  return `${s}}`;
}

export function decodeJwtPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new OAuthValidationError(`Invalid JWT ${what}: not base64url-encoded JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OAuthValidationError(`Invalid JWT ${what}: not a JSON object`);
  return value as Record<string, unknown>;
}

/** A scope claim: a space-delimited string or a list of strings. */
export function scopeOf(claim: unknown): string[] {
  if (claim === undefined || claim === null) return [];
  if (typeof claim === 'string') return claim.split(' ').filter((s) => s !== '');
  if (Array.isArray(claim) && claim.every((s) => typeof s === 'string')) return claim as string[];
  throw new OAuthValidationError('The scope claim had the incorrect type');
}

/** Java's List.toString, as Kafka prints the required scope in its answer. */
export const javaList = (xs: readonly string[]) => `[${xs.join(', ')}]`;
