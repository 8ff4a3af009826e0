// Config changes as the KRaft controller makes them (Kafka's ConfigurationControlManager): check
// each resource and its configs against the image, then return ConfigRecords (null value: the
// override is removed). Topic configs are validated with Kafka's rules and messages; dynamic
// broker configs must be ones Kafka lets change at run time.
import { brokerConfigDef, topicConfigDef } from '../config.js';
import { ErrorCode } from '../protocol/errors.js';
import type { MetadataImage } from './image.js';
import { RecordType, ResourceType, type MetadataRecord } from './records.js';
import type { ApiError, ControllerResult } from './replication-control.js';
import { invalidTopicNameReason } from './topic-name.js';
import { validateTopicConfig } from './config-validation.js';

/** IncrementalAlterConfigs operations (AlterConfigOp.OpType ids). */
export const OpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

export interface ConfigChange {
  name: string;
  op: number;
  value: string | null;
}

export interface ConfigResourceChange {
  resourceType: number;
  resourceName: string;
  configs: ConfigChange[];
}

export interface ConfigResourceResult extends ApiError {
  resourceType: number;
  resourceName: string;
}

const ok = (r: ConfigResourceChange): ConfigResourceResult => ({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode: ErrorCode.NONE, errorMessage: null });
const fail = (r: ConfigResourceChange, errorCode: number, errorMessage: string | null): ConfigResourceResult => ({
  resourceType: r.resourceType,
  resourceName: r.resourceName,
  errorCode,
  errorMessage,
});

