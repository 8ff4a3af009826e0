// The message schemas (protocol/messages/*.json) as error faults read them: loaded on the first
// error fault of an API, from the package's protocol/ directory, wherever this module runs from
// (src/ under tsx, dist/src/ or the dist/samsa.js bundle).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FieldSchema {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  default?: string | number | boolean;
  fields?: FieldSchema[];
}

export interface MessageSchema {
  name: string;
  apiKey?: number;
  fields: FieldSchema[];
  commonStructs?: { name: string; fields: FieldSchema[] }[];
}

let dir: string | null = null;
const cache = new Map<string, MessageSchema>();

function messagesDir(): string {
  if (dir !== null) return dir;
  let d = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(d, 'protocol', 'messages');
    if (existsSync(path.join(candidate, 'ProduceRequest.json'))) return (dir = candidate);
    d = path.dirname(d);
  }
  throw new Error('protocol/messages (the message schemas) not found beside the package');
}

/** The schema named (e.g. "ProduceResponse"). */
export function messageSchema(name: string): MessageSchema {
  let s = cache.get(name);
  if (s === undefined) {
    s = JSON.parse(readFileSync(path.join(messagesDir(), `${name}.json`), 'utf8')) as MessageSchema;
    cache.set(name, s);
  }
  return s;
}

/** Kafka's version syntax ("none", "N", "N+", "N-M") checked against one version. */
export function inVersions(spec: string | undefined, version: number): boolean {
  if (spec === undefined || spec === 'none' || spec === '') return false;
  const m = /^(\d+)(\+|-(\d+))?$/.exec(spec);
  if (m === null) throw new Error(`bad version range ${JSON.stringify(spec)}`);
  const lo = Number(m[1]);
  if (m[2] === '+') return version >= lo;
  const hi = m[3] !== undefined ? Number(m[3]) : lo;
  return version >= lo && version <= hi;
}

/** The generated codecs' property name of a schema field. */
export function propName(field: { name: string }): string {
  return field.name[0].toLowerCase() + field.name.slice(1);
}

/** The fields of a struct-typed field (inline, or one of the message's common structs). */
export function structFields(msg: MessageSchema, f: FieldSchema): FieldSchema[] | null {
  if (f.fields) return f.fields;
  const type = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
  return msg.commonStructs?.find((s) => s.name === type)?.fields ?? null;
}

const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'uuid', 'bytes', 'records']);

/** True for "[]Struct" (not an array of a primitive). */
export function isStructArray(f: FieldSchema): boolean {
  return f.type.startsWith('[]') && !PRIMITIVES.has(f.type.slice(2));
}

export function isStruct(f: FieldSchema): boolean {
  return !f.type.startsWith('[]') && !PRIMITIVES.has(f.type);
}
