// ACLs as Kafka's StandardAcl holds them, with the wire codes of ResourceType, PatternType,
// AclOperation and AclPermissionType, and AclBindingFilter matching (DescribeAcls/DeleteAcls).

export const AclResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14, TWO_PHASE_COMMIT: 15,
} as const;
export const AclPermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The name ACLs on the cluster resource carry (Kafka's Resource.CLUSTER_NAME). */
export const CLUSTER_NAME = 'kafka-cluster';
/** ResourcePattern.WILDCARD_RESOURCE / AclEntry.WILDCARD_HOST. */
export const WILDCARD = '*';
export const WILDCARD_PRINCIPAL = 'User:*';

export interface StandardAcl {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

const byCode = (table: Record<string, number>) => new Map(Object.entries(table).map(([k, v]) => [v, k]));
const NAMES = { resourceType: byCode(AclResourceType), patternType: byCode(PatternType), operation: byCode(AclOperation), permissionType: byCode(AclPermissionType) };
export const resourceTypeName = (code: number) => NAMES.resourceType.get(code) ?? 'UNKNOWN';
export const patternTypeName = (code: number) => NAMES.patternType.get(code) ?? 'UNKNOWN';
export const operationName = (code: number) => NAMES.operation.get(code) ?? 'UNKNOWN';
export const permissionTypeName = (code: number) => NAMES.permissionType.get(code) ?? 'UNKNOWN';

/** An unknown code reads as UNKNOWN (Kafka's fromCode). */
export const known = (code: number, table: Record<string, number>) => (Object.values(table).includes(code) ? code : 0);

/** Kafka's AclBindingFilter.matches: the resource pattern filter and the entry filter. */
export function filterMatches(f: AclFilter, acl: StandardAcl): boolean {
  if (f.resourceType !== AclResourceType.ANY && f.resourceType !== acl.resourceType) return false;
  if (!patternFilterMatches(f, acl)) return false;
  if (f.principal !== null && f.principal !== acl.principal) return false;
  if (f.host !== null && f.host !== acl.host) return false;
  if (f.operation !== AclOperation.ANY && f.operation !== acl.operation) return false;
  return f.permissionType === AclPermissionType.ANY || f.permissionType === acl.permissionType;
}

function patternFilterMatches(f: AclFilter, acl: StandardAcl): boolean {
  if (f.patternType === PatternType.ANY || f.patternType === acl.patternType) {
    return f.resourceName === null || f.resourceName === acl.resourceName;
  }
  if (f.patternType !== PatternType.MATCH) return false;
  // MATCH: the ACLs that would apply to the literal resource the filter names.
  if (f.resourceName === null) return true;
  switch (acl.patternType) {
    case PatternType.LITERAL:
      return acl.resourceName === f.resourceName || acl.resourceName === WILDCARD;
    case PatternType.PREFIXED:
      return f.resourceName.startsWith(acl.resourceName);
    default:
      return false;
  }
}

/** Kafka's AclBindingFilter.findIndefiniteField: why a DeleteAcls/DescribeAcls filter is UNKNOWN, or null. */
export function unknownFilterField(f: AclFilter): string | null {
  if (f.resourceType === AclResourceType.UNKNOWN) return 'Resource type is UNKNOWN.';
  if (f.patternType === PatternType.UNKNOWN) return 'Resource pattern type is UNKNOWN.';
  if (f.operation === AclOperation.UNKNOWN) return 'Operation is UNKNOWN.';
  if (f.permissionType === AclPermissionType.UNKNOWN) return 'Permission type is UNKNOWN.';
  return null;
}

/** "User:alice" must have a type and a name (Kafka's SecurityUtils.parseKafkaPrincipal). */
export function validPrincipal(p: string): boolean {
  const i = p.indexOf(':');
  return i > 0 && i < p.length - 1;
}
