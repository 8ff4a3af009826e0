// Emits one TypeScript codec module per message schema: straight-line code with per-version branches.
import {
  camelCase,
  firstFlexibleVersion,
  intersect,
  parseVersions,
  sameRange,
  subtractSuffix,
  type FieldSchema,
  type MessageSchema,
  type Range,
} from './schema.js';

/** A version condition: always, never, or a TS expression over `version`. */
type Cond = true | false | string;

const PRIMITIVES = new Set([
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid',
]);
const NUMERIC = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64']);
const FIXED_SIZE: Record<string, number> = {
  bool: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, float64: 8, uuid: 16,
};
const ZERO_UUID = "'AAAAAAAAAAAAAAAAAAAAAA'";

interface StructInfo {
  name: string;
  typeName: string;
  fields: FieldSchema[];
  /** Versions in which this struct is ever read or written. */
  ctx: Range | null;
}

interface Field {
  schema: FieldSchema;
  prop: string;
  local: string;
  /** A primitive type name, 'struct' or 'array'. */
  kind: string;
  /** For arrays: element primitive type or 'struct'. */
  elem?: string;
  /** TS type name of the struct (struct fields and struct arrays). */
  struct?: string;
  present: Range | null;
  mandatory: Range | null;
  tagged: Range | null;
  nullable: Range | null;
  flexible: Range | null;
  tsType: string;
  isNullable: boolean;
  optional: boolean;
  defaultIsNull: boolean;
}

function cond(r: Range | null, ctx: Range | null): Cond {
  const i = intersect(r, ctx);
  if (!i || !ctx) return false;
  if (sameRange(i, ctx)) return true;
  const parts: string[] = [];
  if (i.lo > ctx.lo) parts.push(`version >= ${i.lo}`);
  if (i.hi < ctx.hi) parts.push(`version <= ${i.hi}`);
  return parts.join(' && ');
}

function choose(c: Cond, a: string, b: string): string {
  if (c === true) return a;
  if (c === false) return b;
  return `(${c} ? ${a} : ${b})`;
}

function ifElse(c: Cond, a: string[], b: string[]): string[] {
  if (c === true) return a;
  if (c === false) return b;
  if (b.length === 0) return [`if (${c}) {`, ...indent(a), '}'];
  return [`if (${c}) {`, ...indent(a), '} else {', ...indent(b), '}'];
}

function indent(lines: string[], by = 1): string[] {
  const pad = '  '.repeat(by);
  return lines.map((l) => (l === '' ? l : pad + l));
}

function boolCond(c: Cond): string {
  return c === true ? 'true' : c === false ? 'false' : c;
}

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

export class MessageGenerator {
  private readonly structs = new Map<string, StructInfo>();
  private readonly order: StructInfo[] = [];
  private readonly valid: Range;
  private readonly flexible: Range | null;
  private readonly needDefault = new Set<string>();
  private readonly needIsDefault = new Set<string>();
  private usesEmpty = false;
  private usesWriterValue = false;

  constructor(private readonly msg: MessageSchema, private readonly sourcePath: string) {
    const valid = parseVersions(msg.validVersions);
    if (!valid) throw new Error(`${msg.name}: no valid versions`);
    this.valid = valid;
    this.flexible = parseVersions(msg.flexibleVersions);
    this.register(msg.name, msg.name, msg.fields, valid);
    for (const cs of msg.commonStructs ?? []) this.register(cs.name, msg.name + cs.name, cs.fields, valid);
    for (const s of [...this.order]) this.collectStructs(s);
  }

  private register(name: string, typeName: string, fields: FieldSchema[], ctx: Range | null): StructInfo {
    if (this.structs.has(name)) throw new Error(`${this.msg.name}: struct ${name} defined twice`);
    const info: StructInfo = { name, typeName, fields, ctx };
    this.structs.set(name, info);
    this.order.push(info);
    return info;
  }