/** Checks that the resource exists and may be changed here; null when it may. */
function checkResource(image: MetadataImage, nodeId: number, r: ConfigResourceChange): ConfigResourceResult | null {
  if (r.resourceType === ResourceType.TOPIC) {
    const bad = invalidTopicNameReason(r.resourceName);
    if (bad) return fail(r, ErrorCode.INVALID_TOPIC_EXCEPTION, bad);
    if (!image.topics.get(r.resourceName)) return fail(r, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${r.resourceName}' does not exist.`);
    return null;
  }
  if (r.resourceType === ResourceType.BROKER) {
    if (r.resourceName === '') return null;
    if (!/^-?\d+$/.test(r.resourceName)) return fail(r, ErrorCode.INVALID_REQUEST, `Node id must be an integer, but it is: ${r.resourceName}`);
    if (Number(r.resourceName) !== nodeId) return fail(r, ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId}, but received ${r.resourceName}`);
    return null;
  }
  return fail(r, ErrorCode.INVALID_REQUEST, `Unexpected resource type ${r.resourceType}`);
}

/** Kafka's rules for what a broker resource may set dynamically. */
function checkBrokerNames(r: ConfigResourceChange, names: string[]): ConfigResourceResult | null {
  const readOnly = names.filter((n) => {
    const def = brokerConfigDef(n);
    return def !== undefined && !def.dynamic;
  });
  if (readOnly.length > 0) return fail(r, ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: Set(${readOnly.join(', ')})`);
  // TLS and SASL settings belong to a listener; only their listener-prefixed forms are dynamic.
  const security = names.filter((n) => (n.startsWith('ssl.') || n.startsWith('sasl.')) && brokerConfigDef(n)?.dynamic);
  if (security.length > 0) {
    return fail(r, ErrorCode.INVALID_REQUEST, `These security configs can be dynamically updated only per-listener using the listener prefix: HashSet(${security.join(', ')})`);
  }
  return null;
}

function listParts(value: string): string[] {
  return value === '' ? [] : value.split(',').map((s) => s.trim());
}

/** The record for one config change, or null when nothing changes. */
function configRecord(r: ConfigResourceChange, name: string, value: string | null, current: ReadonlyMap<string, string>): MetadataRecord | null {
  if (value === null ? !current.has(name) : current.get(name) === value) return null;
  return { type: RecordType.CONFIG, version: 0, data: { resourceType: r.resourceType, resourceName: r.resourceName, name, value } };
}

function checkTopicValue(r: ConfigResourceChange, name: string, value: string): ConfigResourceResult | null {
  if (r.resourceType !== ResourceType.TOPIC) return null;
  const bad = validateTopicConfig(name, value);
  return bad ? fail(r, ErrorCode.INVALID_CONFIG, bad) : null;
}

/** IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT per config (KIP-339). */
export function incrementalAlterConfigs(image: MetadataImage, nodeId: number, resources: ConfigResourceChange[]): ControllerResult<ConfigResourceResult[]> {
  const records: MetadataRecord[] = [];
  const response: ConfigResourceResult[] = [];
  for (const r of resources) {
    const problem = checkResource(image, nodeId, r) ?? alterOne(image, r, records);
    response.push(problem ?? ok(r));
  }
  return { records, response };
}

function alterOne(image: MetadataImage, r: ConfigResourceChange, out: MetadataRecord[]): ConfigResourceResult | null {
  if (new Set(r.configs.map((c) => c.name)).size !== r.configs.length) return fail(r, ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
  if (r.resourceType === ResourceType.BROKER) {
    const bad = checkBrokerNames(r, r.configs.filter((c) => c.op !== OpType.DELETE).map((c) => c.name));
    if (bad) return bad;
  }
  const current = image.configs.get(r.resourceType, r.resourceName);
  const records: MetadataRecord[] = [];
  for (const c of r.configs) {
    let value: string | null;
    switch (c.op) {
      case OpType.SET:
        if (c.value === null) return fail(r, ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`);
        value = c.value;
        break;
      case OpType.DELETE:
        value = null;
        break;
      case OpType.APPEND:
      case OpType.SUBTRACT: {
        const def = r.resourceType === ResourceType.TOPIC ? topicConfigDef(c.name) : brokerConfigDef(c.name);
        if (r.resourceType === ResourceType.TOPIC && !def) return fail(r, ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`);
        if (!def || def.type !== 'list') return fail(r, ErrorCode.INVALID_CONFIG, `Can't ${OP_NAMES[c.op]} to key ${c.name} because its type is not LIST.`);
        if (c.value === null) return fail(r, ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`);
        // An unset config starts from its default, as Kafka's getParts does.
        const parts = listParts(current.get(c.name) ?? def.default ?? '');
        const given = listParts(c.value);
        const next = c.op === OpType.APPEND ? [...parts, ...given.filter((v) => !parts.includes(v))] : parts.filter((v) => !given.includes(v));
        value = next.join(',');
        break;
      }
      default:
        return fail(r, ErrorCode.UNKNOWN_SERVER_ERROR, null);
    }
    if (value !== null) {
      const bad = checkTopicValue(r, c.name, value);
      if (bad) return bad;
    }
    const rec = configRecord(r, c.name, value, current);
    if (rec) records.push(rec);
  }
  out.push(...records);
  return null;
}

/** The legacy AlterConfigs: the given configs replace every override the resource had. */
export function legacyAlterConfigs(
  image: MetadataImage,
  nodeId: number,
  resources: { resourceType: number; resourceName: string; configs: { name: string; value: string | null }[] }[],
): ControllerResult<ConfigResourceResult[]> {
  const records: MetadataRecord[] = [];
  const response: ConfigResourceResult[] = [];
  for (const res of resources) {
    const r: ConfigResourceChange = { ...res, configs: res.configs.map((c) => ({ name: c.name, op: OpType.SET, value: c.value })) };
    const problem = checkResource(image, nodeId, r) ?? replaceAll(image, r, records);
    response.push(problem ?? ok(r));
  }
  return { records, response };
}

function replaceAll(image: MetadataImage, r: ConfigResourceChange, out: MetadataRecord[]): ConfigResourceResult | null {
  if (new Set(r.configs.map((c) => c.name)).size !== r.configs.length) return fail(r, ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
  if (r.resourceType === ResourceType.BROKER) {
    const bad = checkBrokerNames(r, r.configs.map((c) => c.name));
    if (bad) return bad;
  }
  const current = image.configs.get(r.resourceType, r.resourceName);
  const records: MetadataRecord[] = [];
  for (const c of r.configs) {
    if (c.value === null) return fail(r, ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`);
    const bad = checkTopicValue(r, c.name, c.value);
    if (bad) return bad;
    const rec = configRecord(r, c.name, c.value, current);
    if (rec) records.push(rec);
  }
  const given = new Set(r.configs.map((c) => c.name));
  for (const name of current.keys()) if (!given.has(name)) records.push(configRecord(r, name, null, current)!);
  out.push(...records);
  return null;
}
