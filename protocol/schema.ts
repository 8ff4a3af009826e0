// samsa's schema model (see protocol/messages/*.json) and Kafka's version-range arithmetic.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FieldSchema {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  ignorable?: boolean;
  mapKey?: boolean;
  flexibleVersions?: string;
  fields?: FieldSchema[];
}

export interface StructSchema {
  name: string;
  versions?: string;
  fields: FieldSchema[];
}

export interface MessageSchema {
  name: string;
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data' | 'metadata' | 'coordinator-key' | 'coordinator-value';
  listeners?: string[];
  validVersions: string;
  deprecatedVersions?: string;
  flexibleVersions: string;
  latestVersionUnstable?: boolean;
  fields: FieldSchema[];
  commonStructs?: StructSchema[];
}

/** An inclusive version range; `null` is the empty range. */
export interface Range {
  lo: number;
  hi: number;
}

export const MAX_VERSION = 0x7fff;

/** Kafka's version syntax: "none", "N", "N+", "N-M". */
export function parseVersions(spec: string | undefined): Range | null {
  if (spec === undefined || spec === 'none' || spec === '') return null;
  let m = /^(\d+)\+$/.exec(spec);
  if (m) return { lo: Number(m[1]), hi: MAX_VERSION };
  m = /^(\d+)-(\d+)$/.exec(spec);
  if (m) return { lo: Number(m[1]), hi: Number(m[2]) };
  m = /^(\d+)$/.exec(spec);
  if (m) return { lo: Number(m[1]), hi: Number(m[1]) };
  throw new Error(`bad version range ${JSON.stringify(spec)}`);
}

export function intersect(a: Range | null, b: Range | null): Range | null {
  if (!a || !b) return null;
  const lo = Math.max(a.lo, b.lo);
  const hi = Math.min(a.hi, b.hi);
  return lo <= hi ? { lo, hi } : null;
}

export function sameRange(a: Range | null, b: Range | null): boolean {
  return a === b || (!!a && !!b && a.lo === b.lo && a.hi === b.hi);
}

/** a minus b, where b is open-ended or a suffix of a (tagged versions always are). */
export function subtractSuffix(a: Range | null, b: Range | null): Range | null {
  if (!a) return null;
  if (!b) return a;
  if (b.hi < a.hi) throw new Error('tagged versions must be open-ended');
  return b.lo > a.lo ? { lo: a.lo, hi: Math.min(a.hi, b.lo - 1) } : null;
}

export function loadSchemas(dir: string): MessageSchema[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as MessageSchema);
}

export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

export function camelCase(name: string): string {
  return name[0].toLowerCase() + name.slice(1);
}

/** The lowest valid version that is flexible, or -1 when none is. */
export function firstFlexibleVersion(msg: MessageSchema): number {
  const flex = intersect(parseVersions(msg.flexibleVersions), parseVersions(msg.validVersions));
  return flex ? flex.lo : -1;
}
