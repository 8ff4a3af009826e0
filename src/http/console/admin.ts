// The console's cluster-wide views: transactions (ListTransactions, DescribeTransactions), ACLs
// (DescribeAcls), client quotas (DescribeClientQuotas) through the broker's own APIs, and the
// metrics clients pushed with KIP-714.
import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { ListTransactionsResponse } from '../../protocol/generated/list-transactions-response.js';
import type { DescribeTransactionsResponse } from '../../protocol/generated/describe-transactions-response.js';
import type { DescribeAclsResponse } from '../../protocol/generated/describe-acls-response.js';
import type { DescribeClientQuotasResponse } from '../../protocol/generated/describe-client-quotas-response.js';
import { AclOperation, AclPermissionType, AclResourceType, PatternType } from '../../security/acl/acl.js';
import type { ConsoleSource } from './source.js';

export interface TransactionRow {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  state: string;
  timeoutMs: number;
  startTimeMs: number;
  partitions: string[];
}

export interface AclRow {
  resourceType: string;
  resourceName: string;
  patternType: string;
  principal: string;
  host: string;
  operation: string;
  permission: string;
}

export interface QuotaRow {
  entity: string;
  values: Record<string, number>;
}

function nameOf(codes: Record<string, number>, code: number): string {
  return Object.keys(codes).find((k) => codes[k] === code) ?? String(code);
}

export async function transactions(src: ConsoleSource): Promise<TransactionRow[]> {
  const list = await src.request<ListTransactionsResponse>(66, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1 });
  if (list.errorCode !== ErrorCode.NONE) throw new Error(errorName(list.errorCode));
  const ids = list.transactionStates.map((t) => t.transactionalId);
  if (ids.length === 0) return [];
  const res = await src.request<DescribeTransactionsResponse>(65, 0, { transactionalIds: ids });
  return res.transactionStates
    .filter((t) => t.errorCode === ErrorCode.NONE)
    .map((t) => ({
      transactionalId: t.transactionalId,
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      state: t.transactionState,
      timeoutMs: t.transactionTimeoutMs,
      startTimeMs: t.transactionStartTimeMs,
      partitions: t.topics.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`)),
    }))
    .sort((a, b) => a.transactionalId.localeCompare(b.transactionalId));
}

/** Every ACL; null when the broker has no authorizer (Kafka's SECURITY_DISABLED). */
export async function acls(src: ConsoleSource): Promise<AclRow[] | null> {
  const res = await src.request<DescribeAclsResponse>(29, 3, {
    resourceTypeFilter: AclResourceType.ANY,
    resourceNameFilter: null,
    patternTypeFilter: PatternType.ANY,
    principalFilter: null,
    hostFilter: null,
    operation: AclOperation.ANY,
    permissionType: AclPermissionType.ANY,
  });
  if (res.errorCode === ErrorCode.SECURITY_DISABLED) return null;
  if (res.errorCode !== ErrorCode.NONE) throw new Error(res.errorMessage ?? errorName(res.errorCode));
  return res.resources.flatMap((r) =>
    r.acls.map((a) => ({
      resourceType: nameOf(AclResourceType, r.resourceType),
      resourceName: r.resourceName,
      patternType: nameOf(PatternType, r.patternType),
      principal: a.principal,
      host: a.host,
      operation: nameOf(AclOperation, a.operation),
      permission: nameOf(AclPermissionType, a.permissionType),
    })),
  );
}

export async function quotas(src: ConsoleSource): Promise<QuotaRow[]> {
  const res = await src.request<DescribeClientQuotasResponse>(48, 1, { components: [], strict: false });
  if (res.errorCode !== ErrorCode.NONE) throw new Error(res.errorMessage ?? errorName(res.errorCode));
  return (res.entries ?? [])
    .map((e) => ({
      entity: e.entity.map((x) => `${x.entityType}=${x.entityName ?? '<default>'}`).join(', '),
      values: Object.fromEntries([...e.values].sort((a, b) => a.key.localeCompare(b.key)).map((v) => [v.key, v.value])),
    }))
    .sort((a, b) => a.entity.localeCompare(b.entity));
}
