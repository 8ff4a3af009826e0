// __share_group_state records byte for byte in Kafka 4.4's layouts (written out here by hand from
// the ShareSnapshotKey/Value and ShareUpdateKey/Value schemas: int16 record type + key, int16
// value version + flexible value, DeliveryCompleteCount as tagged field 0 only when not -1), the
// tombstone, and the partition of a key: abs(String.hashCode("groupId:topicId:partition")) % n.
import t from 'tap';
import { coordinatorKey, decodeShareRecord, shareStatePartitionFor, snapshotRecord, tombstoneRecord, updateRecord } from '../../../src/coordinator/share/records.js';

const i8 = (v: number) => Buffer.from([v & 0xff]);
const i16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
};
const i32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const i64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(v));
  return b;
};
const str = (s: string) => Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]);
const uvar = (n: number) => Buffer.from([n]);
const TOPIC_ID = 'Ag8-x0zWQeKL8jW5mN3a1A';
const uuid = Buffer.from(TOPIC_ID, 'base64url');
const key = { groupId: 'grp', topicId: TOPIC_ID, partition: 7 };
const batchBytes = (first: number, last: number, state: number, count: number) => Buffer.concat([i64(first), i64(last), i8(state), i16(count), uvar(0)]);

t.test('ShareSnapshot: key type 0, value v0 with tagged DeliveryCompleteCount', async (t) => {
  const r = snapshotRecord(key, {
    snapshotEpoch: 2,
    stateEpoch: 1,
    leaderEpoch: 5,
    startOffset: 100,
    deliveryCompleteCount: 3,
    stateBatches: [{ firstOffset: 100, lastOffset: 104, deliveryState: 2, deliveryCount: 1 }],
    createTimestamp: 1_700_000_000_000,
    writeTimestamp: 1_700_000_000_500,
  });
  t.same(r.key, Buffer.concat([i16(0), str('grp'), uuid, i32(7)]));
  t.equal(uuid.length, 16);
  t.same(
    r.value,
    Buffer.concat([
      i16(0),
      i32(2), i32(1), i32(5), i64(100),
      i64(1_700_000_000_000), i64(1_700_000_000_500),
      uvar(2), batchBytes(100, 104, 2, 1),
      uvar(1), uvar(0), uvar(4), i32(3),
    ]),
  );
  const back = decodeShareRecord(r);
  t.match(back, { type: 'snapshot', key, value: { snapshotEpoch: 2, stateEpoch: 1, leaderEpoch: 5, startOffset: 100, deliveryCompleteCount: 3, createTimestamp: 1_700_000_000_000, writeTimestamp: 1_700_000_000_500 } });
});

t.test('ShareSnapshot without a count (-1) writes no tagged field', async (t) => {
  const r = snapshotRecord(key, { snapshotEpoch: 0, stateEpoch: 0, leaderEpoch: 0, startOffset: -1, deliveryCompleteCount: -1, stateBatches: [], createTimestamp: 1, writeTimestamp: 1 });
  t.same(r.value, Buffer.concat([i16(0), i32(0), i32(0), i32(0), i64(-1), i64(1), i64(1), uvar(1), uvar(0)]));
  t.match(decodeShareRecord(r), { value: { deliveryCompleteCount: -1, stateBatches: [] } });
});

t.test('ShareUpdate: key type 1, value v0', async (t) => {
  const r = updateRecord(key, { snapshotEpoch: 4, leaderEpoch: 6, startOffset: 110, deliveryCompleteCount: 9, stateBatches: [{ firstOffset: 110, lastOffset: 119, deliveryState: 4, deliveryCount: 5 }, { firstOffset: 120, lastOffset: 120, deliveryState: 0, deliveryCount: 2 }] });
  t.same(r.key, Buffer.concat([i16(1), str('grp'), uuid, i32(7)]));
  t.same(r.value, Buffer.concat([i16(0), i32(4), i32(6), i64(110), uvar(3), batchBytes(110, 119, 4, 5), batchBytes(120, 120, 0, 2), uvar(1), uvar(0), uvar(4), i32(9)]));
  t.match(decodeShareRecord(r), { type: 'update', key, value: { snapshotEpoch: 4, leaderEpoch: 6, startOffset: 110, deliveryCompleteCount: 9 } });
});

t.test('the tombstone is a ShareSnapshot key with a null value; unknown record types are skipped', async (t) => {
  const r = tombstoneRecord(key);
  t.same(r.key, Buffer.concat([i16(0), str('grp'), uuid, i32(7)]));
  t.equal(r.value, null);
  t.same(decodeShareRecord(r), { type: 'snapshot', key, value: null });
  t.equal(decodeShareRecord({ key: Buffer.concat([i16(9), str('x')]), value: null }), null);
});

t.test("a key's partition is Kafka's ShareCoordinatorService.partitionFor", async (t) => {
  // Java's String.hashCode, written independently here: s[0]*31^(n-1) + ... over UTF-16 code units, int32.
  const javaHash = (s: string) => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    return h;
  };
  t.equal(javaHash('hello'), 99162322, 'the reference hash matches Java');
  t.equal(coordinatorKey(key), `grp:${TOPIC_ID}:7`);
  for (const k of [key, { groupId: 'share-group-1', topicId: TOPIC_ID, partition: 0 }, { groupId: 'g:with:colons', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partition: 12 }]) {
    const h = javaHash(coordinatorKey(k));
    const abs = h === -2147483648 ? 0 : Math.abs(h);
    t.equal(shareStatePartitionFor(k, 50), abs % 50, coordinatorKey(k));
    t.equal(shareStatePartitionFor(k, 3), abs % 3);
  }
});
