// The records of __consumer_offsets, in Kafka's layouts (a key version picks the record type).
// Key:   int16 version | v0,v1 OffsetCommitKey: group string, topic string, partition int32
//                      | v2 GroupMetadataKey: group string
// OffsetCommitValue: int16 version | offset int64 | leaderEpoch int32 (v3+) | metadata string
//                    | commitTimestamp int64 | expireTimestamp int64 (v1 only) | tags (v4, compact strings)
// GroupMetadataValue: int16 version | protocolType string | generation int32 | protocol nullable string
//                    | leader nullable string | currentStateTimestamp int64 (v2+) | members [memberId string,
//                    groupInstanceId nullable string (v3+), clientId string, clientHost string,
//                    rebalanceTimeout int32 (v1+), sessionTimeout int32, subscription bytes, assignment bytes]
//                    | tags (v4, compact encodings)
// A null value (tombstone) deletes the key. Kafka writes OffsetCommitValue v3 (v1 with an expire
// timestamp) and GroupMetadataValue v3; every version is read.
import { Reader, ProtocolDecodeError } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface OffsetCommitKey {
  type: 'offset';
  group: string;
  topic: string;
  partition: number;
}

export interface GroupMetadataKey {
  type: 'group';
  group: string;
}

export type RecordKey = OffsetCommitKey | GroupMetadataKey;

export interface OffsetAndMetadata {
  committedOffset: number;
  /** -1 when the committer gave none. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Only from OffsetCommit v2-4 with a retention time; null otherwise. */
  expireTimestamp: number | null;
  /**
   * Where its record sits in __consumer_offsets, once known (not encoded): a transaction's
   * offsets become committed only over an older regular commit, as Kafka compares them.
   */
  recordOffset?: number;
}

export interface GroupMemberRecord {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: GroupMemberRecord[];
}

const OFFSET_COMMIT_KEY_VERSION = 1;
const GROUP_METADATA_KEY_VERSION = 2;
const GROUP_METADATA_VALUE_VERSION = 3;

export function encodeKey(key: RecordKey): Buffer {
  const w = new Writer(64);
  if (key.type === 'offset') {
    w.int16(OFFSET_COMMIT_KEY_VERSION).string(key.group).string(key.topic).int32(key.partition);
  } else {
    w.int16(GROUP_METADATA_KEY_VERSION).string(key.group);
  }
  return w.toBuffer();
}

/** The key of a __consumer_offsets record, or null for a key version this broker does not know. */
export function decodeKey(buf: Buffer): RecordKey | null {
  const r = new Reader(buf);
  const version = r.int16();
  if (version === 0 || version === 1) {
    return { type: 'offset', group: r.string(), topic: r.string(), partition: r.int32() };
  }
  if (version === 2) return { type: 'group', group: r.string() };
  return null;
}

export function encodeOffsetCommitValue(o: OffsetAndMetadata): Buffer {
  const w = new Writer(64);
  if (o.expireTimestamp !== null) {
    w.int16(1).int64(o.committedOffset).string(o.metadata).int64(o.commitTimestamp).int64(o.expireTimestamp);
  } else {
    w.int16(3).int64(o.committedOffset).int32(o.leaderEpoch).string(o.metadata).int64(o.commitTimestamp);
  }
  return w.toBuffer();
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetAndMetadata {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0 || version > 4) throw new ProtocolDecodeError(`unknown OffsetCommitValue version ${version}`);
  const flexible = version >= 4;
  const committedOffset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = flexible ? r.compactString() : r.string();
  const commitTimestamp = r.int64();
  const expireTimestamp = version === 1 ? r.int64() : -1;
  if (flexible) r.taggedFields();
  return { committedOffset, leaderEpoch, metadata, commitTimestamp, expireTimestamp: expireTimestamp === -1 ? null : expireTimestamp };
}

export function encodeGroupMetadataValue(g: GroupMetadataValue): Buffer {
  const w = new Writer(256);
  w.int16(GROUP_METADATA_VALUE_VERSION)
    .string(g.protocolType)
    .int32(g.generation)
    .string(g.protocol)
    .string(g.leader)
    .int64(g.currentStateTimestamp)
    .arrayLength(g.members.length);
  for (const m of g.members) {
    w.string(m.memberId)
      .string(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeout)
      .int32(m.sessionTimeout)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return w.toBuffer();
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0 || version > 4) throw new ProtocolDecodeError(`unknown GroupMetadataValue version ${version}`);
  const flexible = version >= 4;
  const str = () => (flexible ? r.compactString() : r.string());
  const nullableStr = () => (flexible ? r.compactNullableString() : r.nullableString());
  const bytes = () => Buffer.from(flexible ? r.compactBytes() : r.bytes());
  const protocolType = str();
  const generation = r.int32();
  const protocol = nullableStr();
  const leader = nullableStr();
  const currentStateTimestamp = version >= 2 ? r.int64() : -1;
  const count = flexible ? r.compactArrayLength() : r.arrayLength();
  const members: GroupMemberRecord[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = str();
    const groupInstanceId = version >= 3 ? nullableStr() : null;
    const clientId = str();
    const clientHost = str();
    const rebalanceTimeout = version >= 1 ? r.int32() : -1;
    const sessionTimeout = r.int32();
    const subscription = bytes();
    const assignment = bytes();
    if (flexible) r.taggedFields();
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment });
  }
  if (flexible) r.taggedFields();
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}

/** Java's String.hashCode over UTF-16 code units. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The __consumer_offsets partition of a group: Utils.abs(groupId.hashCode()) % partitions. */
export function partitionFor(groupId: string, partitions: number): number {
  const h = javaStringHash(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % partitions;
}
