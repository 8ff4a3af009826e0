// Field defaults in emitted code: the value a decoder fills in for an absent field, and the checks that skip default tagged fields.
import { fieldsOf, type CodecModule, type Field, type StructInfo } from './model.js';

const ZERO_UUID = "'AAAAAAAAAAAAAAAAAAAAAA'";

function parseIntDefault(d: string | number | boolean | undefined): number {
  if (d === undefined) return 0;
  if (typeof d === 'number') return d;
  const s = String(d).trim();
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0[0-7]+$/.test(body)) v = parseInt(body, 8);
  else if (/^\d+(\.\d+)?$/.test(body)) v = Number(body);
  else throw new Error(`bad numeric default ${JSON.stringify(d)}`);
  return neg ? -v : v;
}

/** The value a decoder fills in when the field is absent. */
export function defaultExpr(mod: CodecModule, f: Field): string {
  return f.defaultIsNull ? 'null' : nonNullDefault(mod, f);
}

/** The default when null is not allowed (the type's zero value, or the schema's non-null default). */
export function nonNullDefault(mod: CodecModule, f: Field): string {
  const d = f.schema.default;
  switch (f.kind) {
    case 'bool':
      return d === true || d === 'true' ? 'true' : 'false';
    case 'string':
      return d === undefined || d === 'null' ? "''" : `'${String(d).replace(/['\\]/g, '\\$&')}'`;
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
    case 'records':
      mod.usesEmpty = true;
      return 'EMPTY';
    case 'array':
      return '[]';
    case 'struct':
      mod.needDefault.add(f.struct!);
      return `default${f.struct}()`;
    default:
      return String(parseIntDefault(d));
  }
}

/** True when a tagged field's value differs from its default (so it must be written). */
export function nonDefault(mod: CodecModule, f: Field, v: string): string {
  if (f.defaultIsNull && f.isNullable) return `${v} != null`;
  let ne: string;
  switch (f.kind) {
    case 'bytes':
    case 'records':
    case 'array':
      ne = `${v}.length !== 0`;
      break;
    case 'struct':
      mod.needIsDefault.add(f.struct!);
      ne = `!isDefault${f.struct}(${v})`;
      break;
    default:
      ne = `${v} !== ${nonNullDefault(mod, f)}`;
  }
  return f.isNullable ? `(${v} !== undefined && (${v} === null || ${ne}))` : `(${v} != null && ${ne})`;
}

export function emitDefault(mod: CodecModule, s: StructInfo): string[] {
  const lines = [`function default${s.typeName}(): ${s.typeName} {`, '  return {'];
  for (const f of fieldsOf(mod, s)) lines.push(`    ${f.prop}: ${defaultExpr(mod, f)},`);
  lines.push('  };', '}');
  return lines;
}

export function emitIsDefault(mod: CodecModule, s: StructInfo): string[] {
  const lines = [`function isDefault${s.typeName}(m: ${s.typeName}): boolean {`];
  for (const f of fieldsOf(mod, s)) lines.push(`  if (${nonDefault(mod, f, `m.${f.prop}`)}) return false;`);
  lines.push('  return m._tagged === undefined || m._tagged.length === 0;', '}');
  return lines;
}
