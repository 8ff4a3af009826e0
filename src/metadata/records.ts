// Metadata records as they sit in a record's value in __cluster_metadata, framed as Kafka's
// MetadataRecordSerde frames them: frame version uvarint (1) | record type uvarint |
// record version uvarint | the record in its schema's encoding. Keys are null.
import { METADATA_RECORDS, type Codec } from '../protocol/generated/index.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';

/** Record type ids (the metadata schemas' apiKey). */
export const RecordType = {
  REGISTER_BROKER: 0,
  TOPIC: 2,
  PARTITION: 3,
  CONFIG: 4,
  PARTITION_CHANGE: 5,
  REMOVE_TOPIC: 9,
  FEATURE_LEVEL: 12,
  PRODUCER_IDS: 15,
  NO_OP: 20,
} as const;

/** Kafka's ConfigResource types as they appear in ConfigRecord and the admin APIs. */
export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

const FRAME_VERSION = 1;

/** One record and the schema version it is written in (Kafka's ApiMessageAndVersion). */
export interface MetadataRecord<T = any> {
  type: number;
  version: number;
  data: T;
}

export function encodeMetadataRecord(r: MetadataRecord): Buffer {
  const codec = codecOf(r.type);
  const w = new Writer(64);
  w.uvarint(FRAME_VERSION).uvarint(r.type).uvarint(r.version);
  codec.encode(w, r.version, r.data);
  return w.toBuffer();
}

export function decodeMetadataRecord(buf: Buffer): MetadataRecord {
  const r = new Reader(buf);
  const frame = r.uvarint();
  if (frame !== FRAME_VERSION) throw new Error(`metadata record frame version ${frame} is not supported`);
  const type = r.uvarint();
  const version = r.uvarint();
  const data = codecOf(type).decode(r, version);
  if (r.remaining() !== 0) throw new Error(`metadata record type ${type} has ${r.remaining()} trailing bytes`);
  return { type, version, data };
}

function codecOf(type: number): Codec<any> {
  const codec = METADATA_RECORDS[type];
  if (!codec) throw new Error(`unknown metadata record type ${type}`);
  return codec;
}
