// AlterClientQuotas / DescribeClientQuotas as pure functions of the metadata image: Kafka's
// validation messages, records only for changed keys, replay into the image, describe filters.
import t from 'tap';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { MetadataImage } from '../../src/metadata/image.js';
import { alterClientQuotas, describeClientQuotas } from '../../src/quota/client-quota-control.js';
import type { AlterClientQuotasRequest } from '../../src/protocol/generated/alter-client-quotas-request.js';

type Entity = AlterClientQuotasRequest['entries'][number]['entity'];
const op = (key: string, value: number, remove = false) => ({ key, value, remove });

function alter(image: MetadataImage, entries: { entity: Entity; ops: ReturnType<typeof op>[] }[]) {
  const { records, response } = alterClientQuotas(image, { entries, validateOnly: false });
  const delta = new MetadataDelta(image);
  for (const r of records) delta.replay(r);
  return { records, response, image: delta.apply({ lastContainedOffset: image.offset + records.length, lastContainedEpoch: 1, lastContainedLogTimeMs: 0 }) };
}

t.test('validation errors as Kafka words them', async (t) => {
  const img = MetadataImage.empty('c');
  const cases: [Entity, ReturnType<typeof op>[], string][] = [
    [[], [op('producer_byte_rate', 1)], 'Invalid empty client quota entity'],
    [[{ entityType: 'group', entityName: 'g' }], [op('producer_byte_rate', 1)], 'Unhandled client quota entity type: group'],
    [[{ entityType: 'user', entityName: '' }], [op('producer_byte_rate', 1)], 'Empty user not supported'],
    [[{ entityType: 'client-id', entityName: 'a' }], [op('bogus', 1)], 'Invalid configuration key bogus'],
    [[{ entityType: 'client-id', entityName: 'a' }], [op('producer_byte_rate', 0)], 'Quota producer_byte_rate must be greater than 0'],
    [[{ entityType: 'client-id', entityName: 'a' }], [op('producer_byte_rate', 1.5)], 'producer_byte_rate cannot be a fractional value.'],
    [[{ entityType: 'ip', entityName: '1.2.3.4' }], [op('producer_byte_rate', 1)], 'Invalid configuration key producer_byte_rate'],
    [[{ entityType: 'ip', entityName: '1.2.3.4' }, { entityType: 'user', entityName: 'u' }], [op('connection_creation_rate', 1)], 'Invalid quota entity combination'],
    [[{ entityType: 'client-id', entityName: 'a' }], [op('producer_byte_rate', 1), op('producer_byte_rate', 2)], 'Ignoring duplicate entity'],
  ];
  for (const [entity, ops, message] of cases) {
    const r = alter(img, [{ entity, ops }]);
    t.equal(r.records.length, 0);
    t.equal(r.response.entries[0].errorCode, 42, message);
    t.match(r.response.entries[0].errorMessage, message);
  }
});

t.test('records only changes; replay, describe filters, removal', async (t) => {
  let r = alter(MetadataImage.empty('c'), [
    { entity: [{ entityType: 'client-id', entityName: 'X' }], ops: [op('producer_byte_rate', 1048576)] },
    { entity: [{ entityType: 'user', entityName: null }], ops: [op('consumer_byte_rate', 2048), op('request_percentage', 50.5)] },
    { entity: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'X' }], ops: [op('producer_byte_rate', 10)] },
  ]);
  t.equal(r.records.length, 4);
  t.same(r.response.entries.map((e) => e.errorCode), [0, 0, 0]);
  const again = alterClientQuotas(r.image, { entries: [{ entity: [{ entityType: 'client-id', entityName: 'X' }], ops: [op('producer_byte_rate', 1048576)] }], validateOnly: false });
  t.equal(again.records.length, 0, 'an unchanged value writes nothing');

  const d = (components: { entityType: string; matchType: number; match: string | null }[], strict = false) => describeClientQuotas(r.image, { components, strict });
  t.equal(d([]).entries!.length, 3);
  t.same(d([{ entityType: 'client-id', matchType: 0, match: 'X' }], true).entries, [{ entity: [{ entityType: 'client-id', entityName: 'X' }], values: [{ key: 'producer_byte_rate', value: 1048576 }] }]);
  t.equal(d([{ entityType: 'client-id', matchType: 0, match: 'X' }]).entries!.length, 2, 'non-strict also matches user+client');
  t.equal(d([{ entityType: 'user', matchType: 1, match: null }]).entries!.length, 1);
  t.equal(d([{ entityType: 'user', matchType: 2, match: null }]).entries!.length, 2);
  t.match(d([{ entityType: 'user', matchType: 1, match: 'x' }]), { errorCode: 42, errorMessage: 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.', entries: null });
  t.match(d([{ entityType: 'group', matchType: 2, match: null }]), { errorCode: 35, errorMessage: 'Unsupported entity type group' });
  t.match(d([{ entityType: 'ip', matchType: 2, match: null }, { entityType: 'user', matchType: 2, match: null }]), { errorCode: 42 });

  r = alter(r.image, [{ entity: [{ entityType: 'client-id', entityName: 'X' }], ops: [op('producer_byte_rate', 0, true)] }]);
  t.equal(r.records.length, 1);
  t.equal(r.image.clientQuotas.entities.size, 2, 'the entity with no quota left is gone');
});
