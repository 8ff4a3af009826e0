// Emits the exported interface of a message or struct: one type for all versions, fields absent in some versions optional.
import { fieldsOf, fullType, type CodecModule, type StructInfo } from './model.js';

export function emitInterface(mod: CodecModule, s: StructInfo): string[] {
  const lines = [`export interface ${s.typeName} {`];
  for (const f of fieldsOf(mod, s)) lines.push(`  ${f.prop}${f.optional ? '?' : ''}: ${fullType(f)};`);
  if (mod.flexible) lines.push('  _tagged?: TaggedField[];');
  lines.push('}');
  return lines;
}
