// Version conditions in emitted code (folded to true/false where the context decides them) and the line helpers that branch on them.
import { intersect, sameRange, type Range } from '../schema.js';

/** A version condition: always, never, or a TS expression over `version`. */
export type Cond = true | false | string;

export function cond(r: Range | null, ctx: Range | null): Cond {
  const i = intersect(r, ctx);
  if (!i || !ctx) return false;
  if (sameRange(i, ctx)) return true;
  const parts: string[] = [];
  if (i.lo > ctx.lo) parts.push(`version >= ${i.lo}`);
  if (i.hi < ctx.hi) parts.push(`version <= ${i.hi}`);
  return parts.join(' && ');
}

export function choose(c: Cond, a: string, b: string): string {
  if (c === true) return a;
  if (c === false) return b;
  return `(${c} ? ${a} : ${b})`;
}

export function ifElse(c: Cond, a: string[], b: string[]): string[] {
  if (c === true) return a;
  if (c === false) return b;
  if (b.length === 0) return [`if (${c}) {`, ...indent(a), '}'];
  return [`if (${c}) {`, ...indent(a), '} else {', ...indent(b), '}'];
}

export function indent(lines: string[], by = 1): string[] {
  const pad = '  '.repeat(by);
  return lines.map((l) => (l === '' ? l : pad + l));
}

export function boolCond(c: Cond): string {
  return c === true ? 'true' : c === false ? 'false' : c;
}
