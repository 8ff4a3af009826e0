// An API's response carrying one error code, built from its request and the message schemas, the
// way Kafka's AbstractRequest.getErrorResponse answers: every topic/partition/group of the request
// comes back with the error in its error_code (Produce: each partition; Metadata: each topic;
// Fetch: each partition), other fields at their schema defaults, and a response with no such
// entries carries it in its top-level error_code.
import { inVersions, isStruct, isStructArray, messageSchema, propName, structFields, type FieldSchema, type MessageSchema } from './schemas.js';

type Obj = Record<string, unknown>;

/** What identifies an entry of a request or response array, so the response mirrors the request. */
type Kind = 'topic' | 'partition' | 'group' | 'transaction' | 'key';

const TOPIC_NAME = ['Name', 'Topic', 'TopicName'];
const PARTITION = ['PartitionIndex', 'Partition', 'Index', 'PartitionId'];
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

function live(fields: FieldSchema[], version: number): FieldSchema[] {
  return fields.filter((f) => inVersions(f.versions, version));
}

function kindOf(fields: FieldSchema[], version: number): Kind | null {
  const names = new Set(live(fields, version).map((f) => f.name));
  if (TOPIC_NAME.some((n) => names.has(n)) || names.has('TopicId')) return 'topic';
  if (PARTITION.some((n) => names.has(n))) return 'partition';
  if (names.has('GroupId')) return 'group';
  if (names.has('TransactionalId')) return 'transaction';
  if (names.has('Key')) return 'key';
  return null;
}

/** The fields that name an entry of each kind. */
const KEY_FIELDS: Record<Kind, string[]> = { topic: TOPIC_NAME, partition: PARTITION, group: ['GroupId'], transaction: ['TransactionalId'], key: ['Key'] };

/** A request array of bare names or indexes (DescribeGroups' groups, FindCoordinator's keys, OffsetFetch's partition indexes). */
function isKeyList(f: FieldSchema, kind: Kind): boolean {
  return kind === 'partition' ? f.type === '[]int32' && /Partition/.test(f.name) : f.type === '[]string';
}

function defaultOf(msg: MessageSchema, f: FieldSchema, version: number): unknown {
  const nullable = inVersions(f.nullableVersions, version);
  const d = f.default;
  // Records stay empty, not null: Kafka answers a failed partition with empty records (librdkafka refuses a null set).
  if (nullable && (d === 'null' || (d === undefined && (f.type === 'string' || f.type === 'bytes')))) return null;
  if (f.type.startsWith('[]')) return [];
  if (isStruct(f)) return structDefaults(msg, structFields(msg, f) ?? [], version);
  switch (f.type) {
    case 'bool':
      return d === true || d === 'true';
    case 'string':
      return d === undefined || d === 'null' ? '' : String(d);
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    default:
      return d === undefined ? 0 : Number(d);
  }
}

function structDefaults(msg: MessageSchema, fields: FieldSchema[], version: number): Obj {
  const o: Obj = {};
  for (const f of live(fields, version)) o[propName(f)] = defaultOf(msg, f, version);
  return o;
}

/** The request's value for a response key field, from whichever name the request gives it. */
function keyValue(f: FieldSchema, req: Obj | number | string, reqFields: FieldSchema[] | null, version: number, kind: Kind | null): unknown {
  if (typeof req !== 'object') return kind !== null && KEY_FIELDS[kind].includes(f.name) ? req : undefined;
  const fields = live(reqFields ?? [], version);
  const pick = (names: string[]) => {
    const r = fields.find((x) => names.includes(x.name));
    return r === undefined ? undefined : req[propName(r)];
  };
  if (TOPIC_NAME.includes(f.name)) return pick(TOPIC_NAME);
  if (PARTITION.includes(f.name)) return pick(PARTITION);
  if (f.name === 'TopicId' || f.name === 'GroupId' || f.name === 'TransactionalId' || f.name === 'Key') return pick([f.name]);
  return undefined;
}

/** The request array a response array mirrors: same kind of entries, the same name first. */
function mirrorOf(resp: FieldSchema, kind: Kind, reqMsg: MessageSchema, reqFields: FieldSchema[], version: number): FieldSchema | null {
  const candidates = live(reqFields, version).filter((q) => {
    if (isKeyList(q, kind)) return true;
    if (!isStructArray(q)) return false;
    const qf = structFields(reqMsg, q);
    return qf !== null && kindOf(qf, version) === kind;
  });
  return candidates.find((q) => q.name === resp.name) ?? candidates[0] ?? null;
}

