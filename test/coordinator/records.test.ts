// __consumer_offsets records byte for byte in Kafka's layouts (written out by hand here from
// Kafka's OffsetCommitKey/Value and GroupMetadataKey/Value schemas), and the group-to-partition
// hash with Java's String.hashCode and Utils.abs.
import t from 'tap';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataValue,
  encodeKey,
  encodeOffsetCommitValue,
  partitionFor,
} from '../../src/coordinator/group/records.js';

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
const str = (s: string | null) => (s === null ? i16(-1) : Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]));
const bytes = (b: Buffer) => Buffer.concat([i32(b.length), b]);
const uvar = (n: number) => Buffer.from([n]);
const cstr = (s: string) => Buffer.concat([uvar(Buffer.byteLength(s) + 1), Buffer.from(s)]);

t.test('OffsetCommitKey v1 and GroupMetadataKey v2', async (t) => {
  const key = encodeKey({ type: 'offset', group: 'grp', topic: 'orders', partition: 7 });
  t.same(key, Buffer.concat([i16(1), str('grp'), str('orders'), i32(7)]));
  t.same(decodeKey(key), { type: 'offset', group: 'grp', topic: 'orders', partition: 7 });
  // Version 0 keys (written by old brokers) have the same fields.
  t.same(decodeKey(Buffer.concat([i16(0), str('g'), str('t'), i32(1)])), { type: 'offset', group: 'g', topic: 't', partition: 1 });
  const gkey = encodeKey({ type: 'group', group: 'grp' });
  t.same(gkey, Buffer.concat([i16(2), str('grp')]));
  t.same(decodeKey(gkey), { type: 'group', group: 'grp' });
  t.equal(decodeKey(Buffer.concat([i16(3), str('x')])), null, 'other record types (KIP-848) are not offsets or classic groups');
});

t.test('OffsetCommitValue: v3 written, v1 with an expire timestamp, v0-v4 read', async (t) => {
  const v3 = encodeOffsetCommitValue({ committedOffset: 42, leaderEpoch: 5, metadata: 'meta', commitTimestamp: 1700000000000, expireTimestamp: null });
  t.same(v3, Buffer.concat([i16(3), i64(42), i32(5), str('meta'), i64(1700000000000)]));
  const v1 = encodeOffsetCommitValue({ committedOffset: 42, leaderEpoch: -1, metadata: '', commitTimestamp: 1000, expireTimestamp: 2000 });
  t.same(v1, Buffer.concat([i16(1), i64(42), str(''), i64(1000), i64(2000)]));
  t.same(decodeOffsetCommitValue(v1), { committedOffset: 42, leaderEpoch: -1, metadata: '', commitTimestamp: 1000, expireTimestamp: 2000 });
  t.same(decodeOffsetCommitValue(Buffer.concat([i16(0), i64(9), str('m'), i64(77)])), {
    committedOffset: 9,
    leaderEpoch: -1,
    metadata: 'm',
    commitTimestamp: 77,
    expireTimestamp: null,
  });
  t.same(decodeOffsetCommitValue(Buffer.concat([i16(2), i64(9), str('m'), i64(77)])).committedOffset, 9);
  // v4 is flexible: compact string and a tagged-field section.
  t.same(decodeOffsetCommitValue(Buffer.concat([i16(4), i64(9), i32(3), cstr('m4'), i64(77), uvar(0)])), {
    committedOffset: 9,
    leaderEpoch: 3,
    metadata: 'm4',
    commitTimestamp: 77,
    expireTimestamp: null,
  });
});

t.test('GroupMetadataValue v3 written, v0-v3 read', async (t) => {
  const value = {
    protocolType: 'consumer',
    generation: 3,
    protocol: 'range',
    leader: 'm-1',
    currentStateTimestamp: 1234,
    members: [
      {
        memberId: 'm-1',
        groupInstanceId: 'i-1',
        clientId: 'c',
        clientHost: '/127.0.0.1',
        rebalanceTimeout: 60000,
        sessionTimeout: 10000,
        subscription: Buffer.from('sub'),
        assignment: Buffer.from('asg'),
      },
    ],
  };
  const expected = Buffer.concat([
    i16(3),
    str('consumer'),
    i32(3),
    str('range'),
    str('m-1'),
    i64(1234),
    i32(1),
    str('m-1'),
    str('i-1'),
    str('c'),
    str('/127.0.0.1'),
    i32(60000),
    i32(10000),
    bytes(Buffer.from('sub')),
    bytes(Buffer.from('asg')),
  ]);
  t.same(encodeGroupMetadataValue(value), expected);
  t.same(decodeGroupMetadataValue(expected), value);
  // An empty group as Kafka records it: no protocol, no leader.
  const empty = Buffer.concat([i16(3), str('consumer'), i32(4), str(null), str(null), i64(99), i32(0)]);
  t.same(decodeGroupMetadataValue(empty), { protocolType: 'consumer', generation: 4, protocol: null, leader: null, currentStateTimestamp: 99, members: [] });
  // v0: no rebalance timeout, no state timestamp, no instance id.
  const v0 = Buffer.concat([
    i16(0),
    str('consumer'),
    i32(1),
    str('range'),
    str('m'),
    i32(1),
    str('m'),
    str('c'),
    str('/h'),
    i32(30000),
    bytes(Buffer.from('s')),
    bytes(Buffer.from('a')),
  ]);
  t.same(decodeGroupMetadataValue(v0).members[0], {
    memberId: 'm',
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '/h',
    rebalanceTimeout: -1,
    sessionTimeout: 30000,
    subscription: Buffer.from('s'),
    assignment: Buffer.from('a'),
  });
  t.equal(decodeGroupMetadataValue(v0).currentStateTimestamp, -1);
});

t.test("partitionFor is Utils.abs(groupId.hashCode()) % partitions, as Kafka's GroupCoordinator computes it", async (t) => {
  // "hello".hashCode() == 99162322
  t.equal(partitionFor('hello', 50), 99162322 % 50);
  t.equal(partitionFor('', 50), 0);
  // "polygenelubricants".hashCode() == Integer.MIN_VALUE, which Utils.abs maps to 0.
  t.equal(partitionFor('polygenelubricants', 50), 0);
  // Negative hashes: "inventory-sync".hashCode() == -79324052, "analytics-pipeline" == -848090871.
  t.equal(partitionFor('inventory-sync', 50), 79324052 % 50);
  t.equal(partitionFor('analytics-pipeline', 50), 848090871 % 50);
  // Java's hash over UTF-16 code units, with int overflow, for a few more ids.
  const javaHash = (s: string) => {
    let h = 0n;
    for (let i = 0; i < s.length; i++) h = BigInt.asIntN(32, h * 31n + BigInt(s.charCodeAt(i)));
    return Number(h);
  };
  for (const g of ['console-consumer-12345', 'my-group', 'email-dispatcher', 'grüppe', 'g😀', 'g']) {
    const h = javaHash(g);
    t.equal(partitionFor(g, 50), (h === -2147483648 ? 0 : Math.abs(h)) % 50, g);
  }
});
