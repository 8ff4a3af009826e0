// Emits a struct's read function: mandatory fields in order, then the tagged-field section of flexible versions.
import { intersect } from '../schema.js';
import { choose, cond, ifElse, indent, type Cond } from './conditions.js';
import { defaultExpr } from './defaults.js';
import { decodedType, fieldsOf, type CodecModule, type Field, type StructInfo } from './model.js';

function readScalar(kind: string, flex: Cond, nul: Cond): string {
  switch (kind) {
    case 'string':
      return choose(flex, choose(nul, 'r.compactNullableString()', 'r.compactString()'),
        choose(nul, 'r.nullableString()', 'r.string()'));
    case 'bytes':
    case 'records':
      return choose(flex, choose(nul, 'r.compactNullableBytes()', 'r.compactBytes()'),
        choose(nul, 'r.nullableBytes()', 'r.bytes()'));
    default:
      return `r.${kind}()`;
  }
}

/** An expression reading a non-array field (flex/nul relative to where it runs). */
function readExpr(f: Field, flex: Cond, nul: Cond, tagged: boolean): string {
  if (f.kind !== 'struct') return readScalar(f.kind, flex, nul);
  const call = `read${f.struct}(r, version)`;
  if (nul === false) return call;
  const marker = tagged ? 'r.uvarint() === 0' : 'r.int8() < 0';
  return `${nul === true ? marker : `${nul} && ${marker}`} ? null : ${call}`;
}

/**
 * The fewest bytes one array element takes on the wire, so a count is refused unless that many
 * bytes remain for every element (before anything is allocated for them). A string element is
 * at least its length prefix; a struct at least one byte.
 */
function minElementBytes(elem: string, flex: Cond): string {
  const fixed: Record<string, number> = { int8: 1, bool: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, float64: 8, uuid: 16 };
  if (fixed[elem] !== undefined) return String(fixed[elem]);
  if (elem === 'string') return choose(flex, '1', '2');
  if (elem === 'bytes') return choose(flex, '1', '4');
  return '1';
}

/** Statements that read the field's value into `target`. */
function readInto(s: StructInfo, f: Field, target: string, flex: Cond, nul: Cond, tagged: boolean): string[] {
  if (f.kind !== 'array') return [`${target} = ${readExpr(f, flex, nul, tagged)};`];
  const elemType = f.elem === 'struct' ? f.struct! : f.tsType.slice(0, -2);
  const elemRead = f.elem === 'struct' ? `read${f.struct}(r, version)` : readScalar(f.elem!, flex, false);
  const onNull = nul === true
    ? [`${target} = null;`]
    : nul === false
      ? [`throw r.nullError('${s.typeName}.${f.prop}');`]
      : [`if (${nul}) ${target} = null;`, `else throw r.nullError('${s.typeName}.${f.prop}');`];
  return [
    '{',
    `  const _n = ${arrayLength(f.elem!, flex)};`,
    '  if (_n < 0) {',
    ...indent(onNull, 2),
    '  } else {',
    `    const _a: ${elemType}[] = [];`,
    `    for (let _i = 0; _i < _n; _i++) _a.push(${elemRead});`,
    `    ${target} = _a;`,
    '  }',
    '}',
  ];
}

function arrayLength(elem: string, flex: Cond): string {
  const min = (f: Cond) => {
    const m = minElementBytes(elem, f);
    return m === '1' ? '' : m;
  };
  return choose(flex, `r.compactArrayLength(${min(true)})`, `r.arrayLength(${min(false)})`);
}

export function emitRead(mod: CodecModule, s: StructInfo): string[] {
  const fields = fieldsOf(mod, s);
  const body: string[] = [];
  for (const f of fields) {
    const type = decodedType(f);
    const mand = cond(f.mandatory, s.ctx);
    const flex = cond(f.flexible, f.mandatory);
    const nul = cond(f.nullable, f.mandatory);
    const isTagged = f.tagged !== null;
    if (mand === false) {
      body.push(`${isTagged ? 'let' : 'const'} ${f.local}: ${type} = ${defaultExpr(mod, f)};`);
      continue;
    }
    if (f.kind !== 'array') {
      const expr = choose(mand, readExpr(f, flex, nul, false), defaultExpr(mod, f));
      body.push(`${isTagged ? 'let' : 'const'} ${f.local}: ${type} = ${expr};`);
    } else {
      body.push(`let ${f.local}: ${type};`);
      body.push(...ifElse(mand, readInto(s, f, f.local, flex, nul, false), [`${f.local} = ${defaultExpr(mod, f)};`]));
    }
  }
  const flexCond = cond(mod.flexible, s.ctx);
  const hasTagged = flexCond !== false;
  if (hasTagged) {
    body.push('let _tagged: TaggedField[] | undefined;');
    const known = fields
      .filter((f) => cond(f.tagged, intersect(s.ctx, mod.flexible)) !== false)
      .sort((a, b) => a.schema.tag! - b.schema.tag!);
    let section: string[];
    if (known.length === 0) {
      section = ['_tagged = r.taggedFields();'];
    } else {
      const branches: string[] = [];
      for (const f of known) {
        const tc = cond(f.tagged, intersect(s.ctx, mod.flexible));
        const test = tc === true ? `_tag === ${f.schema.tag}` : `_tag === ${f.schema.tag} && ${tc}`;
        branches.push(`${branches.length === 0 ? 'if' : '} else if'} (${test}) {`);
        branches.push('  const _end = r.taggedFieldEnd(_size);');
        branches.push(...indent(readInto(s, f, f.local, true, cond(f.nullable, f.tagged), true)));
        branches.push(`  r.finishTaggedField(_end, _tag);`);
      }
      branches.push('} else {', '  _tagged = r.unknownTaggedField(_tagged, _tag, _size);', '}');
      section = [
        'const _count = r.uvarint();',
        'for (let _t = 0; _t < _count; _t++) {',
        '  const _tag = r.uvarint();',
        '  const _size = r.uvarint();',
        ...indent(branches),
        '}',
      ];
    }
    body.push(...ifElse(flexCond, section, []));
  }
  body.push(`const m: ${s.typeName} = {`);
  for (const f of fields) body.push(`  ${f.prop}: ${f.local},`);
  body.push('};');
  if (hasTagged) body.push('if (_tagged !== undefined) m._tagged = _tagged;');
  body.push('return m;');
  return [`function read${s.typeName}(r: Reader, version: number): ${s.typeName} {`, ...indent(body), '}'];
}
