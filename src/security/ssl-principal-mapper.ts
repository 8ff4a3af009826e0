// Kafka's ssl.principal.mapping.rules: a comma-separated list of `DEFAULT` (the DN as is) and
// `RULE:pattern/replacement/[LU]` (the DN, if the pattern matches all of it, rewritten and
// optionally lower- or upper-cased); the first rule that applies names the principal. Also the
// client certificate's subject as Java's X500Principal.getName() prints it (RFC 2253).

const RULE = String.raw`(DEFAULT)|RULE:((\\.|[^\\/])*)/((\\.|[^\\/])*)/([LU]?).*?|(.*?)`;

interface Rule {
  isDefault: boolean;
  pattern?: RegExp;
  whole?: RegExp;
  replacement?: string;
  lower?: boolean;
  upper?: boolean;
}

export class SslPrincipalMapper {
  private readonly rules: Rule[];

  constructor(rules: string | null) {
    this.rules = splitRules(rules ?? 'DEFAULT').map(parseRule);
  }

  /** The principal name of a DN; throws when no rule applies (Kafka then fails the handshake). */
  name(distinguishedName: string): string {
    for (const r of this.rules) {
      const out = apply(r, distinguishedName);
      if (out !== null) return out;
    }
    throw new Error(`No rules apply to ${distinguishedName}, rules ${this.rules.length}`);
  }
}

function splitRules(text: string): string[] {
  const splitter = new RegExp(String.raw`\s*(${RULE})\s*(,\s*|$)`, 'g');
  const out: string[] = [];
  const s = text.trim();
  let m: RegExpExecArray | null;
  while ((m = splitter.exec(s)) !== null) {
    out.push(m[1]);
    if (m.index + m[0].length >= s.length) break;
    if (m[0].length === 0) splitter.lastIndex++;
  }
  return out;
}

function parseRule(rule: string): Rule {
  const m = new RegExp(`^(?:${RULE})`).exec(rule);
  if (!m) throw new Error(`Invalid rule: ${rule}`);
  if (m[0].length !== rule.length) throw new Error(`Invalid rule: \`${rule}\`, unmatched substring: \`${rule.slice(m[0].length)}\``);
  if (m[1] !== undefined) return { isDefault: true };
  if (m[2] !== undefined) {
    return { isDefault: false, pattern: new RegExp(m[2], 'g'), whole: new RegExp(`^(?:${m[2]})$`), replacement: m[4], lower: m[6] === 'L', upper: m[6] === 'U' };
  }
  // Kafka's parser accepts any other text as a rule that never applies.
  return { isDefault: false };
}

function apply(r: Rule, dn: string): string | null {
  if (r.isDefault) return dn;
  if (!r.whole || !r.whole.test(dn)) return null;
  r.pattern!.lastIndex = 0;
  const out = dn.replace(r.pattern!, r.replacement ?? '');
  return r.lower ? out.toLowerCase() : r.upper ? out.toUpperCase() : out;
}

/** Attribute names Java's RFC 2253 form keeps as keywords; others print as OID=#hex. */
const KEYWORDS = new Set(['CN', 'C', 'L', 'ST', 'O', 'OU', 'STREET', 'DC', 'UID']);
const OIDS: Record<string, string> = { emailAddress: '1.2.840.113549.1.9.1' };

/**
 * A certificate subject as Node prints it (one `key=value` per line, most significant first) in
 * RFC 2253 form as Java prints it: least significant first, comma-separated, specials escaped.
 */
export function rfc2253(subject: string): string {
  const parts = subject.split('\n').filter((l) => l !== '').map((line) => {
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (KEYWORDS.has(key)) return `${key}=${escapeValue(value)}`;
    const oid = OIDS[key];
    // Java prints unknown attributes as their OID and the DER of an IA5String value.
    if (oid) return `${oid}=#16${Buffer.from([value.length]).toString('hex')}${Buffer.from(value, 'latin1').toString('hex')}`;
    return `${key}=${escapeValue(value)}`;
  });
  return parts.reverse().join(',');
}

function escapeValue(v: string): string {
  let out = v.replace(/[,+"\\<>;]/g, (c) => `\\${c}`);
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}
