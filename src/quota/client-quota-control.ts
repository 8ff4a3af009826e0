// AlterClientQuotas on the controller (Kafka's ClientQuotaControlManager) and DescribeClientQuotas
// on a broker's image (ClientQuotasImage.describe): pure functions of the image, with Kafka's
// validation and messages. Only keys whose value changes produce a ClientQuotaRecord.
import { isIP } from 'node:net';
import { ErrorCode } from '../protocol/errors.js';
import type { AlterClientQuotasRequest } from '../protocol/generated/alter-client-quotas-request.js';
import type { AlterClientQuotasResponse } from '../protocol/generated/alter-client-quotas-response.js';
import type { DescribeClientQuotasRequest } from '../protocol/generated/describe-client-quotas-request.js';
import type { DescribeClientQuotasResponse } from '../protocol/generated/describe-client-quotas-response.js';
import type { MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { CLIENT_ID, clientQuotaRecord, IP, USER, type QuotaEntity } from './client-quota-image.js';

type KeyType = 'LONG' | 'DOUBLE' | 'INT';
/** QuotaConfig.userAndClientQuotaConfigs() and ipConfigs(). */
const USER_CLIENT_KEYS: ReadonlyMap<string, KeyType> = new Map([
  ['producer_byte_rate', 'LONG'],
  ['consumer_byte_rate', 'LONG'],
  ['request_percentage', 'DOUBLE'],
  ['controller_mutation_rate', 'DOUBLE'],
]);
const IP_KEYS: ReadonlyMap<string, KeyType> = new Map([['connection_creation_rate', 'INT']]);

interface ApiError {
  errorCode: number;
  errorMessage: string | null;
}
const NONE: ApiError = { errorCode: 0, errorMessage: null };
const invalid = (errorMessage: string): ApiError => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });

/** ClientQuotaEntity.toString. */
function describeEntity(entity: readonly { entityType: string; entityName: string | null }[]): string {
  return `ClientQuotaEntity(entries={${entity.map((e) => `${e.entityType}=${e.entityName}`).join(', ')}})`;
}

function validateEntity(entity: readonly { entityType: string; entityName: string | null }[], out: Map<string, string | null>): ApiError {
  if (entity.length === 0) return invalid('Invalid empty client quota entity');
  for (const { entityType, entityName } of entity) {
    if (out.has(entityType)) return invalid(`Invalid client quota entity, duplicate entity entry ${entityType}`);
    if (entityType !== USER && entityType !== CLIENT_ID && entityType !== IP) return invalid(`Unhandled client quota entity type: ${entityType}`);
    out.set(entityType, entityName);
    if (entityName !== null && entityName === '') return invalid(`Empty ${entityType} not supported`);
  }
  return NONE;
}

function keysFor(entity: QuotaEntity): ReadonlyMap<string, KeyType> | ApiError {
  if (entity.has(IP)) {
    if (entity.has(USER) || entity.has(CLIENT_ID)) {
      return invalid('Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId');
    }
    const ip = entity.get(IP)!;
    // Kafka accepts a resolvable host name too; samsa checks the literal form without a DNS lookup.
    if (ip !== null && isIP(ip) === 0 && !/^[A-Za-z0-9.-]+$/.test(ip)) return invalid(`${ip} is not a valid IP or resolvable host.`);
    return IP_KEYS;
  }
  return USER_CLIENT_KEYS;
}

function validateValue(keys: ReadonlyMap<string, KeyType>, key: string, value: number): ApiError {
  const type = keys.get(key);
  if (!type) return invalid(`Invalid configuration key ${key}`);
  if (value <= 0) return invalid(`Quota ${key} must be greater than 0`);
  if (type === 'DOUBLE') return NONE;
  if (type === 'INT' && value > 2147483647) return invalid(`Proposed value for ${key} is too large for an INT.`);
  if (type === 'LONG' && value > 9223372036854775807) return invalid(`Proposed value for ${key} is too large for a LONG.`);
  if (Math.abs(value % 1) > 1e-6) return invalid(`${key} cannot be a fractional value.`);
  return NONE;
}

