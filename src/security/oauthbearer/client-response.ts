// The OAUTHBEARER client's initial response (RFC 7628 section 3.1) as Kafka's
// OAuthBearerClientInitialResponse reads it: "n,[a=<authzid>],^Aauth=Bearer <token>^A[key=value^A]*^A".
const SEPARATOR = '\u0001';
const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+';
const KVPAIRS = `(?:[A-Za-z]+=[\\x21-\\x7E \\t\\r\\n]+${SEPARATOR})*`;
const RESPONSE = new RegExp(`^n,(?:a=(?<authzid>${SASLNAME}))?,${SEPARATOR}(?<kvpairs>${KVPAIRS})${SEPARATOR}$`);
const AUTH = /^(?<scheme>\w+) +(?<token>[-_.a-zA-Z0-9]+)$/;

export interface ClientInitialResponse {
  tokenValue: string;
  authorizationId: string;
  /** SASL extensions: every key=value pair but auth. */
  extensions: Map<string, string>;
}

export function parseClientInitialResponse(bytes: Buffer): ClientInitialResponse {
  const m = RESPONSE.exec(bytes.toString('utf8'));
  if (!m?.groups) throw new Error('Invalid OAUTHBEARER client first message');
  const pairs = new Map<string, string>();
  for (const kv of m.groups.kvpairs!.split(SEPARATOR).filter((s) => s !== '')) {
    const eq = kv.indexOf('=');
    pairs.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const auth = pairs.get('auth');
  if (auth === undefined) throw new Error("Invalid OAUTHBEARER client first message: 'auth' not specified");
  pairs.delete('auth');
  const a = AUTH.exec(auth);
  if (!a?.groups) throw new Error('Invalid OAUTHBEARER client first message: invalid \'auth\' format');
  if (a.groups.scheme!.toLowerCase() !== 'bearer') throw new Error(`Invalid scheme in OAUTHBEARER client first message: ${a.groups.scheme}`);
  const authzid = (m.groups.authzid ?? '').replace(/=2C/g, ',').replace(/=3D/g, '=');
  return { tokenValue: a.groups.token!, authorizationId: authzid, extensions: pairs };
}
