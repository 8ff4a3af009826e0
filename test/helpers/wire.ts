// A minimal Kafka wire client written for the tests, independent of samsa's own codecs: builds
// request frames by hand, reads responses by correlation id, and parses record batches
// (checking their CRC-32C) so tests can look at exactly the bytes the broker serves.
import net from 'node:net';
import { crc32c } from '@node-rs/crc32';

/** Appends big-endian Kafka primitives. */
export class Bytes {
  private parts: Buffer[] = [];

  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.raw(b);
  }
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.raw(b);
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.raw(b);
  }
  int64(v: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    return this.raw(b);
  }
  uvarint(v: number): this {
    const out: number[] = [];
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    return this.raw(Buffer.from(out));
  }
  /** Nullable STRING (int16 length). */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8');
    return this.int16(b.length).raw(b);
  }
  /** COMPACT_STRING (uvarint length + 1). */
  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const b = Buffer.from(s, 'utf8');
    return this.uvarint(b.length + 1).raw(b);
  }
  /** Empty tagged-fields section. */
  tags(): this {
    return this.uvarint(0);
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  get length(): number {
    let n = 0;
    for (const p of this.parts) n += p.length;
    return n;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads big-endian Kafka primitives, throwing on a short buffer. */
export class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  private need(n: number) {
    if (this.pos + n > this.buf.length) throw new RangeError(`need ${n} bytes at ${this.pos}, have ${this.buf.length - this.pos}`);
  }
  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): number {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return Number(v);
  }
  uvarint(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new RangeError('truncated varint');
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
      shift += 7;
    }
  }
  string(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    return this.bytes(n).toString('utf8');
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
}

/** Request header v1 (non-flexible requests) or v2 (flexible: adds an empty tagged-field section). */
export function requestFrame(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: Buffer,
  opts: { headerVersion?: 1 | 2; clientId?: string | null } = {},
): Buffer {
  const header = new Bytes().int16(apiKey).int16(apiVersion).int32(correlationId).string(opts.clientId ?? 'samsa-wire-test');
  if ((opts.headerVersion ?? 1) === 2) header.tags();
  const payload = Buffer.concat([header.build(), body]);
  return Buffer.concat([new Bytes().int32(payload.length).build(), payload]);
}

/**
 * One raw TCP connection. Responses are matched by correlation id (the first 4 bytes of every
 * response); `closed` resolves when the broker (or we) close the socket.
 */
