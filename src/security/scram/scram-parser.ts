// `--add-scram MECHANISM=[name=..,password=..]` as Kafka 4.4's kafka-storage format reads it
// (ScramParser): name required; password, or saltedpassword with salt (base64); iterations
// (default 4096, within the mechanism's bounds) and salt (default: a fresh one) optional; values
// may be in double quotes. Each argument becomes one UserScramCredentialRecord; refusals carry
// Kafka's messages.
import { scramCredentialRecord } from '../../metadata/security-image.js';
import { clientKey, randomSalt, saltedPassword, scramMechanismByName, serverKey, storedKey, type ScramMechanismInfo } from './scram-formatter.js';

/** A refusal of an --add-scram argument; its message is the line kafka-storage prints. */
export class ScramArgumentError extends Error {}

const DEFAULT_ITERATIONS = 4096;

/** Java's basic Base64 decoder: the standard alphabet, padding optional, a lone trailing character refused. */
function decodeBase64(s: string): Buffer | null {
  const body = s.replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(body) || body.length % 4 === 1) return null;
  if (body.length !== s.length && s.length % 4 !== 0) return null;
  return Buffer.from(body, 'base64');
}

/** `key=value`, splitting at the first '=', one pair of surrounding double quotes dropped. */
function component(input: string): [string, string] {
  const eq = input.indexOf('=');
  if (eq < 0) throw new ScramArgumentError(`No equals sign found in SCRAM component: ${input}`);
  let value = input.slice(eq + 1);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  return [input.slice(0, eq), value];
}

/** Java's String.split(","): trailing empty parts dropped (all of them when every part is empty, unless there is no comma). */
function splitComma(s: string): string[] {
  const parts = s.split(',');
  if (parts.length === 1) return parts;
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function mechanismAndConfig(raw: string): [ScramMechanismInfo, string] {
  const input = raw.trim();
  const eq = input.indexOf('=');
  if (eq < 0) throw new ScramArgumentError(`Failed to find equals sign in SCRAM argument '${input}'`);
  const name = input.slice(0, eq);
  const config = input.slice(eq + 1);
  const mechanism = scramMechanismByName(name);
  if (!mechanism) throw new ScramArgumentError(`The add-scram mechanism ${name} is not supported.`);
  if (!config.startsWith('[')) throw new ScramArgumentError('Expected configuration string to start with [');
  if (!config.endsWith(']')) throw new ScramArgumentError('Expected configuration string to end with ]');
  return [mechanism, config.slice(1, -1)];
}

/** One --add-scram argument as the UserScramCredentialRecord kafka-storage writes for it. */
export function parseScramArgument(raw: string) {
  const [mechanism, config] = mechanismAndConfig(raw);
  const c = new Map<string, string>();
  for (const part of splitComma(config)) {
    const [k, v] = component(part);
    c.set(k, v);
  }
  const take = (k: string) => {
    const v = c.get(k);
    c.delete(k);
    return v;
  };
  const name = take('name');
  if (name === undefined) throw new ScramArgumentError("You must supply 'name' to add-scram");
  const saltText = take('salt');
  const salt = saltText === undefined ? undefined : decodeBase64(saltText);
  if (salt === null) throw new ScramArgumentError(`Failed to decode given salt: ${saltText}`);
  const iterationsText = take('iterations');
  const iterations = iterationsText === undefined ? DEFAULT_ITERATIONS : parseJavaInt(iterationsText);
  if (iterations === null) throw new ScramArgumentError(`Failed to parse iterations count: ${iterationsText}`);
  const password = take('password');
  const saltedText = take('saltedpassword');
  let salted: Buffer | undefined;
  if (password === undefined) {
    if (saltedText === undefined) throw new ScramArgumentError("You must supply one of 'password' or 'saltedpassword' to add-scram");
    if (salt === undefined) throw new ScramArgumentError("You must supply 'salt' with 'saltedpassword' to add-scram");
    const decoded = decodeBase64(saltedText);
    if (decoded === null) throw new ScramArgumentError(`Failed to decode given saltedPassword: ${saltedText}`);
    salted = decoded;
  }
  if (c.size > 0) throw new ScramArgumentError(`Unknown SCRAM configurations: ${[...c.keys()].sort().join(', ')}`);
  // Kafka names the mechanism by its Java enum constant here (SCRAM_SHA_256).
  const enumName = mechanism.name.replaceAll('-', '_');
  if (iterations < mechanism.minIterations) throw new ScramArgumentError(`The 'iterations' value must be >= ${mechanism.minIterations} for add-scram using ${enumName}`);
  if (iterations > mechanism.maxIterations) throw new ScramArgumentError(`The 'iterations' value must be <= ${mechanism.maxIterations} for add-scram using ${enumName}`);
  const theSalt = salt ?? randomSalt();
  const key = salted ?? saltedPassword(mechanism, password!, theSalt, iterations);
  return scramCredentialRecord(mechanism.type, name, { salt: theSalt, storedKey: storedKey(mechanism, clientKey(mechanism, key)), serverKey: serverKey(mechanism, key), iterations });
}

/** Every --add-scram argument, in order. */
export function parseScramArguments(args: readonly string[]) {
  return args.map(parseScramArgument);
}

/** Integer.parseInt: optional sign, decimal digits, within 32 bits. */
function parseJavaInt(s: string): number | null {
  if (!/^[-+]?\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= -2147483648 && n <= 2147483647 ? n : null;
}
