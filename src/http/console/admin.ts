// The console's cluster-wide views: transactions (ListTransactions, DescribeTransactions), ACLs
// (DescribeAcls), client quotas (DescribeClientQuotas) through the broker's own APIs, and the
// metrics clients pushed with KIP-714.
import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { ListTransactionsResponse } from '../../protocol/generated/list-transactions-response.js';
import type { DescribeTransactionsResponse } from '../../protocol/generated/describe-transactions-response.js';
import type { DescribeAclsResponse } from '../../protocol/generated/describe-acls-response.js';
import type { DescribeClientQuotasResponse } from '../../protocol/generated/describe-client-quotas-response.js';
import { AclOperation, AclPermissionType, AclResourceType, PatternType } from '../../security/acl/acl.js';
import { requestOn, type ConsoleSource } from './source.js';
import { coordinatorOf } from './groups.js';

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

/** ListTransactions on every broker, then DescribeTransactions at each id's coordinator. */
export async function transactions(src: ConsoleSource): Promise<TransactionRow[]> {
  const ids = src.brokerIds();
  const lists = await Promise.allSettled((ids.includes(src.nodeId) ? ids : [src.nodeId, ...ids]).map((id) => requestOn<ListTransactionsResponse>(src, id, 66, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1 })));
  const txnIds = [...new Set(lists.flatMap((l) => (l.status === 'fulfilled' && l.value.errorCode === ErrorCode.NONE ? l.value.transactionStates.map((t) => t.transactionalId) : [])))];
  if (txnIds.length === 0) return [];
  const byCoordinator = new Map<number, string[]>();
  for (const [id, node] of await coordinatorOf(src, 1, txnIds)) byCoordinator.set(node, [...(byCoordinator.get(node) ?? []), id]);
  const described = await Promise.all([...byCoordinator].map(([node, batch]) => requestOn<DescribeTransactionsResponse>(src, node, 65, 0, { transactionalIds: batch })));
  return described
    .flatMap((res) => res.transactionStates)
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
