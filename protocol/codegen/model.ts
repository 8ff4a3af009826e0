// The emitters' view of one message: its structs, each field's kind, version ranges and TypeScript type, and the helpers its module needs.
import {
  camelCase,
  intersect,
  parseVersions,
  sameRange,
  subtractSuffix,
  type FieldSchema,
  type MessageSchema,
  type Range,
} from '../schema.js';

const PRIMITIVES = new Set([
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid',
]);
const NUMERIC = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64']);

export interface StructInfo {
  name: string;
  typeName: string;
  fields: FieldSchema[];
  /** Versions in which this struct is ever read or written. */
  ctx: Range | null;
}

export interface Field {
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

/** One message's codec module while it is emitted. */
export interface CodecModule {
  readonly msg: MessageSchema;
  /** The message's flexible versions. */
  readonly flexible: Range | null;
  /** Structs by schema name. */
  readonly structs: ReadonlyMap<string, StructInfo>;
  /** Structs whose default<Type>() the emitted code calls. */
  readonly needDefault: Set<string>;
  /** Structs whose isDefault<Type>() the emitted code calls. */
  readonly needIsDefault: Set<string>;
  /** The emitted code uses the module's EMPTY buffer. */
  usesEmpty: boolean;
  /** The emitted code constructs a Writer, so it is imported as a value. */
  usesWriterValue: boolean;
}

export function fieldsOf(mod: CodecModule, s: StructInfo): Field[] {
  return s.fields.map((f) => fieldOf(mod, s, f));
}

function fieldOf(mod: CodecModule, s: StructInfo, f: FieldSchema): Field {
  const isArray = f.type.startsWith('[]');
  const base = isArray ? f.type.slice(2) : f.type;
  let kind: string;
  let elem: string | undefined;
  let struct: string | undefined;
  if (PRIMITIVES.has(base)) {
    kind = isArray ? 'array' : base;
    elem = isArray ? base : undefined;
    if (isArray && base === 'records') throw new Error(`${mod.msg.name}.${f.name}: arrays of records`);
  } else {
    const info = mod.structs.get(base);
    if (!info) throw new Error(`${mod.msg.name}.${f.name}: unknown struct ${base}`);
    struct = info.typeName;
    kind = isArray ? 'array' : 'struct';
    elem = isArray ? 'struct' : undefined;
  }
  const present = intersect(parseVersions(f.versions), s.ctx);
  const tagged = f.tag !== undefined ? intersect(parseVersions(f.taggedVersions), present) : null;
  if (tagged && kind === 'records') throw new Error(`${mod.msg.name}.${f.name}: tagged records`);
  const nullable = intersect(parseVersions(f.nullableVersions), present);
  const flexible = f.flexibleVersions !== undefined ? parseVersions(f.flexibleVersions) : mod.flexible;
  const elemTs = (t: string): string =>
    t === 'struct' ? struct! : NUMERIC.has(t) ? 'number' : t === 'bool' ? 'boolean' : t === 'string' || t === 'uuid' ? 'string' : 'Buffer';
  let tsType: string;
  if (kind === 'array') tsType = `${elemTs(elem!)}[]`;
  else if (kind === 'struct') tsType = struct!;
  // The broker decodes requests (records arrive as one Buffer) and encodes responses, where records
  // may be several chunks read from the log; the codecs accept both either way.
  else if (kind === 'records') tsType = mod.msg.type === 'response' ? 'Buffer | Buffer[]' : 'Buffer';
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

export function fullType(f: Field): string {
  return f.isNullable ? `${f.tsType} | null` : f.tsType;
}

/** The type a decoder produces (records are a single Buffer there). */
export function decodedType(f: Field): string {
  const t = f.kind === 'records' ? 'Buffer' : f.tsType;
  return f.isNullable ? `${t} | null` : t;
}
