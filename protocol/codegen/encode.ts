// Emits a struct's write function: mandatory fields in order, then tagged fields that differ from their defaults, merged with unknown ones by tag.
import { intersect } from '../schema.js';
import { boolCond, cond, ifElse, indent, type Cond } from './conditions.js';
import { defaultExpr, nonDefault, nonNullDefault } from './defaults.js';
import { fieldsOf, fullType, type CodecModule, type Field, type StructInfo } from './model.js';

const FIXED_SIZE: Record<string, number> = {
  bool: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, float64: 8, uuid: 16,
};

/** `m.prop` with undefined (and null where null is not allowed) replaced by the default. */
function access(mod: CodecModule, f: Field, nul: Cond, obj = 'm'): string {
  const v = `${obj}.${f.prop}`;
  const nullableAccess = defaultExpr(mod, f) === 'null' ? `${v} ?? null` : `${v} === undefined ? ${defaultExpr(mod, f)} : ${v}`;
  const nonNullAccess = `${v} ?? ${nonNullDefault(mod, f)}`;
  if (nul === true) return nullableAccess;
  if (nul === false) return nonNullAccess;
  return `${nul} ? (${nullableAccess}) : (${nonNullAccess})`;
}

function writeScalar(kind: string, v: string, wv: string, flex: Cond): string[] {
  switch (kind) {
    case 'string':
      return ifElse(flex, [`${wv}.compactString(${v});`], [`${wv}.string(${v});`]);
    case 'bytes':
      return ifElse(flex, [`${wv}.compactBytes(${v});`], [`${wv}.bytes(${v});`]);
    case 'records':
      return [`${wv}.records(${v}, ${boolCond(flex)});`];
    default:
      return [`${wv}.${kind}(${v});`];
  }
}

function writeValue(f: Field, v: string, wv: string, flex: Cond, nul: Cond, tagged: boolean): string[] {
  if (f.kind === 'struct') {
    const call = `write${f.struct}(${wv}, version, ${v});`;
    if (nul === false) return [call];
    const [isNull, notNull] = tagged ? [`${wv}.uvarint(0);`, `${wv}.uvarint(1);`] : [`${wv}.int8(-1);`, `${wv}.int8(1);`];
    return [
      `if (${v} === null) {`,
      `  ${isNull}`,
      '} else {',
      ...indent(ifElse(nul, [notNull], [])),
      `  ${call}`,
      '}',
    ];
  }
  if (f.kind !== 'array') return writeScalar(f.kind, v, wv, flex);
  const loop = (fl: Cond): string[] => {
    const elem = f.elem === 'struct'
      ? [`write${f.struct}(${wv}, version, ${v}[_i]);`]
      : writeScalar(f.elem!, `${v}[_i]`, wv, fl);
    return [`for (let _i = 0; _i < ${v}.length; _i++) ${elem.length === 1 ? elem[0] : `{ ${elem.join(' ')} }`}`];
  };
  const lengthAndLoop = (fl: Cond): string[] => [
    fl ? `${wv}.compactArrayLength(${v}.length);` : `${wv}.arrayLength(${v}.length);`,
    ...loop(fl),
  ];
  // Only string/bytes elements differ between flexible and classic encodings; lift the check out of the loop.
  const elemFlexSensitive = f.elem === 'string' || f.elem === 'bytes';
  const nonNull = typeof flex !== 'string'
    ? lengthAndLoop(flex)
    : elemFlexSensitive
      ? ifElse(flex, lengthAndLoop(true), lengthAndLoop(false))
      : [...ifElse(flex, [`${wv}.compactArrayLength(${v}.length);`], [`${wv}.arrayLength(${v}.length);`]), ...loop(flex)];
  if (nul === false) return nonNull;
  return [
    `if (${v} === null) {`,
    ...indent(ifElse(flex, [`${wv}.compactArrayLength(-1);`], [`${wv}.arrayLength(-1);`])),
    '} else {',
    ...indent(nonNull),
    '}',
  ];
}

export function emitWrite(mod: CodecModule, s: StructInfo): string[] {
  const fields = fieldsOf(mod, s);
  const body: string[] = [];
  for (const f of fields) {
    const mand = cond(f.mandatory, s.ctx);
    if (mand === false) continue;
    const flex = cond(f.flexible, f.mandatory);
    const nul = cond(f.nullable, f.mandatory);
    const inline = f.kind !== 'struct' && f.kind !== 'array' &&
      (typeof flex !== 'string' || (f.kind !== 'string' && f.kind !== 'bytes'));
    const write = inline
      ? writeScalar(f.kind, access(mod, f, nul), 'w', flex)
      : [`const ${f.local} = ${access(mod, f, nul)};`, ...writeValue(f, f.local, 'w', flex, nul, false)];
    if (mand === true && inline) body.push(...write);
    else body.push(...ifElse(mand, write, []));
  }
  const flexCond = cond(mod.flexible, s.ctx);
  if (flexCond !== false) {
    const known = fields
      .filter((f) => cond(f.tagged, intersect(s.ctx, mod.flexible)) !== false)
      .sort((a, b) => a.schema.tag! - b.schema.tag!);
    let section: string[];
    if (known.length === 0) {
      section = ['w.taggedFields(m._tagged);'];
    } else {
      mod.usesWriterValue = true;
      section = ['const _tagged = m._tagged;', 'let _count = _tagged === undefined ? 0 : _tagged.length;'];
      const writes: string[] = [];
      for (const f of known) {
        const tc = cond(f.tagged, intersect(s.ctx, mod.flexible));
        const tag = f.schema.tag!;
        const nd = nonDefault(mod, f, `m.${f.prop}`);
        section.push(`const _w${tag} = ${tc === true ? nd : `${tc} && ${nd}`};`);
        section.push(`if (_w${tag}) _count++;`);
        const v = `_v${tag}`;
        const nul = cond(f.nullable, f.tagged);
        const fixed = FIXED_SIZE[f.kind];
        const inner = [`const ${v} = m.${f.prop} as ${fullType(f)};`];
        if (fixed !== undefined) {
          inner.push(`w.uvarint(${tag});`, `w.uvarint(${fixed});`, ...writeValue(f, v, 'w', true, nul, true));
        } else {
          inner.push(
            `w.uvarint(${tag});`,
            'const _s = new Writer(64);',
            ...writeValue(f, v, '_s', true, nul, true),
            'w.uvarint(_s.length);',
            'w.raw(_s.toBuffer());',
          );
        }
        writes.push(`if (_w${tag}) {`, `  _u = w.rawTaggedFields(_tagged, _u, ${tag});`, ...indent(inner), '}');
      }
      section.push('w.uvarint(_count);', 'let _u = 0;', ...writes, 'w.rawTaggedFields(_tagged, _u, Infinity);');
    }
    body.push(...ifElse(flexCond, section, []));
  }
  return [`function write${s.typeName}(w: Writer, version: number, m: ${s.typeName}): void {`, ...indent(body), '}'];
}
