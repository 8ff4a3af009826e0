// Java's .properties syntax (java.util.Properties.load), as kafka-server-start reads server.properties:
// comments (# or !), key/value separated by '=', ':' or whitespace, backslash escapes (\t \n \r \f
// \uXXXX, any other char as itself) and lines continued by an odd number of trailing backslashes.
import { readFileSync } from 'node:fs';

export class PropertiesSyntaxError extends Error {}

const WHITESPACE = new Set([' ', '\t', '\f']);

/** The logical lines of a properties text: comments and blanks gone, continuations joined. */
function logicalLines(text: string): string[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  let current: string | null = null;
  for (const raw of natural) {
    // A continuation line's leading whitespace is dropped; a fresh line's too.
    let i = 0;
    while (i < raw.length && WHITESPACE.has(raw[i])) i++;
    const line = raw.slice(i);
    if (current === null && (line === '' || line[0] === '#' || line[0] === '!')) continue;
    let backslashes = 0;
    for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) backslashes++;
    const continued = backslashes % 2 === 1;
    const body = continued ? line.slice(0, -1) : line;
    current = (current ?? '') + body;
    if (!continued) {
      out.push(current);
      current = null;
    }
  }
  // A last line ending in a backslash at end of input keeps what it has, as Java does.
  if (current !== null) out.push(current);
  return out;
}

function unescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) break;
    if (n === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PropertiesSyntaxError('Malformed \\uxxxx encoding.');
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else out += n === 't' ? '\t' : n === 'n' ? '\n' : n === 'r' ? '\r' : n === 'f' ? '\f' : n;
  }
  return out;
}

/** Splits a logical line into raw key and raw value at the first unescaped separator. */
function splitKeyValue(line: string): [string, string] {
  let keyEnd = line.length;
  let hasSep = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '=' || c === ':') {
      keyEnd = i;
      hasSep = true;
      break;
    }
    if (WHITESPACE.has(c)) {
      keyEnd = i;
      break;
    }
  }
  let v = keyEnd;
  // Whitespace, then at most one '=' or ':' (unless one already ended the key), then whitespace.
  if (hasSep) v++;
  else {
    while (v < line.length && WHITESPACE.has(line[v])) v++;
    if (v < line.length && (line[v] === '=' || line[v] === ':')) v++;
  }
  while (v < line.length && WHITESPACE.has(line[v])) v++;
  return [line.slice(0, keyEnd), line.slice(v)];
}

/** Parses properties text; a key given twice keeps its last value, as Java's Properties does. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const [k, v] = splitKeyValue(line);
    out.set(unescape(k), unescape(v));
  }
  return out;
}

/**
 * Reads a properties file as Kafka does (Properties.load of a byte stream: ISO-8859-1, so
 * other characters are written as \uXXXX escapes).
 */
export function readPropertiesFile(file: string): Map<string, string> {
  return parseProperties(readFileSync(file, 'latin1'));
}