interface Build {
  respMsg: MessageSchema;
  reqMsg: MessageSchema;
  version: number;
  code: number;
  /** Entries of the request that got the error. */
  errored: number;
}

function buildStruct(b: Build, respFields: FieldSchema[], reqFields: FieldSchema[] | null, req: Obj | number | string | null, entry: Kind | null): Obj {
  const out: Obj = {};
  let errorField: string | null = null;
  for (const f of live(respFields, b.version)) {
    const key = propName(f);
    if (isStructArray(f)) {
      const elemFields = structFields(b.respMsg, f) ?? [];
      const kind = kindOf(elemFields, b.version);
      const q = kind !== null && reqFields !== null && typeof req === 'object' && req !== null ? mirrorOf(f, kind, b.reqMsg, reqFields, b.version) : null;
      const items = q === null ? null : (req as Obj)[propName(q)];
      if (q !== null && Array.isArray(items)) {
        const qFields = isStructArray(q) ? structFields(b.reqMsg, q) : null;
        out[key] = items.map((it: Obj | number | string) => buildStruct(b, elemFields, qFields, it, kind));
      } else {
        out[key] = defaultOf(b.respMsg, f, b.version);
      }
      continue;
    }
    const k = req === null ? undefined : keyValue(f, req, reqFields, b.version, entry);
    if (k !== undefined) out[key] = k;
    else out[key] = defaultOf(b.respMsg, f, b.version);
    if (f.name === 'ErrorCode' && f.type === 'int16') errorField = key;
  }
  if (entry !== null && errorField !== null) {
    out[errorField] = b.code;
    b.errored++;
    // A failed entry's offsets are Kafka's invalid offset (-1), where the schema has no default for them.
    for (const f of live(respFields, b.version)) {
      if (f.type === 'int64' && f.default === undefined && /(Offset|HighWatermark)$/.test(f.name)) out[propName(f)] = -1;
    }
  }
  return out;
}

/**
 * The response `responseName` (e.g. "ProduceResponse") at `version` to `request` (decoded with
 * `requestName`'s codec), with `code` in the error_code of every entry mirrored from the request,
 * or in the top-level one when no entry took it.
 */
export function errorResponse(requestName: string, responseName: string, version: number, request: unknown, code: number): Obj {
  const reqMsg = messageSchema(requestName);
  const respMsg = messageSchema(responseName);
  const b: Build = { respMsg, reqMsg, version, code, errored: 0 };
  const out = buildStruct(b, respMsg.fields, reqMsg.fields, request as Obj, null);
  if (b.errored === 0) {
    const top = live(respMsg.fields, version).find((f) => f.name === 'ErrorCode' && f.type === 'int16');
    if (top !== undefined) out[propName(top)] = code;
  }
  return out;
}

/** The request's top-level topic arrays (Produce's topic_data, Fetch's topics, ...) and their name/id fields. */
export function topicArrays(requestName: string, version: number): { key: string; name: string | null; id: string | null }[] {
  const msg = messageSchema(requestName);
  const out: { key: string; name: string | null; id: string | null }[] = [];
  for (const f of live(msg.fields, version)) {
    if (!isStructArray(f)) continue;
    const fields = live(structFields(msg, f) ?? [], version);
    if (kindOf(fields, version) !== 'topic') continue;
    const name = fields.find((x) => TOPIC_NAME.includes(x.name) && x.type === 'string');
    const id = fields.find((x) => x.name === 'TopicId');
    out.push({ key: propName(f), name: name ? propName(name) : null, id: id ? propName(id) : null });
  }
  return out;
}

/** Every topic a request names, at any depth (names, or ids through `nameOf`). */
export function requestTopics(requestName: string, version: number, request: unknown, nameOf: (id: string) => string | undefined): Set<string> {
  const msg = messageSchema(requestName);
  const found = new Set<string>();
  const walk = (fields: FieldSchema[], o: Obj) => {
    for (const f of live(fields, version)) {
      if (!isStructArray(f)) continue;
      const items = o[propName(f)];
      if (!Array.isArray(items)) continue;
      const sub = live(structFields(msg, f) ?? [], version);
      const topical = kindOf(sub, version) === 'topic';
      for (const it of items as Obj[]) {
        if (topical) {
          const n = sub.find((x) => TOPIC_NAME.includes(x.name) && x.type === 'string');
          const id = sub.find((x) => x.name === 'TopicId');
          const name = (n ? (it[propName(n)] as string) : '') || (id ? nameOf(it[propName(id)] as string) : undefined);
          if (name) found.add(name);
        }
        walk(sub, it);
      }
    }
  };
  if (request !== null && typeof request === 'object') walk(msg.fields, request as Obj);
  return found;
}
