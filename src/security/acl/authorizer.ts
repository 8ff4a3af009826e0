// Kafka's StandardAuthorizer (sans-IO): super.users first, then DENY over ALLOW among the ACLs whose
// pattern covers the literal resource (exact literal, '*' literal, prefixed), principal or 'User:*',
// host or '*'; ALLOW of READ/WRITE/DELETE/ALTER implies DESCRIBE, ALTER_CONFIGS implies
// DESCRIBE_CONFIGS, ALL anything. A resource no ACL covers falls to allow.everyone.if.no.acl.found.
import { AclOperation, AclPermissionType, PatternType, WILDCARD, WILDCARD_PRINCIPAL, type StandardAcl } from './acl.js';

/** Kafka's value of authorizer.class.name that turns ACLs on. */
export const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER]);
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<number> = new Set([AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]);

export interface AuthorizerSettings {
  /** Principals as "User:alice" (super.users split on ';'). */
  superUsers: ReadonlySet<string>;
  allowEveryoneIfNoAclFound: boolean;
}

/** super.users is a ';'-separated list of principals. */
export function parseSuperUsers(value: string | null | undefined): Set<string> {
  return new Set((value ?? '').split(';').map((s) => s.trim()).filter((s) => s !== ''));
}

export type AclResult = 'ALLOWED' | 'DENIED' | null;

/** What one ACL says about the action: null when it does not apply (StandardAuthorizerData.findResult). */
export function aclResult(acl: StandardAcl, principal: string, host: string, operation: number): AclResult {
  if (acl.principal !== principal && acl.principal !== WILDCARD_PRINCIPAL) return null;
  if (acl.host !== WILDCARD && acl.host !== host) return null;
  if (acl.operation !== AclOperation.ALL) {
    if (acl.permissionType === AclPermissionType.ALLOW) {
      if (operation === AclOperation.DESCRIBE) {
        if (!IMPLIES_DESCRIBE.has(acl.operation)) return null;
      } else if (operation === AclOperation.DESCRIBE_CONFIGS) {
        if (!IMPLIES_DESCRIBE_CONFIGS.has(acl.operation)) return null;
      } else if (operation !== acl.operation) return null;
    } else if (operation !== acl.operation) return null;
  }
  return acl.permissionType === AclPermissionType.ALLOW ? 'ALLOWED' : 'DENIED';
}

/** Whether the ACL's pattern covers the literal resource name. */
export function patternCovers(acl: StandardAcl, name: string): boolean {
  if (acl.patternType === PatternType.LITERAL) return acl.resourceName === name || acl.resourceName === WILDCARD;
  return acl.patternType === PatternType.PREFIXED && name.startsWith(acl.resourceName);
}

export class StandardAuthorizer {
  /** resource type -> its ACLs. */
  private readonly byType = new Map<number, StandardAcl[]>();

  constructor(acls: Iterable<StandardAcl>, readonly settings: AuthorizerSettings) {
    for (const acl of acls) {
      let list = this.byType.get(acl.resourceType);
      if (!list) this.byType.set(acl.resourceType, (list = []));
      list.push(acl);
    }
  }

  /** principal as "User:alice", host as the client's address. */
  authorize(principal: string, host: string, operation: number, resourceType: number, resourceName: string): boolean {
    if (this.settings.superUsers.has(principal)) return true;
    let covered = false;
    let allowed = false;
    for (const acl of this.byType.get(resourceType) ?? []) {
      if (!patternCovers(acl, resourceName)) continue;
      covered = true;
      const result = aclResult(acl, principal, host, operation);
      if (result === 'DENIED') return false;
      if (result === 'ALLOWED') allowed = true;
    }
    return allowed || (!covered && this.settings.allowEveryoneIfNoAclFound);
  }

  /**
   * Kafka's Authorizer.authorizeByResourceType: whether the principal may do the operation on at
   * least one resource of the type (used for IDEMPOTENT_WRITE-less producers and CREATE topics):
   * some ALLOW ACL (literal or prefixed) not wholly denied by a DENY on '*' or a covering prefix.
   */
  authorizeByResourceType(principal: string, host: string, operation: number, resourceType: number): boolean {
    if (this.settings.superUsers.has(principal)) return true;
    const acls = this.byType.get(resourceType) ?? [];
    const denies = acls.filter((a) => aclResult(a, principal, host, operation) === 'DENIED');
    if (denies.some((d) => d.patternType === PatternType.LITERAL && d.resourceName === WILDCARD)) return false;
    const deniedBy = (name: string, pattern: number) =>
      denies.some((d) => (d.patternType === PatternType.PREFIXED ? name.startsWith(d.resourceName) : pattern === PatternType.LITERAL && d.resourceName === name));
    for (const a of acls) {
      if (aclResult(a, principal, host, operation) !== 'ALLOWED') continue;
      if (!deniedBy(a.resourceName, a.patternType)) return true;
    }
    return acls.length === 0 && this.settings.allowEveryoneIfNoAclFound;
  }
}
