// Imports Kafka's message and metadata-record definitions into samsa's own schemas, keeping facts only
// (layouts, versions, defaults) and dropping Kafka's prose. Run by developers: node --import tsx protocol/import-kafka.ts
import { readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reference = resolve(repoRoot, '../shared/kafka-reference');

const MESSAGE_KEYS = ['name', 'apiKey', 'type', 'listeners', 'validVersions', 'deprecatedVersions', 'flexibleVersions',
  'latestVersionUnstable'] as const;
const FIELD_KEYS = ['name', 'type', 'versions', 'nullableVersions', 'taggedVersions', 'tag', 'default', 'ignorable',
  'mapKey', 'flexibleVersions'] as const;

type Json = Record<string, unknown>;

/** Kafka's JSON allows `//` comments; strip them without touching `//` inside strings. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

function pick(src: Json, keys: readonly string[]): Json {
  const out: Json = {};
  for (const k of keys) if (k in src) out[k] = src[k];
  return out;
}

function field(src: Json): Json {
  const out = pick(src, FIELD_KEYS);
  // A few of Kafka's files spell the tag as a string ("0"); it is a number.
  if (out.tag !== undefined) out.tag = Number(out.tag);
  if (Array.isArray(src.fields)) out.fields = (src.fields as Json[]).map(field);
  return out;
}

function message(src: Json): Json {
  const out = pick(src, MESSAGE_KEYS);
  out.fields = ((src.fields ?? []) as Json[]).map(field);
  if (Array.isArray(src.commonStructs)) {
    out.commonStructs = (src.commonStructs as Json[]).map((s) => ({
      ...pick(s, ['name', 'versions']),
      fields: ((s.fields ?? []) as Json[]).map(field),
    }));
  }
  return out;
}

function importDir(from: string, to: string): number {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  let n = 0;
  for (const file of readdirSync(from).filter((f) => f.endsWith('.json')).sort()) {
    const src = JSON.parse(stripComments(readFileSync(join(from, file), 'utf8'))) as Json;
    const out = message(src);
    writeFileSync(join(to, `${out.name as string}.json`), JSON.stringify(out, null, 2) + '\n');
    n++;
  }
  return n;
}

function importErrorCodes(): number {
  const rows = readFileSync(join(reference, 'error-codes.tsv'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t'))
    .filter((cols) => /^-?\d+$/.test(cols[0]))
    .map(([code, name, message]) => ({ code: Number(code), name, message: message ?? '' }));
  writeFileSync(join(repoRoot, 'protocol/error-codes.json'), JSON.stringify(rows, null, 2) + '\n');
  return rows.length;
}

const messages = importDir(join(reference, 'message'), join(repoRoot, 'protocol/messages'));
const records = importDir(join(reference, 'metadata'), join(repoRoot, 'protocol/metadata'));
const coordinator = importDir(join(reference, 'coordinator'), join(repoRoot, 'protocol/coordinator'));
const codes = importErrorCodes();
console.log(`imported ${messages} messages, ${records} metadata records, ${coordinator} coordinator records, ${codes} error codes`);
