// One client connection: frames in, handlers run (concurrently), responses out in request order.
import type { Socket } from 'node:net';
import type { Broker } from '../broker.js';
import { log } from '../log.js';
import { Reader, ProtocolDecodeError } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import {
  decodeRequestHeader,
  encodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../protocol/headers.js';
import { ErrorCode } from '../protocol/errors.js';
import { FrameDecoder } from './frame-decoder.js';
import { HANDLERS, apiVersionsRanges } from '../handlers/registry.js';
import type { RequestContext } from '../handlers/handler.js';

const API_VERSIONS_KEY = 18;
/** Stop reading from a client that has this many requests in flight (Kafka: queued.max.requests). */
const MAX_IN_FLIGHT = 500;

interface Slot {
  done: boolean;
  chunks: Buffer[] | null;
  /** The handler's afterResponse callbacks, run once the response is in the kernel or never will be. */
  after: (() => void)[] | null;
  /** Its callbacks ran: any added later run at once. */
  finished: boolean;
}

function newSlot(): Slot {
  return { done: false, chunks: null, after: null, finished: false };
}

export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Slot[] = [];
  /** Slots whose last write has not called back yet. */
  private readonly writing = new Set<Slot>();
  private closed = false;
  /** A bad request was seen: read nothing more, answer what came before it, then close. */
  private closing = false;
  private paused = false;
  readonly peer: string;

  constructor(
    private readonly socket: Socket,
    private readonly broker: Broker,
    maxFrameBytes: number,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.decoder = new FrameDecoder(maxFrameBytes);
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => log.debug(`connection ${this.peer}: ${err.message}`));
    socket.on('close', () => {
      this.closed = true;
      // The handle is closed: libuv holds none of the written buffers any more.
      for (const slot of this.writing) this.finish(slot);
      this.writing.clear();
      this.finishUnwritten();
      this.onClose(this);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.finishUnwritten();
  }

  /** Responses ready but never to be written; the ones still being handled finish in complete(). */
  private finishUnwritten(): void {
    for (const slot of this.queue) if (slot.done) this.finish(slot);
  }

  private afterResponse(slot: Slot, fn: () => void): void {
    if (slot.finished) fn();
    else (slot.after ??= []).push(fn);
  }

  private finish(slot: Slot): void {
    if (slot.finished) return;
    slot.finished = true;
    const after = slot.after;
    slot.after = null;
    if (after === null) return;
    for (const fn of after) {
      try {
        fn();
      } catch (e) {
        log.error(`after-response callback on ${this.peer} failed: ${(e as Error)?.stack ?? e}`);
      }
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    for (const frame of this.decoder.push(chunk)) {
      if (this.closed || this.closing) return;
      this.onFrame(frame);
    }
    if (this.decoder.error) this.fail(this.decoder.error);
  }

  /** Kafka answers requests in order, so the ones before a bad request still get their responses. */
  private fail(reason: string): void {
    if (this.closing || this.closed) return;
    log.warn(`closing connection ${this.peer}: ${reason}`);
    this.closing = true;
    this.socket.pause();
    if (this.queue.length === 0) this.close();
  }

  private onFrame(frame: Buffer): void {
    if (frame.length < 8) return this.fail(`request of ${frame.length} bytes is shorter than a request header`);
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const handler = HANDLERS.get(apiKey);
    if (!handler) return this.fail(`unknown or unsupported api key ${apiKey}`);
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      // Kafka answers an ApiVersions it can't parse with v0 and its ranges so the client can pick.
      if (apiKey === API_VERSIONS_KEY) return this.respondUnsupportedApiVersions(correlationId);
      return this.fail(`unsupported version ${apiVersion} of api key ${apiKey} (serves ${handler.minVersion}-${handler.maxVersion})`);
    }
    const slot = newSlot();
    let ctx: RequestContext;
    let request: unknown;
    try {
      const r = new Reader(frame);
      const header = decodeRequestHeader(r, requestHeaderVersion(apiKey, apiVersion));
      request = handler.request.decode(r, apiVersion);
      ctx = {
        broker: this.broker,
        apiKey,
        apiVersion,
        correlationId,
        clientId: header.clientId ?? null,
        peer: this.peer,
        closeConnection: (reason) => this.fail(reason),
        afterResponse: (fn) => this.afterResponse(slot, fn),
      };
    } catch (e) {
      if (e instanceof ProtocolDecodeError || e instanceof RangeError) {
        return this.fail(`malformed ${handler.request.name} v${apiVersion}: ${(e as Error).message}`);
      }
      throw e;
    }
    this.queue.push(slot);
    if (this.queue.length >= MAX_IN_FLIGHT && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    let result;
    try {
      result = handler.handle(ctx, request);
    } catch (e) {
      return this.handlerFailed(slot, handler.request.name, e);
    }
    if (result instanceof Promise) {
      result.then(
        (res) => this.complete(slot, handler.response, apiKey, apiVersion, correlationId, res),
        (e) => this.handlerFailed(slot, handler.request.name, e),
      );
    } else {
      this.complete(slot, handler.response, apiKey, apiVersion, correlationId, result);
    }
  }

  private handlerFailed(slot: Slot, name: string, e: unknown): void {
    log.error(`${name} from ${this.peer} failed: ${(e as Error)?.stack ?? e}`);
    slot.done = true;
    this.finish(slot);
    this.close();
  }

  private complete(
    slot: Slot,
    codec: { encode(w: Writer, v: number, m: unknown): void },
    apiKey: number,
    apiVersion: number,
    correlationId: number,
    response: unknown,
  ): void {
    if (this.closed) {
      slot.done = true;
      this.finish(slot);
      return;
    }
    if (response !== undefined) {
      try {
        const w = new Writer();
        const at = w.reserveInt32();
        encodeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), correlationId);
        codec.encode(w, apiVersion, response);
        w.patchInt32(at, w.length - 4);
        slot.chunks = w.toChunks();
      } catch (e) {
        return this.handlerFailed(slot, `encoding the response to api key ${apiKey} v${apiVersion}`, e);
      }
    }
    slot.done = true;
    this.flush();
  }

  private flush(): void {
    if (this.closed) return;
    if (!this.queue[0]?.done) return;
    this.socket.cork();
    while (this.queue.length > 0 && this.queue[0].done) {
      const slot = this.queue.shift()!;
      const chunks = slot.chunks;
      slot.chunks = null;
      if (chunks === null || chunks.length === 0) {
        this.finish(slot);
        continue;
      }
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) this.socket.write(chunks[i]);
      if (slot.after === null) {
        // Nothing waits for this response's bytes (callbacks are registered before the handler returns).
        this.socket.write(chunks[last]);
        slot.finished = true;
        continue;
      }
      // Writes complete in order: the last one calling back means the whole response is in the kernel.
      this.writing.add(slot);
      this.socket.write(chunks[last], () => {
        this.writing.delete(slot);
        this.finish(slot);
      });
    }
    this.socket.uncork();
    if (this.closing) {
      if (this.queue.length === 0) this.socket.end();
      return;
    }
    if (this.paused && this.queue.length < MAX_IN_FLIGHT / 2) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private respondUnsupportedApiVersions(correlationId: number): void {
    const handler = HANDLERS.get(API_VERSIONS_KEY)!;
    const slot = newSlot();
    this.queue.push(slot);
    const response = {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: apiVersionsRanges(this.broker),
      throttleTimeMs: 0,
    };
    this.complete(slot, handler.response, API_VERSIONS_KEY, 0, correlationId, response);
  }
}