  private collectStructs(s: StructInfo): void {
    for (const f of s.fields) {
      if (!f.fields) continue;
      const name = f.type.startsWith('[]') ? f.type.slice(2) : f.type;
      const inner = this.register(name, this.msg.name + name, f.fields, intersect(parseVersions(f.versions), s.ctx));
      this.collectStructs(inner);
    }
  }

  private field(s: StructInfo, f: FieldSchema): Field {
    const isArray = f.type.startsWith('[]');
    const base = isArray ? f.type.slice(2) : f.type;
    let kind: string;
    let elem: string | undefined;
    let struct: string | undefined;
    if (PRIMITIVES.has(base)) {
      kind = isArray ? 'array' : base;
      elem = isArray ? base : undefined;
      if (isArray && base === 'records') throw new Error(`${this.msg.name}.${f.name}: arrays of records`);
    } else {
      const info = this.structs.get(base);
      if (!info) throw new Error(`${this.msg.name}.${f.name}: unknown struct ${base}`);
      struct = info.typeName;
      kind = isArray ? 'array' : 'struct';
      elem = isArray ? 'struct' : undefined;
    }
    const present = intersect(parseVersions(f.versions), s.ctx);
    const tagged = f.tag !== undefined ? intersect(parseVersions(f.taggedVersions), present) : null;
    if (tagged && kind === 'records') throw new Error(`${this.msg.name}.${f.name}: tagged records`);
    const nullable = intersect(parseVersions(f.nullableVersions), present);
    const flexible = f.flexibleVersions !== undefined ? parseVersions(f.flexibleVersions) : this.flexible;
    const elemTs = (t: string): string =>
      t === 'struct' ? struct! : NUMERIC.has(t) ? 'number' : t === 'bool' ? 'boolean' : t === 'string' || t === 'uuid' ? 'string' : 'Buffer';
    let tsType: string;
    if (kind === 'array') tsType = `${elemTs(elem!)}[]`;
    else if (kind === 'struct') tsType = struct!;
    // The broker decodes requests (records arrive as one Buffer) and encodes responses, where records
    // may be several chunks read from the log; the codecs accept both either way.
    else if (kind === 'records') tsType = this.msg.type === 'response' ? 'Buffer | Buffer[]' : 'Buffer';
    else tsType = elemTs(kind);
    const prop = camelCase(f.name);
    const isNullable = nullable !== null;
    return {
      schema: f,
      prop,
      // Locals are $-prefixed so a field can never shadow r, w, m or version.
      local: `$${prop}`,
      kind,
      elem,
      struct,
      present,
      mandatory: subtractSuffix(present, tagged),
      tagged,
      nullable,
      flexible,
      tsType,
      isNullable,
      optional: tagged !== null || !sameRange(present, s.ctx),
      // Records default to null (as in Kafka); others only when the schema says so.
      defaultIsNull: isNullable && (f.default === 'null' || kind === 'records'),
    };
  }

  private fields(s: StructInfo): Field[] {
    return s.fields.map((f) => this.field(s, f));
  }

  /** The value a decoder fills in when the field is absent. */
  private defaultExpr(f: Field): string {
    return f.defaultIsNull ? 'null' : this.nonNullDefault(f);
  }

