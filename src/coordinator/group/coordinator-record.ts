// The records of __consumer_offsets other than offsets and classic groups (KIP-848, KIP-932 and
// KIP-1071 groups), in Kafka's framing: key = int16 record type (the schema's api key) + key body;
// value = int16 value version + value body, or null for a tombstone. The generated codecs give the bodies.
import { Reader } from '../../protocol/reader.js';
import { Writer } from '../../protocol/writer.js';
import type { StoredRecord } from './offsets-topic.js';

interface BodyCodec<T> {
  apiKey: number;
  maxVersion: number;
  encode(w: Writer, version: number, m: T): void;
  decode(r: Reader, version: number): T;
}

/** A record of `keyCodec`'s type; `value` null writes a tombstone. Values are written at their codec's highest version. */
export function coordinatorRecord<K, V>(keyCodec: BodyCodec<K>, key: K, valueCodec: BodyCodec<V>, value: V | null): StoredRecord {
  const kw = new Writer(64);
  kw.int16(keyCodec.apiKey);
  keyCodec.encode(kw, 0, key);
  if (value === null) return { key: kw.toBuffer(), value: null };
  const vw = new Writer(128);
  vw.int16(valueCodec.maxVersion);
  valueCodec.encode(vw, valueCodec.maxVersion, value);
  return { key: kw.toBuffer(), value: vw.toBuffer() };
}

/** The record type (key version) of a stored key. */
export function recordKeyVersion(key: Buffer): number {
  return key.readInt16BE(0);
}

export function decodeRecordKey<K>(codec: BodyCodec<K>, key: Buffer): K {
  const r = new Reader(key);
  r.int16();
  return codec.decode(r, 0);
}

export function decodeRecordValue<V>(codec: BodyCodec<V>, value: Buffer): V {
  const r = new Reader(value);
  const version = r.int16();
  return codec.decode(r, version);
}