export class WireConnection {
  private pending = Buffer.alloc(0);
  private readonly waiting = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  /** Every response frame body (without the size prefix), in arrival order. */
  readonly received: Buffer[] = [];
  readonly closed: Promise<void>;
  private isClosed = false;
  private nextCorrelationId = 1;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        for (const w of this.waiting.values()) w.reject(new Error('connection closed before the response'));
        this.waiting.clear();
        resolve();
      }),
    );
  }

  /** `localAddress` picks the client's address (any of 127.0.0.0/8 on loopback). */
  static connect(host: string, port: number, timeoutMs = 5000, localAddress?: string): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port, localAddress });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(new WireConnection(s));
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  private onData(d: Buffer) {
    this.pending = Buffer.concat([this.pending, d]);
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (this.pending.length < 4 + size) break;
      const frame = this.pending.subarray(4, 4 + size);
      this.pending = this.pending.subarray(4 + size);
      this.received.push(frame);
      const id = frame.readInt32BE(0);
      const w = this.waiting.get(id);
      if (w) {
        this.waiting.delete(id);
        w.resolve(frame);
      }
    }
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves with the response frame (correlation id first, then the rest of the header and body). */
  response(correlationId: number, timeoutMs = 5000): Promise<Buffer> {
    const already = this.received.find((f) => f.readInt32BE(0) === correlationId);
    if (already) return Promise.resolve(already);
    if (this.isClosed) return Promise.reject(new Error('connection is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationId);
        reject(new Error(`no response to correlation id ${correlationId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(correlationId, {
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** Sends one request and waits for its response frame. */
  request(
    apiKey: number,
    apiVersion: number,
    body: Buffer,
    opts: { headerVersion?: 1 | 2; timeoutMs?: number } = {},
  ): Promise<Buffer> {
    const id = this.nextCorrelationId++;
    this.write(requestFrame(apiKey, apiVersion, id, body, opts));
    return this.response(id, opts.timeoutMs);
  }

  /** Resolves true if the broker closes the connection within `timeoutMs`. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    let timer!: NodeJS.Timeout;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const r = await Promise.race([this.closed.then(() => true), timeout]);
    clearTimeout(timer);
    return r;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

// ---- ApiVersions ----

export interface ApiVersionsResult {
  correlationId: number;
  errorCode: number;
  apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  throttleTimeMs?: number;
}

/** Parses an ApiVersions response whose header is v0 (Kafka uses v0 for every ApiVersions version). */
export function parseApiVersionsResponse(frame: Buffer, version: number): ApiVersionsResult {
  const c = new Cursor(frame);
  const correlationId = c.int32();
  const errorCode = c.int16();
  const apiKeys: ApiVersionsResult['apiKeys'] = [];
  const flexible = version >= 3;
  const n = flexible ? c.uvarint() - 1 : c.int32();
  for (let i = 0; i < n; i++) {
    apiKeys.push({ apiKey: c.int16(), minVersion: c.int16(), maxVersion: c.int16() });
    if (flexible) skipTags(c);
  }
  const out: ApiVersionsResult = { correlationId, errorCode, apiKeys };
  if (version >= 1) out.throttleTimeMs = c.int32();
  if (flexible) skipTags(c);
  if (c.remaining !== 0) throw new RangeError(`${c.remaining} bytes left over after ApiVersions v${version} response`);
  return out;
}

function skipTags(c: Cursor) {
  const n = c.uvarint();
  for (let i = 0; i < n; i++) {
    c.uvarint();
    c.bytes(c.uvarint());
  }
}

export function apiVersionsV3Body(software = 'samsa-wire-test', version = '1.0.0'): Buffer {
  return new Bytes().compactString(software).compactString(version).tags().build();
}

// ---- Metadata v1 ----

/** Metadata v1 request body: null topics means all topics. */
export function metadataV1Body(topics: string[] | null): Buffer {
  const b = new Bytes();
  if (topics === null) return b.int32(-1).build();
  b.int32(topics.length);
  for (const t of topics) b.string(t);
  return b.build();
}

export interface MetadataV1 {
  correlationId: number;
  brokers: { nodeId: number; host: string; port: number }[];
  controllerId: number;
  topics: { errorCode: number; name: string; partitions: number[] }[];
}

export function parseMetadataV1Response(frame: Buffer): MetadataV1 {
  const c = new Cursor(frame);
  const correlationId = c.int32();
  const brokers: MetadataV1['brokers'] = [];
  for (let i = c.int32(); i > 0; i--) {
    const nodeId = c.int32();
    const host = c.string()!;
    const port = c.int32();
    c.string(); // rack
    brokers.push({ nodeId, host, port });
  }
  const controllerId = c.int32();
  const topics: MetadataV1['topics'] = [];
  for (let i = c.int32(); i > 0; i--) {
    const errorCode = c.int16();
    const name = c.string()!;
    c.int8(); // is_internal
    const partitions: number[] = [];
    for (let j = c.int32(); j > 0; j--) {
      c.int16();
      partitions.push(c.int32());
      c.int32(); // leader
      for (let k = c.int32(); k > 0; k--) c.int32();
      for (let k = c.int32(); k > 0; k--) c.int32();
    }
    topics.push({ errorCode, name, partitions });
  }
  if (c.remaining !== 0) throw new RangeError(`${c.remaining} bytes left over after Metadata v1 response`);
  return { correlationId, brokers, controllerId, topics };
}

// ---- Fetch v4 ----

export function fetchV4Body(
  topic: string,
  partition: number,
  fetchOffset: number,
  opts: { maxWaitMs?: number; minBytes?: number; maxBytes?: number; partitionMaxBytes?: number } = {},
): Buffer {
  return new Bytes()
    .int32(-1) // replica id: a consumer
    .int32(opts.maxWaitMs ?? 100)
    .int32(opts.minBytes ?? 1)
    .int32(opts.maxBytes ?? 10 << 20)
    .int8(0) // read uncommitted
    .int32(1)
    .string(topic)
    .int32(1)
    .int32(partition)
    .int64(fetchOffset)
    .int32(opts.partitionMaxBytes ?? 1 << 20)
    .build();
}

export interface FetchV4Partition {
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  records: Buffer;
}

export function parseFetchV4Response(frame: Buffer): { correlationId: number; partitions: FetchV4Partition[] } {
  const c = new Cursor(frame);
  const correlationId = c.int32();
  c.int32(); // throttle
  const partitions: FetchV4Partition[] = [];
  for (let i = c.int32(); i > 0; i--) {
    c.string();
    for (let j = c.int32(); j > 0; j--) {
      const partition = c.int32();
      const errorCode = c.int16();
      const highWatermark = c.int64();
      const lastStableOffset = c.int64();
      const aborted = c.int32();
      for (let k = 0; k < aborted; k++) c.bytes(16);
      const size = c.int32();
      const records = size < 0 ? Buffer.alloc(0) : c.bytes(size);
      partitions.push({ partition, errorCode, highWatermark, lastStableOffset, records });
    }
  }
  if (c.remaining !== 0) throw new RangeError(`${c.remaining} bytes left over after Fetch v4 response`);
  return { correlationId, partitions };
}

// ---- Record batches ----

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  /** CRC-32C over attributes..end, as Kafka computes it. */
  crcValid: boolean;
  attributes: number;
  /** attributes & 7: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  codec: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/**
 * Splits a fetched record set into batch headers. A trailing partial batch (allowed by the
 * protocol when a size limit cuts it) is reported in `partialTail` bytes, not parsed.
 */
export function parseBatches(records: Buffer): { batches: BatchHeader[]; partialTail: number } {
  const batches: BatchHeader[] = [];
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < 12) break;
    const batchLength = records.readInt32BE(pos + 8);
    // 49: the smallest v2 batch after the length field; anything less is not a batch.
    if (batchLength < 49 || records.length - pos < 12 + batchLength) break;
    const c = new Cursor(records.subarray(pos, pos + 12 + batchLength));
    const baseOffset = c.int64();
    c.int32();
    const partitionLeaderEpoch = c.int32();
    const magic = c.int8();
    const crc = c.uint32();
    const crcValid = crc32c(records.subarray(pos + 21, pos + 12 + batchLength)) >>> 0 === crc;
    const attributes = c.int16();
    batches.push({
      baseOffset,
      batchLength,
      partitionLeaderEpoch,
      magic,
      crc,
      crcValid,
      attributes,
      codec: attributes & 7,
      lastOffsetDelta: c.int32(),
      baseTimestamp: c.int64(),
      maxTimestamp: c.int64(),
      producerId: c.int64(),
      producerEpoch: c.int16(),
      baseSequence: c.int32(),
      recordCount: c.int32(),
    });
    pos += 12 + batchLength;
  }
  return { batches, partialTail: records.length - pos };
}

/** Reads every batch of a partition from offset 0 to the high watermark with raw Fetch v4 requests. */
export async function fetchAllBatches(
  conn: WireConnection,
  topic: string,
  partition: number,
): Promise<{ batches: BatchHeader[]; highWatermark: number }> {
  const batches: BatchHeader[] = [];
  let offset = 0;
  let highWatermark = -1;
  for (let rounds = 0; rounds < 100_000; rounds++) {
    const res = parseFetchV4Response(await conn.request(1, 4, fetchV4Body(topic, partition, offset)));
    const p = res.partitions[0];
    if (!p || p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition} at ${offset}: error ${p?.errorCode}`);
    highWatermark = p.highWatermark;
    const { batches: got } = parseBatches(p.records);
    const fresh = got.filter((b) => b.baseOffset + b.lastOffsetDelta >= offset);
    if (fresh.length === 0) {
      if (offset >= highWatermark) return { batches, highWatermark };
      throw new Error(`fetch ${topic}-${partition} at ${offset} returned no batch below the high watermark ${highWatermark}`);
    }
    batches.push(...fresh);
    offset = fresh[fresh.length - 1].baseOffset + fresh[fresh.length - 1].lastOffsetDelta + 1;
  }
  throw new Error('too many fetch rounds');
}