  /** The default when null is not allowed (the type's zero value, or the schema's non-null default). */
  private nonNullDefault(f: Field): string {
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
        this.usesEmpty = true;
        return 'EMPTY';
      case 'array':
        return '[]';
      case 'struct':
        this.needDefault.add(f.struct!);
        return `default${f.struct}()`;
      default:
        return String(parseIntDefault(d));
    }
  }

  private fullType(f: Field): string {
    return f.isNullable ? `${f.tsType} | null` : f.tsType;
  }

  /** The type a decoder produces (records are a single Buffer there). */
  private decodedType(f: Field): string {
    const t = f.kind === 'records' ? 'Buffer' : f.tsType;
    return f.isNullable ? `${t} | null` : t;
  }

  // ---- decode -------------------------------------------------------------------------------------

  private readScalar(kind: string, flex: Cond, nul: Cond): string {
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
  private readExpr(f: Field, flex: Cond, nul: Cond, tagged: boolean): string {
    if (f.kind !== 'struct') return this.readScalar(f.kind, flex, nul);
    const call = `read${f.struct}(r, version)`;
    if (nul === false) return call;
    const marker = tagged ? 'r.uvarint() === 0' : 'r.int8() < 0';
    return `${nul === true ? marker : `${nul} && ${marker}`} ? null : ${call}`;
  }

  /** Statements that read the field's value into `target`. */
  private readInto(s: StructInfo, f: Field, target: string, flex: Cond, nul: Cond, tagged: boolean): string[] {
    if (f.kind !== 'array') return [`${target} = ${this.readExpr(f, flex, nul, tagged)};`];
    const elemType = f.elem === 'struct' ? f.struct! : f.tsType.slice(0, -2);
    const elemRead = f.elem === 'struct' ? `read${f.struct}(r, version)` : this.readScalar(f.elem!, flex, false);
    const onNull = nul === true
      ? [`${target} = null;`]
      : nul === false
        ? [`throw r.nullError('${s.typeName}.${f.prop}');`]
        : [`if (${nul}) ${target} = null;`, `else throw r.nullError('${s.typeName}.${f.prop}');`];
    return [
      '{',
      `  const _n = ${choose(flex, 'r.compactArrayLength()', 'r.arrayLength()')};`,
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

  private emitRead(s: StructInfo): string[] {
    const fields = this.fields(s);
    const body: string[] = [];
    for (const f of fields) {
      const type = this.decodedType(f);
      const mand = cond(f.mandatory, s.ctx);
      const flex = cond(f.flexible, f.mandatory);
      const nul = cond(f.nullable, f.mandatory);
      const isTagged = f.tagged !== null;
      if (mand === false) {
        body.push(`${isTagged ? 'let' : 'const'} ${f.local}: ${type} = ${this.defaultExpr(f)};`);
        continue;
      }
      if (f.kind !== 'array') {
        const expr = choose(mand, this.readExpr(f, flex, nul, false), this.defaultExpr(f));
        body.push(`${isTagged ? 'let' : 'const'} ${f.local}: ${type} = ${expr};`);
      } else {
        body.push(`let ${f.local}: ${type};`);
        body.push(...ifElse(mand, this.readInto(s, f, f.local, flex, nul, false), [`${f.local} = ${this.defaultExpr(f)};`]));
      }
    }
    const flexCond = cond(this.flexible, s.ctx);
    const hasTagged = flexCond !== false;
    if (hasTagged) {
      body.push('let _tagged: TaggedField[] | undefined;');
      const known = fields
        .filter((f) => cond(f.tagged, intersect(s.ctx, this.flexible)) !== false)
        .sort((a, b) => a.schema.tag! - b.schema.tag!);
      let section: string[];
      if (known.length === 0) {
        section = ['_tagged = r.taggedFields();'];
      } else {
        const branches: string[] = [];
        for (const f of known) {
          const tc = cond(f.tagged, intersect(s.ctx, this.flexible));
          const test = tc === true ? `_tag === ${f.schema.tag}` : `_tag === ${f.schema.tag} && ${tc}`;
          branches.push(`${branches.length === 0 ? 'if' : '} else if'} (${test}) {`);
          branches.push('  const _end = r.taggedFieldEnd(_size);');
          branches.push(...indent(this.readInto(s, f, f.local, true, cond(f.nullable, f.tagged), true)));
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

  // ---- encode -------------------------------------------------------------------------------------

  /** `m.prop` with undefined (and null where null is not allowed) replaced by the default. */
  private access(f: Field, nul: Cond, obj = 'm'): string {
    const v = `${obj}.${f.prop}`;
    const nullableAccess = this.defaultExpr(f) === 'null' ? `${v} ?? null` : `${v} === undefined ? ${this.defaultExpr(f)} : ${v}`;
    const nonNullAccess = `${v} ?? ${this.nonNullDefault(f)}`;
    if (nul === true) return nullableAccess;
    if (nul === false) return nonNullAccess;
    return `${nul} ? (${nullableAccess}) : (${nonNullAccess})`;
  }

  private writeScalar(kind: string, v: string, wv: string, flex: Cond): string[] {
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

  private writeValue(f: Field, v: string, wv: string, flex: Cond, nul: Cond, tagged: boolean): string[] {
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
    if (f.kind !== 'array') return this.writeScalar(f.kind, v, wv, flex);
    const loop = (fl: Cond): string[] => {
      const elem = f.elem === 'struct'
        ? [`write${f.struct}(${wv}, version, ${v}[_i]);`]
        : this.writeScalar(f.elem!, `${v}[_i]`, wv, fl);
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

  /** True when a tagged field's value differs from its default (so it must be written). */
  private nonDefault(f: Field, v: string): string {
    if (f.defaultIsNull && f.isNullable) return `${v} != null`;
    let ne: string;
    switch (f.kind) {
      case 'bytes':
      case 'records':
      case 'array':
        ne = `${v}.length !== 0`;
        break;
      case 'struct':
        this.needIsDefault.add(f.struct!);
        ne = `!isDefault${f.struct}(${v})`;
        break;
      default:
        ne = `${v} !== ${this.nonNullDefault(f)}`;
    }
    return f.isNullable ? `(${v} !== undefined && (${v} === null || ${ne}))` : `(${v} != null && ${ne})`;
  }

  private emitWrite(s: StructInfo): string[] {
    const fields = this.fields(s);
    const body: string[] = [];
    for (const f of fields) {
      const mand = cond(f.mandatory, s.ctx);
      if (mand === false) continue;
      const flex = cond(f.flexible, f.mandatory);
      const nul = cond(f.nullable, f.mandatory);
      const inline = f.kind !== 'struct' && f.kind !== 'array' &&
        (typeof flex !== 'string' || (f.kind !== 'string' && f.kind !== 'bytes'));
      const write = inline
        ? this.writeScalar(f.kind, this.access(f, nul), 'w', flex)
        : [`const ${f.local} = ${this.access(f, nul)};`, ...this.writeValue(f, f.local, 'w', flex, nul, false)];
      if (mand === true && inline) body.push(...write);
      else body.push(...ifElse(mand, write, []));
    }
    const flexCond = cond(this.flexible, s.ctx);
    if (flexCond !== false) {
      const known = fields
        .filter((f) => cond(f.tagged, intersect(s.ctx, this.flexible)) !== false)
        .sort((a, b) => a.schema.tag! - b.schema.tag!);
      let section: string[];
      if (known.length === 0) {
        section = ['w.taggedFields(m._tagged);'];
      } else {
        this.usesWriterValue = true;
        section = ['const _tagged = m._tagged;', 'let _count = _tagged === undefined ? 0 : _tagged.length;'];
        const writes: string[] = [];
        for (const f of known) {
          const tc = cond(f.tagged, intersect(s.ctx, this.flexible));
          const tag = f.schema.tag!;
          const nd = this.nonDefault(f, `m.${f.prop}`);
          section.push(`const _w${tag} = ${tc === true ? nd : `${tc} && ${nd}`};`);
          section.push(`if (_w${tag}) _count++;`);
          const v = `_v${tag}`;
          const nul = cond(f.nullable, f.tagged);
          const fixed = FIXED_SIZE[f.kind];
          const inner = [`const ${v} = m.${f.prop} as ${this.fullType(f)};`];
          if (fixed !== undefined) {
            inner.push(`w.uvarint(${tag});`, `w.uvarint(${fixed});`, ...this.writeValue(f, v, 'w', true, nul, true));
          } else {
            inner.push(
              `w.uvarint(${tag});`,
              'const _s = new Writer(64);',
              ...this.writeValue(f, v, '_s', true, nul, true),
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

  // ---- defaults -----------------------------------------------------------------------------------

  private emitDefault(s: StructInfo): string[] {
    const lines = [`function default${s.typeName}(): ${s.typeName} {`, '  return {'];
    for (const f of this.fields(s)) lines.push(`    ${f.prop}: ${this.defaultExpr(f)},`);
    lines.push('  };', '}');
    return lines;
  }

  private emitIsDefault(s: StructInfo): string[] {
    const lines = [`function isDefault${s.typeName}(m: ${s.typeName}): boolean {`];
    for (const f of this.fields(s)) lines.push(`  if (${this.nonDefault(f, `m.${f.prop}`)}) return false;`);
    lines.push('  return m._tagged === undefined || m._tagged.length === 0;', '}');
    return lines;
  }

  // ---- module -------------------------------------------------------------------------------------

  private emitInterface(s: StructInfo): string[] {
    const lines = [`export interface ${s.typeName} {`];
    for (const f of this.fields(s)) lines.push(`  ${f.prop}${f.optional ? '?' : ''}: ${this.fullType(f)};`);
    if (this.flexible) lines.push('  _tagged?: TaggedField[];');
    lines.push('}');
    return lines;
  }

  generate(): string {
    const { msg, valid } = this;
    const functions: string[] = [];
    for (const s of this.order) {
      functions.push('', ...this.emitRead(s), '', ...this.emitWrite(s));
    }
    // Defaults and default checks may pull in further structs; iterate to a fixed point.
    const emittedDefault = new Set<string>();
    const emittedIsDefault = new Set<string>();
    for (let changed = true; changed;) {
      changed = false;
      for (const s of this.order) {
        if (this.needDefault.has(s.typeName) && !emittedDefault.has(s.typeName)) {
          emittedDefault.add(s.typeName);
          functions.push('', ...this.emitDefault(s));
          changed = true;
        }
        if (this.needIsDefault.has(s.typeName) && !emittedIsDefault.has(s.typeName)) {
          emittedIsDefault.add(s.typeName);
          functions.push('', ...this.emitIsDefault(s));
          changed = true;
        }
      }
    }
    const interfaces: string[] = [];
    for (const s of this.order) interfaces.push('', ...this.emitInterface(s));

    const firstFlexible = firstFlexibleVersion(msg);
    const range = `version < ${valid.lo} || version > ${valid.hi}`;
    const codec = [
      '',
      `export const ${msg.name}: Codec<${msg.name}> = {`,
      `  name: '${msg.name}',`,
      `  apiKey: ${msg.apiKey ?? -1},`,
      `  minVersion: ${valid.lo},`,
      `  maxVersion: ${valid.hi},`,
      `  firstFlexibleVersion: ${firstFlexible},`,
      `  encode(w: Writer, version: number, m: ${msg.name}): void {`,
      `    if (${range}) throw new RangeError(\`${msg.name} v\${version} is not supported\`);`,
      `    write${msg.name}(w, version, m);`,
      '  },',
      `  decode(r: Reader, version: number): ${msg.name} {`,
      `    if (${range}) throw new ProtocolDecodeError(\`${msg.name} v\${version} is not supported\`);`,
      `    return read${msg.name}(r, version);`,
      '  },',
      '};',
    ];

    const header = [
      `// Generated by protocol/generate.ts from ${this.sourcePath}. Do not edit; run \`npm run generate\`.`,
      `import { ProtocolDecodeError, type Reader, type TaggedField } from '../reader.js';`,
      this.usesWriterValue ? `import { Writer } from '../writer.js';` : `import type { Writer } from '../writer.js';`,
      `import type { Codec } from './index.js';`,
    ];
    if (this.usesEmpty) header.push('', 'const EMPTY = Buffer.alloc(0);');
    return [...header, ...interfaces, ...codec, ...functions, ''].join('\n');
  }
}
