// The SCRAM messages a server reads and writes (RFC 5802 section 7), matched as Kafka's
// ScramMessages matches them; a message that does not match is a failed authentication.
const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+';
const VALUE = '[\\x01-\\x2B\\x2D-\\x7F]+';
const PRINTABLE = '[\\x21-\\x2B\\x2D-\\x7E]+';
const BASE64 = '(?:[a-zA-Z0-9/+]{4})*(?:[a-zA-Z0-9/+]{3}=|[a-zA-Z0-9/+]{2}==)?';
const RESERVED = `(?:m=${VALUE},)?`;
const EXTENSIONS = `(?:,[A-Za-z]+=${VALUE})*`;

const CLIENT_FIRST = new RegExp(`^n,(?:a=(?<authzid>${SASLNAME}))?,${RESERVED}n=(?<saslname>${SASLNAME}),r=(?<nonce>${PRINTABLE})(?<extensions>${EXTENSIONS})$`);
const CLIENT_FINAL = new RegExp(`^c=(?<channel>${BASE64}),r=(?<nonce>${PRINTABLE})${EXTENSIONS},p=(?<proof>${BASE64})$`);

export class ScramFormatError extends Error {}

export interface ClientFirstMessage {
  saslName: string;
  nonce: string;
  authorizationId: string;
  /** Extensions after the nonce (Kafka knows tokenauth). */
  extensions: Map<string, string>;
  /** client-first-message-bare: what the auth message starts with. */
  bare: string;
}

export function parseClientFirst(bytes: Buffer): ClientFirstMessage {
  const message = bytes.toString('utf8');
  const m = CLIENT_FIRST.exec(message);
  if (!m?.groups) throw new ScramFormatError(`Invalid SCRAM client first message format: ${message}`);
  const extensions = new Map<string, string>();
  for (const kv of (m.groups.extensions ?? '').split(',').filter((s) => s !== '')) {
    const eq = kv.indexOf('=');
    extensions.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const ext = m.groups.extensions ?? '';
  return {
    saslName: m.groups.saslname!,
    nonce: m.groups.nonce!,
    authorizationId: m.groups.authzid ?? '',
    extensions,
    bare: `n=${m.groups.saslname},r=${m.groups.nonce}${ext}`,
  };
}

export interface ClientFinalMessage {
  channelBinding: string;
  nonce: string;
  proof: Buffer;
  /** client-final-message-without-proof, for the auth message. */
  withoutProof: string;
}

export function parseClientFinal(bytes: Buffer): ClientFinalMessage {
  const message = bytes.toString('utf8');
  const m = CLIENT_FINAL.exec(message);
  if (!m?.groups) throw new ScramFormatError(`Invalid SCRAM client final message format: ${message}`);
  return {
    channelBinding: m.groups.channel!,
    nonce: m.groups.nonce!,
    proof: Buffer.from(m.groups.proof!, 'base64'),
    withoutProof: message.slice(0, message.lastIndexOf(',p=')),
  };
}

export function serverFirstMessage(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
}

export function serverFinalMessage(signature: Buffer): string {
  return `v=${signature.toString('base64')}`;
}
