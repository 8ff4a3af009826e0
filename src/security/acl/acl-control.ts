// CreateAcls / DeleteAcls on the controller (Kafka's AclApis checks plus AclControlManager) and
// DescribeAcls on a broker's image: pure functions of the image, the records to commit and the answer.
import { ErrorCode } from '../../protocol/errors.js';
import type { CreateAclsRequest } from '../../protocol/generated/create-acls-request.js';
import type { CreateAclsResponse } from '../../protocol/generated/create-acls-response.js';
import type { DeleteAclsRequest } from '../../protocol/generated/delete-acls-request.js';
import type { DeleteAclsResponse } from '../../protocol/generated/delete-acls-response.js';
import type { DescribeAclsRequest } from '../../protocol/generated/describe-acls-request.js';
import type { DescribeAclsResponse } from '../../protocol/generated/describe-acls-response.js';
import type { MetadataImage } from '../../metadata/image.js';
import type { MetadataRecord } from '../../metadata/records.js';
import { aclRecord, AclRecordType } from '../../metadata/acl-image.js';
import { randomUuid } from '../../metadata/uuid.js';
import {
  AclOperation, AclPermissionType, AclResourceType, CLUSTER_NAME, filterMatches, known, operationName, PatternType,
  patternTypeName, permissionTypeName, resourceTypeName, unknownFilterField, type AclFilter, type StandardAcl,
} from './acl.js';

/** AclApis' answer on a broker without authorizer.class.name. */
export const NO_AUTHORIZER = 'No Authorizer is configured.';

type ApiError = { errorCode: number; errorMessage: string };
const invalid = (errorMessage: string): ApiError => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });

function validateNewAcl(a: StandardAcl): ApiError | null {
  if (a.resourceType === AclResourceType.CLUSTER && a.resourceName !== CLUSTER_NAME) return invalid(`The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`);
  if (a.resourceName === '') return invalid('Invalid empty resource name');
  if (a.resourceType === AclResourceType.UNKNOWN || a.resourceType === AclResourceType.ANY) return invalid(`Invalid resourceType ${resourceTypeName(a.resourceType)}`);
  if (a.patternType !== PatternType.LITERAL && a.patternType !== PatternType.PREFIXED) return invalid(`Invalid patternType ${patternTypeName(a.patternType)}`);
  if (a.operation === AclOperation.UNKNOWN || a.operation === AclOperation.ANY) return invalid(`Invalid operation ${operationName(a.operation)}`);
  if (a.permissionType !== AclPermissionType.ALLOW && a.permissionType !== AclPermissionType.DENY) return invalid(`Invalid permissionType ${permissionTypeName(a.permissionType)}`);
  const colon = a.principal.indexOf(':');
  if (colon <= 0) return invalid(`Could not parse principal from \`${a.principal}\` (no colon is present separating the principal type from the principal name)`);
  return null;
}

const sameAcl = (a: StandardAcl, b: StandardAcl) =>
  a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType &&
  a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;

export function createAcls(image: MetadataImage, req: CreateAclsRequest): { records: MetadataRecord[]; response: CreateAclsResponse } {
  const records: MetadataRecord[] = [];
  const added: StandardAcl[] = [];
  const results = req.creations.map((c) => {
    const acl: StandardAcl = {
      resourceType: known(c.resourceType, AclResourceType), resourceName: c.resourceName, patternType: known(c.resourcePatternType, PatternType),
      principal: c.principal, host: c.host, operation: known(c.operation, AclOperation), permissionType: known(c.permissionType, AclPermissionType),
    };
    const error = validateNewAcl(acl);
    if (error) return error;
    // An ACL already present succeeds without a record (AclControlManager's existingAcls).
    const exists = [...image.acls.acls.values(), ...added].some((a) => sameAcl(a, acl));
    if (!exists) {
      added.push(acl);
      records.push(aclRecord(randomUuid(), acl) as MetadataRecord);
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { records, response: { throttleTimeMs: 0, results } };
}

function toFilter(f: DeleteAclsRequest['filters'][number]): AclFilter {
  return {
    resourceType: known(f.resourceTypeFilter, AclResourceType), resourceName: f.resourceNameFilter, patternType: known(f.patternTypeFilter, PatternType),
    principal: f.principalFilter, host: f.hostFilter, operation: known(f.operation, AclOperation), permissionType: known(f.permissionType, AclPermissionType),
  };
}

export function deleteAcls(image: MetadataImage, req: DeleteAclsRequest): { records: MetadataRecord[]; response: DeleteAclsResponse } {
  const removed = new Set<string>();
  const filterResults = req.filters.map((raw) => {
    const f = toFilter(raw);
    const unknown = unknownFilterField(f);
    if (unknown) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: unknown.startsWith('Resource') ? 'Unknown patternFilter.' : 'Unknown entryFilter.', matchingAcls: [] };
    const matchingAcls = [];
    for (const [id, acl] of image.acls.acls) {
      if (!filterMatches(f, acl)) continue;
      removed.add(id);
      matchingAcls.push({ errorCode: ErrorCode.NONE, errorMessage: null, ...acl });
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, matchingAcls };
  });
  const records = [...removed].map((id) => ({ type: AclRecordType.REMOVE_ACCESS_CONTROL_ENTRY, version: 0, data: { id } }) as MetadataRecord);
  return { records, response: { throttleTimeMs: 0, filterResults } };
}

export function describeAcls(image: MetadataImage, req: DescribeAclsRequest): DescribeAclsResponse {
  const f: AclFilter = {
    resourceType: known(req.resourceTypeFilter, AclResourceType), resourceName: req.resourceNameFilter, patternType: known(req.patternTypeFilter, PatternType),
    principal: req.principalFilter, host: req.hostFilter, operation: known(req.operation, AclOperation), permissionType: known(req.permissionType, AclPermissionType),
  };
  const unknown = unknownFilterField(f);
  if (unknown) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: unknown, resources: [] };
  const byResource = new Map<string, DescribeAclsResponse['resources'][number]>();
  for (const acl of image.acls.acls.values()) {
    if (!filterMatches(f, acl)) continue;
    const key = `${acl.resourceType}\0${acl.patternType}\0${acl.resourceName}`;
    let r = byResource.get(key);
    if (!r) byResource.set(key, (r = { resourceType: acl.resourceType, resourceName: acl.resourceName, patternType: acl.patternType, acls: [] }));
    r.acls.push({ principal: acl.principal, host: acl.host, operation: acl.operation, permissionType: acl.permissionType });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...byResource.values()] };
}