export function alterClientQuotas(
  image: MetadataImage,
  req: AlterClientQuotasRequest,
): { records: MetadataRecord[]; response: AlterClientQuotasResponse } {
  const records: MetadataRecord[] = [];
  const entries: AlterClientQuotasResponse['entries'] = [];
  for (const e of req.entries) {
    const entity = e.entity.map((x) => ({ entityType: x.entityType, entityName: x.entityName }));
    const answer = (error: ApiError) => entries.push({ ...error, entity });
    const ops = new Map<string, number | null>();
    let duplicate: string | null = null;
    for (const op of e.ops) {
      if (ops.has(op.key)) duplicate ??= op.key;
      else ops.set(op.key, op.remove ? null : op.value);
    }
    if (duplicate !== null) {
      // Kafka records the duplicate key, then overwrites it with "Ignoring duplicate entity".
      answer(invalid(`Ignoring duplicate entity ${describeEntity(entity)}`));
      continue;
    }
    const validated = new Map<string, string | null>();
    let error = validateEntity(entity, validated);
    if (error.errorCode !== 0) {
      answer(error);
      continue;
    }
    const keys = keysFor(validated);
    if (!(keys instanceof Map)) {
      answer(keys as ApiError);
      continue;
    }
    const current = image.clientQuotas.get(validated) ?? new Map<string, number>();
    const mine: MetadataRecord[] = [];
    for (const [key, value] of ops) {
      if (value === null) {
        if (current.has(key)) mine.push(clientQuotaRecord(validated, key, null));
        continue;
      }
      error = validateValue(keys, key, value);
      if (error.errorCode !== 0) break;
      if (current.get(key) !== value) mine.push(clientQuotaRecord(validated, key, value));
    }
    if (error.errorCode !== 0) {
      answer(error);
      continue;
    }
    records.push(...mine);
    answer(NONE);
  }
  return { records, response: { throttleTimeMs: 0, entries } };
}

const MATCH_EXACT = 0;
const MATCH_DEFAULT = 1;
const MATCH_SPECIFIED = 2;

class DescribeError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function parseFilter(req: DescribeClientQuotasRequest): { exact: Map<string, string | null>; typed: Set<string> } {
  const exact = new Map<string, string | null>();
  const typed = new Set<string>();
  for (const c of req.components) {
    if (c.entityType === '') throw new DescribeError(ErrorCode.INVALID_REQUEST, 'Invalid empty entity type.');
    if (exact.has(c.entityType) || typed.has(c.entityType)) {
      throw new DescribeError(ErrorCode.INVALID_REQUEST, `Entity type ${c.entityType} cannot appear more than once in the filter.`);
    }
    if (c.entityType !== IP && c.entityType !== USER && c.entityType !== CLIENT_ID) {
      throw new DescribeError(ErrorCode.UNSUPPORTED_VERSION, `Unsupported entity type ${c.entityType}`);
    }
    if (c.matchType === MATCH_EXACT) {
      if (c.match === null) throw new DescribeError(ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_EXACT, but set match string to null.');
      exact.set(c.entityType, c.match);
    } else if (c.matchType === MATCH_DEFAULT) {
      if (c.match !== null) throw new DescribeError(ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.');
      exact.set(c.entityType, null);
    } else if (c.matchType === MATCH_SPECIFIED) {
      if (c.match !== null) throw new DescribeError(ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.');
      typed.add(c.entityType);
    } else {
      throw new DescribeError(ErrorCode.INVALID_REQUEST, `Unknown match type ${c.matchType}`);
    }
  }
  const has = (t: string) => exact.has(t) || typed.has(t);
  if (has(IP) && (has(USER) || has(CLIENT_ID))) {
    throw new DescribeError(
      ErrorCode.INVALID_REQUEST,
      'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.',
    );
  }
  return { exact, typed };
}

export function describeClientQuotas(image: MetadataImage, req: DescribeClientQuotasRequest): DescribeClientQuotasResponse {
  let filter: ReturnType<typeof parseFilter>;
  try {
    filter = parseFilter(req);
  } catch (e) {
    if (!(e instanceof DescribeError)) throw e;
    return { throttleTimeMs: 0, errorCode: e.code, errorMessage: e.message, entries: null };
  }
  const entries: NonNullable<DescribeClientQuotasResponse['entries']> = [];
  for (const { entity, quotas } of image.clientQuotas.entities.values()) {
    if (req.strict && entity.size !== filter.exact.size + filter.typed.size) continue;
    let ok = true;
    for (const [t, name] of filter.exact) if (!entity.has(t) || entity.get(t) !== name) ok = false;
    for (const t of filter.typed) if (!entity.has(t)) ok = false;
    if (!ok) continue;
    entries.push({
      entity: [...entity].map(([entityType, entityName]) => ({ entityType, entityName })),
      values: [...quotas].map(([key, value]) => ({ key, value })),
    });
  }
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, entries };
}
