// Config changes as the KRaft controller makes them (Kafka's ConfigurationControlManager): check
// each resource and its configs against the image, then return ConfigRecords (null value: the
// override is removed). Topic configs are validated with Kafka's rules and messages; dynamic
// broker configs as Kafka 4.4's broker validates them before forwarding (broker-config-validation).
// As there, duplicate keys and null values are refused before the resource is looked at.
import { BrokerConfig, brokerConfigDef, topicConfigDef } from '../config.js';
import { ErrorCode } from '../protocol/errors.js';
import type { MetadataImage } from './image.js';
import { ELR_VERSION } from './features.js';
import { RecordType, ResourceType, type MetadataRecord } from './records.js';
import type { ApiError, ControllerResult } from './replication-control.js';
import { invalidTopicNameReason } from './topic-name.js';
import { validateTopicConfig } from './config-validation.js';
import { InvalidBrokerConfig, keptBrokerConfigs, validateBrokerConfigs } from './broker-config-validation.js';
import { GROUP_RESOURCE_TYPE, InvalidGroupConfig, validateGroupConfigs } from '../coordinator/group/group-config.js';

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
function checkResource(image: MetadataImage, nodeId: number | null, r: ConfigResourceChange): ConfigResourceResult | null {
  if (r.resourceType === ResourceType.TOPIC) {
    const bad = invalidTopicNameReason(r.resourceName);
    if (bad) return fail(r, ErrorCode.INVALID_TOPIC_EXCEPTION, bad);
    if (!image.topics.get(r.resourceName)) return fail(r, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${r.resourceName}' does not exist.`);
    return null;
  }
  if (r.resourceType === ResourceType.BROKER) {
    if (r.resourceName === '') return null;
    if (!/^-?\d+$/.test(r.resourceName)) return fail(r, ErrorCode.INVALID_REQUEST, `Node id must be an integer, but it is: ${r.resourceName}`);
    // A quorum controller (nodeId null) takes any broker's resource, as Kafka's ConfigurationControlManager:
    // the broker a client sent it to checked the id before forwarding.
    if (nodeId !== null && Number(r.resourceName) !== nodeId) return fail(r, ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${nodeId}, but received ${r.resourceName}`);
    return null;
  }
  if (r.resourceType === GROUP_RESOURCE_TYPE) {
    return r.resourceName === '' ? fail(r, ErrorCode.INVALID_REQUEST, 'Default group resources are not allowed.') : null;
  }
  return fail(r, ErrorCode.INVALID_REQUEST, `Unexpected resource type ${r.resourceType}`);
}

/** A group's configs as they would be after the change, checked as a whole as Kafka's GroupConfig.validate does. */
function checkGroup(r: ConfigResourceChange, props: ReadonlyMap<string, string>, staticConfig: BrokerConfig): ConfigResourceResult | null {
  try {
    validateGroupConfigs(props, staticConfig);
    return null;
  } catch (e) {
    if (e instanceof InvalidGroupConfig) return fail(r, ErrorCode.INVALID_CONFIG, e.message);
    throw e;
  }
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

/** Kafka's checks of the request itself, made before the resource is looked at. */
function checkRequest(r: ConfigResourceChange): ConfigResourceResult | null {
  if (new Set(r.configs.map((c) => c.name)).size !== r.configs.length) return fail(r, ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
  const nulls = r.configs.filter((c) => c.op !== OpType.DELETE && c.value === null).map((c) => c.name);
  if (nulls.length > 0) return fail(r, ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(', ')}`);
  return null;
}

/** Checks a broker resource's configs as they would be after the change; null when Kafka takes them. */
function checkBroker(image: MetadataImage, nodeId: number | null, staticConfig: BrokerConfig, r: ConfigResourceChange, props: ReadonlyMap<string, string>): ConfigResourceResult | null {
  // The per-broker layer of the broker the resource names (this node's for the cluster default).
  const broker = r.resourceName !== '' ? r.resourceName : nodeId !== null ? String(nodeId) : null;
  const layers = { staticConfig, clusterDefaults: image.configs.get(ResourceType.BROKER, ''), perBroker: broker === null ? new Map<string, string>() : image.configs.get(ResourceType.BROKER, broker) };
  try {
    validateBrokerConfigs(props, r.resourceName !== '', layers);
    return null;
  } catch (e) {
    if (e instanceof InvalidBrokerConfig) return fail(r, ErrorCode.INVALID_REQUEST, e.message);
    throw e;
  }
}

/** IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT per config (KIP-339). */
export function incrementalAlterConfigs(
  image: MetadataImage,
  /** This node's id on a lone node (its own broker resource only); null on a quorum controller (any broker's). */
  nodeId: number | null,
  resources: ConfigResourceChange[],
  staticConfig: BrokerConfig = new BrokerConfig(),
): ControllerResult<ConfigResourceResult[]> {
  const records: MetadataRecord[] = [];
  const response: ConfigResourceResult[] = [];
  for (const r of resources) {
    const problem = checkRequest(r) ?? checkResource(image, nodeId, r) ?? alterOne(image, nodeId, staticConfig, r, records);
    response.push(problem ?? ok(r));
  }
  return { records, response };
}

function alterOne(image: MetadataImage, nodeId: number | null, staticConfig: BrokerConfig, r: ConfigResourceChange, out: MetadataRecord[]): ConfigResourceResult | null {
  const broker = r.resourceType === ResourceType.BROKER;
  const current = image.configs.get(r.resourceType, r.resourceName);
  // For a broker, the resource's configs after the change, as Kafka validates them as a whole.
  const group = r.resourceType === GROUP_RESOURCE_TYPE;
  const props = broker ? keptBrokerConfigs(current, r.resourceName !== '') : group ? new Map(current) : null;
  const records: MetadataRecord[] = [];
  const changes: [string, string | null][] = [];
  for (const c of r.configs) {
    let value: string | null;
    switch (c.op) {
      case OpType.SET:
        value = c.value!;
        break;
      case OpType.DELETE:
        value = null;
        break;
      case OpType.APPEND:
      case OpType.SUBTRACT: {
        const def = broker ? brokerConfigDef(c.name) : topicConfigDef(c.name);
        if (group) {
          // Kafka's controller knows no group config schema: none is a list to it, not even the list one.
          return fail(r, ErrorCode.INVALID_CONFIG, `Can't ${OP_NAMES[c.op]} to key ${c.name} because its type is not LIST.`);
        } else if (broker) {
          if (!def) return fail(r, ErrorCode.INVALID_CONFIG, `Unknown config name: ${c.name}`);
          if (def.type !== 'list') return fail(r, ErrorCode.INVALID_CONFIG, `Config value ${c.op === OpType.APPEND ? 'append' : 'subtract'} is not allowed for config key: ${c.name}`);
        } else {
          if (!def) return fail(r, ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`);
          if (def.type !== 'list') return fail(r, ErrorCode.INVALID_CONFIG, `Can't ${OP_NAMES[c.op]} to key ${c.name} because its type is not LIST.`);
        }
        // An unset config starts from its default, as Kafka's getParts does.
        const parts = listParts((props ?? current).get(c.name) ?? def.default ?? '');
        const given = listParts(c.value!);
        const next = c.op === OpType.APPEND ? [...parts, ...given.filter((v) => !parts.includes(v))] : parts.filter((v) => !given.includes(v));
        value = next.join(',');
        break;
      }
      default:
        return fail(r, ErrorCode.UNKNOWN_SERVER_ERROR, null);
    }
    if (props) {
      if (value === null) props.delete(c.name);
      else props.set(c.name, value);
    } else if (value !== null) {
      const bad = checkTopicValue(r, c.name, value);
      if (bad) return bad;
    }
    changes.push([c.name, value]);
    const rec = configRecord(r, c.name, value, current);
    if (rec) records.push(rec);
  }
  if (props) {
    const bad = group ? checkGroup(r, props, staticConfig) : (checkBroker(image, nodeId, staticConfig, r, props) ?? checkElrMinIsr(image, r, changes));
    if (bad) return bad;
  }
  out.push(...records);
  return null;
}

/**
 * With eligible leader replicas on (KIP-966), Kafka's controller keeps min.insync.replicas
 * cluster-wide only: it refuses any change of a broker's own and the removal of the cluster's.
 * Like Kafka it judges the changes asked for, also those that change nothing.
 */
function checkElrMinIsr(image: MetadataImage, r: ConfigResourceChange, changes: [string, string | null][]): ConfigResourceResult | null {
  if (image.features.level(ELR_VERSION) < 1) return null;
  for (const [name, value] of changes) {
    if (name !== 'min.insync.replicas') continue;
    if (r.resourceName !== '') return fail(r, ErrorCode.INVALID_CONFIG, 'Broker-level min.insync.replicas cannot be altered while ELR is enabled.');
    if (value === null) return fail(r, ErrorCode.INVALID_CONFIG, 'Cluster-level min.insync.replicas cannot be removed while ELR is enabled.');
  }
  return null;
}

/** The legacy AlterConfigs: the given configs replace every override the resource had. */
export function legacyAlterConfigs(
  image: MetadataImage,
  nodeId: number | null,
  resources: { resourceType: number; resourceName: string; configs: { name: string; value: string | null }[] }[],
  staticConfig: BrokerConfig = new BrokerConfig(),
): ControllerResult<ConfigResourceResult[]> {
  const records: MetadataRecord[] = [];
  const response: ConfigResourceResult[] = [];
  for (const res of resources) {
    const r: ConfigResourceChange = { ...res, configs: res.configs.map((c) => ({ name: c.name, op: OpType.SET, value: c.value })) };
    const problem = checkRequest(r) ?? checkResource(image, nodeId, r) ?? replaceAll(image, nodeId, staticConfig, r, records);
    response.push(problem ?? ok(r));
  }
  return { records, response };
}

function replaceAll(image: MetadataImage, nodeId: number | null, staticConfig: BrokerConfig, r: ConfigResourceChange, out: MetadataRecord[]): ConfigResourceResult | null {
  if (r.resourceType === ResourceType.BROKER) {
    // Kafka validates only the configs given: they are all the resource will have.
    const bad = checkBroker(image, nodeId, staticConfig, r, new Map(r.configs.map((c) => [c.name, c.value!])));
    if (bad) return bad;
  }
  if (r.resourceType === GROUP_RESOURCE_TYPE) {
    const bad = checkGroup(r, new Map(r.configs.map((c) => [c.name, c.value!])), staticConfig);
    if (bad) return bad;
  }
  const current = image.configs.get(r.resourceType, r.resourceName);
  const records: MetadataRecord[] = [];
  for (const c of r.configs) {
    const bad = checkTopicValue(r, c.name, c.value!);
    if (bad) return bad;
    const rec = configRecord(r, c.name, c.value!, current);
    if (rec) records.push(rec);
  }
  const given = new Set(r.configs.map((c) => c.name));
  const removed = [...current.keys()].filter((name) => !given.has(name));
  if (r.resourceType === ResourceType.BROKER) {
    const bad = checkElrMinIsr(image, r, [...r.configs.map((c): [string, string | null] => [c.name, c.value]), ...removed.map((name): [string, string | null] => [name, null])]);
    if (bad) return bad;
  }
  for (const name of removed) records.push(configRecord(r, name, null, current)!);
  out.push(...records);
  return null;
}
