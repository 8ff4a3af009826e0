// SASL/PLAIN (RFC 4616) as Kafka's PlainSaslServer: one message "authzid\0username\0password",
// users and passwords from the listener's JAAS config (user_<name>="<password>"), Kafka's messages.
import { timingSafeEqual } from 'node:crypto';
import { SaslAuthenticationError, type SaslClient, type SaslListenerContext, type SaslMechanism, type SaslServer } from './mechanism.js';

export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';

function plainOptions(listener: SaslListenerContext): Map<string, string> {
  const module = listener.jaas?.find((m) => m.loginModule === PLAIN_LOGIN_MODULE) ?? listener.jaas?.[0];
  if (!module) {
    throw new Error(`listener ${listener.listenerName}: SASL mechanism PLAIN needs a JAAS config (listener.name.${listener.listenerName.toLowerCase()}.plain.sasl.jaas.config)`);
  }
  return module.options;
}

class PlainServer implements SaslServer {
  complete = false;
  private authorized = '';

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  evaluate(token: Buffer): Buffer {
    const tokens = extractTokens(token.toString('utf8'));
    const [authzid, username, password] = tokens;
    if (username === '') throw new SaslAuthenticationError('Authentication failed: username not specified');
    if (password === '') throw new SaslAuthenticationError('Authentication failed: password not specified');
    const expected = this.users.get(username);
    if (expected === undefined || !sameSecret(expected, password)) throw new SaslAuthenticationError('Authentication failed: Invalid username or password');
    if (authzid !== '' && authzid !== username) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    }
    this.authorized = username;
    this.complete = true;
    return Buffer.alloc(0);
  }

  authorizationId(): string {
    if (!this.complete) throw new Error('Authentication exchange has not completed');
    return this.authorized;
  }
}

/** Up to four NUL-separated tokens, as Kafka splits them; exactly three are valid. */
function extractTokens(s: string): string[] {
  const tokens: string[] = [];
  let start = 0;
  for (let i = 0; i < 4; i++) {
    const end = s.indexOf('\u0000', start);
    if (end < 0) {
      tokens.push(s.slice(start));
      break;
    }
    tokens.push(s.slice(start, end));
    start = end + 1;
  }
  if (tokens.length !== 3) throw new SaslAuthenticationError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${tokens.length}`);
  return tokens;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export const PLAIN: SaslMechanism = {
  name: 'PLAIN',
  server(listener) {
    const users = new Map<string, string>();
    for (const [k, v] of plainOptions(listener)) if (k.startsWith('user_')) users.set(k.slice(5), v);
    return () => new PlainServer(users);
  },
  client(listener) {
    const options = plainOptions(listener);
    const username = options.get('username');
    const password = options.get('password');
    if (username === undefined || password === undefined) {
      throw new Error(`listener ${listener.listenerName}: the PLAIN JAAS config needs username and password for the broker's own connections`);
    }
    return (): SaslClient => ({
      initial: () => Buffer.from(`\u0000${username}\u0000${password}`, 'utf8'),
      evaluate: () => null,
    });
  },
};
