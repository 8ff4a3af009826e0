// Config values checked as Kafka's ConfigDef checks them, with Kafka's messages:
// "Invalid value <v> for configuration <name>: <reason>". The facts (types, bounds, allowed
// values) come from the config table in src/config.ts.
import { brokerConfigDef, topicConfigDef, type ConfigDef } from '../config.js';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const SHORT_MIN = -32768;
const SHORT_MAX = 32767;
const LONG_RANGE = 9223372036854775807n;

/** Java's Double.toString for the values configs use (2 -> "2.0"). */
function javaDouble(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e7 ? v.toFixed(1) : String(v);
}

/** The value parsed the way Kafka parses it, or an error reason. */
function parse(def: ConfigDef, raw: string): { value: number | string | string[] | boolean } | { reason: string } {
  const v = raw.trim();
  switch (def.type) {
    case 'short':
    case 'int':
    case 'long': {
      const kind = def.type.toUpperCase();
      if (!/^[-+]?\d+$/.test(v)) return { reason: `Not a number of type ${kind}` };
      const big = BigInt(v);
      const [lo, hi] = def.type === 'short' ? [SHORT_MIN, SHORT_MAX] : def.type === 'int' ? [INT_MIN, INT_MAX] : [null, null];
      if (lo !== null && (big < BigInt(lo) || big > BigInt(hi!))) return { reason: `Not a number of type ${kind}` };
      if (lo === null && (big > LONG_RANGE || big < -LONG_RANGE - 1n)) return { reason: `Not a number of type ${kind}` };
      return { value: Number(big) };
    }
    case 'double': {
      const n = Number(v);
      if (v === '' || Number.isNaN(n)) return { reason: 'Not a number of type DOUBLE' };
      return { value: n };
    }
    case 'boolean': {
      const l = v.toLowerCase();
      if (l !== 'true' && l !== 'false') return { reason: 'Expected value to be either true or false' };
      return { value: l === 'true' };
    }
    case 'list':
      return { value: v === '' ? [] : v.split(',').map((s) => s.trim()) };
    default:
      return { value: v };
  }
}

function shown(def: ConfigDef, raw: string, parsed: number | string | string[] | boolean): string {
  if (def.type === 'double' && typeof parsed === 'number') return javaDouble(parsed);
  return raw.trim();
}

/** Returns Kafka's message for an invalid value, or null when `raw` is acceptable for `def`. */
export function invalidValueReason(def: ConfigDef, raw: string): string | null {
  const p = parse(def, raw);
  if ('reason' in p) return `Invalid value ${raw} for configuration ${def.name}: ${p.reason}`;
  const prefix = `Invalid value ${shown(def, raw, p.value)} for configuration ${def.name}: `;
  const v = p.value;
  if (def.rule === 'gzip-level' && typeof v === 'number' && v !== -1 && (v < 1 || v > 9)) {
    return `${prefix}Value must be between 1 and 9 or equal to -1`;
  }
  if (def.rule === 'throttled-replicas' && Array.isArray(v)) {
    const ok = (v.length === 1 && v[0] === '*') || v.every((s) => /^\d+:\d+$/.test(s));
    if (!ok) {
      return `Invalid value [${v.join(', ')}] for configuration ${def.name}: ${def.name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`;
    }
  }
  if (typeof v === 'number') {
    if (def.min !== undefined && v < def.min) return `${prefix}Value must be at least ${def.min}`;
    if (def.max !== undefined && v > def.max) return `${prefix}Value must be no more than ${def.max}`;
  }
  if (def.validValues) {
    const values = Array.isArray(v) ? v : [String(v)];
    for (const x of values) {
      if (!def.validValues.includes(x)) return `${prefix}String must be one of: ${def.validValues.join(', ')}`;
    }
  }
  return null;
}

/** For a topic config: null when valid, else the INVALID_CONFIG message Kafka gives. */
export function validateTopicConfig(name: string, value: string): string | null {
  const def = topicConfigDef(name);
  if (!def) return `Unknown topic config name: ${name}`;
  return invalidValueReason(def, value);
}

/** For a broker config: null when valid, else Kafka's message. */
export function validateBrokerConfig(name: string, value: string): string | null {
  const def = brokerConfigDef(name);
  if (!def) return `Unknown broker config name: ${name}`;
  return invalidValueReason(def, value);
}
