// The client side of SCRAM (the broker's own inter-broker and controller connections, and tests):
// client-first with a fresh nonce (tokenauth=true for a delegation token), the proof from the
// server-first's salt and iterations, and the server's signature checked in server-final.
import { timingSafeEqual } from 'node:crypto';
import type { SaslClient } from '../sasl/mechanism.js';
import { clientKey, hmac, saltedPassword, saslName, secureRandomString, serverKey, storedKey, xor, type ScramMechanismInfo } from './scram-formatter.js';

const SERVER_FIRST = /^(?:m=[^,]+,)?r=(?<nonce>[^,]+),s=(?<salt>[A-Za-z0-9/+=]+),i=(?<iterations>[0-9]+)(?:,.*)?$/;

export class ScramClient implements SaslClient {
  private clientFirstBare = '';
  private expectedSignature: Buffer | null = null;

  constructor(
    private readonly mechanism: ScramMechanismInfo,
    private readonly username: string,
    private readonly password: string,
    private readonly tokenAuth = false,
    private readonly nonce: string = secureRandomString(),
  ) {}

  initial(): Buffer {
    this.clientFirstBare = `n=${saslName(this.username)},r=${this.nonce}${this.tokenAuth ? ',tokenauth=true' : ''}`;
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  evaluate(challenge: Buffer): Buffer | null {
    const text = challenge.toString('utf8');
    if (this.expectedSignature === null) {
      const m = SERVER_FIRST.exec(text);
      if (!m?.groups) throw new Error(`Invalid SCRAM server first message format: ${text}`);
      const serverNonce = m.groups.nonce!;
      if (!serverNonce.startsWith(this.nonce)) throw new Error('Invalid server nonce: does not start with client nonce');
      const iterations = Number(m.groups.iterations);
      if (iterations < this.mechanism.minIterations) throw new Error(`Requested iterations ${iterations} is less than the minimum ${this.mechanism.minIterations} for ${this.mechanism.name}`);
      const salted = saltedPassword(this.mechanism, this.password, Buffer.from(m.groups.salt!, 'base64'), iterations);
      const withoutProof = `c=biws,r=${serverNonce}`;
      const authMessage = `${this.clientFirstBare},${text},${withoutProof}`;
      const ck = clientKey(this.mechanism, salted);
      const proof = xor(ck, hmac(this.mechanism, storedKey(this.mechanism, ck), authMessage));
      this.expectedSignature = hmac(this.mechanism, serverKey(this.mechanism, salted), authMessage);
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
    }
    const error = /^e=([^,]+)/.exec(text);
    if (error) throw new Error(`Sasl authentication using ${this.mechanism.name} failed with error: ${error[1]}`);
    const v = /^v=([A-Za-z0-9/+=]+)/.exec(text);
    const signature = v ? Buffer.from(v[1]!, 'base64') : Buffer.alloc(0);
    if (signature.length !== this.expectedSignature.length || !timingSafeEqual(signature, this.expectedSignature)) throw new Error('Invalid server signature in server final message');
    return null;
  }
}
