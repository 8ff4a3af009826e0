// Client quotas as the metadata log holds them (Kafka's ClientQuotasImage): ClientQuotaRecord
// sets or removes one key of one entity; an entity is a set of (type, name) with name null for
// the default entity of that type.
import type { ClientQuotaRecord } from '../protocol/generated/client-quota-record.js';

export const CLIENT_QUOTA_RECORD = 14;
export const USER = 'user';
export const CLIENT_ID = 'client-id';
export const IP = 'ip';

/** entity type -> name (null: the default entity). */
export type QuotaEntity = ReadonlyMap<string, string | null>;

/** A canonical key for an entity: its entries sorted by type. */
export function entityKey(entity: QuotaEntity): string {
  return JSON.stringify([...entity].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

export interface QuotaEntry {
  readonly entity: QuotaEntity;
  readonly quotas: ReadonlyMap<string, number>;
}

export class ClientQuotasImage {
  static readonly EMPTY = new ClientQuotasImage(new Map());
  constructor(readonly entities: ReadonlyMap<string, QuotaEntry>) {}

  isEmpty(): boolean {
    return this.entities.size === 0;
  }

  get(entity: QuotaEntity): ReadonlyMap<string, number> | undefined {
    return this.entities.get(entityKey(entity))?.quotas;
  }
}

export class ClientQuotasDelta {
  private readonly changes: { entity: QuotaEntity; key: string; value: number | null }[] = [];
  constructor(readonly image: ClientQuotasImage) {}

  replay(r: ClientQuotaRecord): void {
    const entity = new Map(r.entity.map((e) => [e.entityType, e.entityName] as const));
    this.changes.push({ entity, key: r.key, value: r.remove ? null : r.value });
  }

  apply(): ClientQuotasImage {
    const next = new Map(this.image.entities);
    for (const { entity, key, value } of this.changes) {
      const k = entityKey(entity);
      const quotas = new Map(next.get(k)?.quotas ?? []);
      if (value === null) quotas.delete(key);
      else quotas.set(key, value);
      if (quotas.size === 0) next.delete(k);
      else next.set(k, { entity, quotas });
    }
    return new ClientQuotasImage(next);
  }
}

export function clientQuotaRecord(entity: QuotaEntity, key: string, value: number | null) {
  return {
    type: CLIENT_QUOTA_RECORD,
    version: 0,
    data: {
      entity: [...entity].map(([entityType, entityName]) => ({ entityType, entityName })),
      key,
      value: value ?? 0,
      remove: value === null,
    },
  };
}

/** The records that rebuild the image (a snapshot). */
export function clientQuotaRecords(image: ClientQuotasImage) {
  const out = [];
  for (const { entity, quotas } of image.entities.values()) for (const [k, v] of quotas) out.push(clientQuotaRecord(entity, k, v));
  return out;
}
