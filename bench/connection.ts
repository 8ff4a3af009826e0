// A lean Kafka client connection for the benchmark: samsa's own codecs over one socket, any number
// of requests in flight, responses matched by correlation id. No retries: every failure is loud.
import net from 'node:net';
import { RequestHeader } from '../src/protocol/generated/request-header.js';
import type { Codec } from '../src/protocol/generated/index.js';
import { requestHeaderVersion, responseHeaderVersion } from '../src/protocol/headers.js';
import { Reader } from '../src/protocol/reader.js';
import { Writer } from '../src/protocol/writer.js';

const CLIENT_ID = 'samsa-bench';

interface Pending {
  apiKey: number;
  version: number;
  decode: (r: Reader) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class Connection {
  private nextCorrelationId = 0;
  private readonly pending = new Map<number, Pending>();
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being received, or -1 while its size prefix is still awaited. */
  private frameSize = -1;
  private failure: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
  }

  static connect(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
    });
  }

  /** Sends one request; the promise settles with the decoded response body. */
  request<Req, Res>(req: Codec<Req>, res: Codec<Res>, version: number, body: Req): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId++;
    const w = new Writer(256);
    const sizeAt = w.reserveInt32();
    RequestHeader.encode(w, requestHeaderVersion(req.apiKey, version), {
      requestApiKey: req.apiKey,
      requestApiVersion: version,
      correlationId,
      clientId: CLIENT_ID,
    });
    req.encode(w, version, body);
    w.patchInt32(sizeAt, w.length - 4);
    const promise = new Promise<Res>((resolve, reject) => {
      this.pending.set(correlationId, {
        apiKey: req.apiKey,
        version,
        decode: (r) => res.decode(r, version),
        resolve: resolve as (v: unknown) => void,
        reject,
      });
    });
    // Record data is referenced by the writer, not copied: cork so the chunks leave as one writev.
    const chunks = w.toChunks();
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
    return promise;
  }

  close(): void {
    this.failure ??= new Error('connection closed');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.frameSize < 0) {
        if (this.buffered < 4) return;
        this.frameSize = this.take(4).readInt32BE(0);
      }
      if (this.buffered < this.frameSize) return;
      const frame = this.take(this.frameSize);
      this.frameSize = -1;
      this.dispatch(frame);
    }
  }

  /** Removes n bytes from the front of the received data; copies only when they span chunks. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    this.buffered -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  private dispatch(frame: Buffer): void {
    const r = new Reader(frame);
    const correlationId = r.int32();
    const p = this.pending.get(correlationId);
    if (!p) return this.fail(new Error(`response with unknown correlation id ${correlationId}`));
    this.pending.delete(correlationId);
    try {
      if (responseHeaderVersion(p.apiKey, p.version) >= 1) r.taggedFields();
      p.resolve(p.decode(r));
    } catch (e) {
      p.reject(new Error(`cannot decode response to API ${p.apiKey} v${p.version}: ${(e as Error).message}`));
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}
