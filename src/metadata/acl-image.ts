// ACLs as the metadata log holds them (Kafka's AclsImage): AccessControlEntryRecord (18) adds one
// under its id, RemoveAccessControlEntryRecord (19) drops it.
import type { AccessControlEntryRecord } from '../protocol/generated/access-control-entry-record.js';
import type { StandardAcl } from '../security/acl/acl.js';

export const AclRecordType = { ACCESS_CONTROL_ENTRY: 18, REMOVE_ACCESS_CONTROL_ENTRY: 19 } as const;

export class AclsImage {
  static readonly EMPTY = new AclsImage(new Map());
  constructor(readonly acls: ReadonlyMap<string, StandardAcl>) {}

  isEmpty(): boolean {
    return this.acls.size === 0;
  }
}

export class AclsDelta {
  private readonly changes = new Map<string, StandardAcl | null>();
  constructor(readonly image: AclsImage) {}

  replay(r: AccessControlEntryRecord): void {
    const { id, resourceType, resourceName, patternType, principal, host, operation, permissionType } = r;
    this.changes.set(id, { resourceType, resourceName, patternType, principal, host, operation, permissionType });
  }

  replayRemove(id: string): void {
    this.changes.set(id, null);
  }

  apply(): AclsImage {
    const next = new Map(this.image.acls);
    for (const [id, acl] of this.changes) {
      if (acl) next.set(id, acl);
      else next.delete(id);
    }
    return new AclsImage(next);
  }
}

export function aclRecord(id: string, acl: StandardAcl) {
  return { type: AclRecordType.ACCESS_CONTROL_ENTRY, version: 0, data: { id, ...acl } };
}

export function aclRecords(image: AclsImage) {
  return [...image.acls].map(([id, acl]) => aclRecord(id, acl));
}
