// One client connection: frames in, handlers run (concurrently), responses out in request order.
// Flow control bounds what one client can make the broker hold: reading stops while the
// connection has too many requests in flight, too many request bytes in flight, or too many
// response bytes not yet taken by the kernel (a client that sends and never reads), and resumes
// as responses leave ('drain'). A long run of buffered frames yields to other connections.
import type { Socket } from 'node:net';
import { log } from '../log.js';
import { Reader, ProtocolDecodeError } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import {
  decodeRequestHeader,
  encodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../protocol/headers.js';
import { FrameDecoder } from './frame-decoder.js';
import type { ListenerApis, RequestInfo, ServedApi } from './api.js';
import type { Codec } from '../protocol/generated/codec.js';
import type { SaslServerSettings, SecurityProtocol } from '../security/listener-security.js';
import { ANONYMOUS, type KafkaPrincipal } from '../security/principal.js';
import { SaslAuthenticator, type AuthenticatorPort } from './sasl-authenticator.js';

/** Reading stops while responses not yet in the kernel (queued or in the socket's buffer) reach this. */
export const MAX_UNSENT_RESPONSE_BYTES = 4 << 20;
/** Reading stops while the requests in flight hold this many bytes (a larger request is taken alone). */
export const MAX_IN_FLIGHT_REQUEST_BYTES = 16 << 20;
/** Frames handled in one turn of the event loop before yielding to other connections. */
const FRAMES_PER_TURN = 32;

export interface ConnectionLimits {
  /** socket.request.max.bytes: a larger frame closes the connection. */
  maxFrameBytes: number;
  /** Requests in flight on one connection before reading stops (queued.max.requests). */
  maxInFlight: number;
  /** connections.max.idle.ms: a connection with no traffic for this long is closed (0: never). */
  idleMs: number;
}

/** A connection's security as its listener established it (TLS done before the connection exists). */
export interface ConnectionSecurity {
  securityProtocol: SecurityProtocol;
  /** From the client certificate on SSL; ANONYMOUS otherwise until SASL authenticates. */
  principal: KafkaPrincipal;
  /** SASL listeners: nothing but ApiVersions and the SASL exchange is served until it succeeds. */
  sasl: SaslServerSettings | null;
}

interface Slot {
  done: boolean;
  chunks: Buffer[] | null;
  /** The request frame's size while it is handled; then the response's size until it is written. */
  bytes: number;
  /** The handler's afterResponse callbacks, run once the response is in the kernel or never will be. */
  after: (() => void)[] | null;
  /** Its callbacks ran: any added later run at once. */
  finished: boolean;
  /** When its frame was taken (performance.now()), for the request metrics' total time. */
  started: number;
  /** The decoded request, kept only while a request observer wants it. */
  request: unknown;
}

function newSlot(requestBytes: number): Slot {
  return { done: false, chunks: null, bytes: requestBytes, after: null, finished: false, started: performance.now(), request: undefined };
}

export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Slot[] = [];
  /** Slots whose last write has not called back yet. */
  private readonly writing = new Set<Slot>();
  private closed = false;
  /** A bad request was seen, or the broker is stopping: read nothing more, answer what came before, then close. */
  private closing = false;
  /** socket.pause() is in effect. */
  private readPaused = false;
  /** Inside process(): a response completing synchronously must not re-enter it. */
  private processing = false;
  /** A setImmediate will go on with the frames still buffered. */
  private yielded = false;
  /** Bytes of the requests being handled. */
  private inFlightRequestBytes = 0;
  /** Bytes of responses that are complete but wait behind an earlier one. */
  private queuedResponseBytes = 0;
  readonly peer: string;
  /** Run once when the connection closes (share sessions end with their connection). */
  private readonly closeListeners = new Set<() => void>();
  private principal: KafkaPrincipal = ANONYMOUS;
  private readonly securityProtocol: SecurityProtocol = 'PLAINTEXT';
  /** The SASL exchange, until it succeeds; null on other listeners and once authenticated. */
  private gate: SaslAuthenticator | null = null;
  /** A SASL step is being evaluated asynchronously: no frame is taken meanwhile. */
  private authBusy = false;
  /** KIP-368: the listener's SASL settings, the session's mechanism, when it ends unless the client re-authenticates (null: never). */
  private saslSettings: SaslServerSettings | null = null;
  private saslMechanism = '';
  private sessionExpiryMs: number | null = null;
  private lastReauthStartMs = 0;
  /** A client quota muted this connection (Kafka's channel throttling): no frame is read until it fires. */
  private throttleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly listener: ListenerApis<any>,
    private readonly limits: ConnectionLimits,
    private readonly onClose: (c: Connection) => void,
    security: ConnectionSecurity | null = null,
  ) {
    this.decoder = new FrameDecoder(limits.maxFrameBytes);
    if (security !== null) {
      this.securityProtocol = security.securityProtocol;
      this.principal = security.principal;
      if (security.sasl !== null) {
        this.saslSettings = security.sasl;
        this.gate = new SaslAuthenticator(security.sasl, this.authenticatorPort());
        this.decoder.setMaxFrameBytes(security.sasl.maxReceiveSize, 'sasl.server.max.receive.size');
      }
    }
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.wake());
    socket.on('error', (err) => log.debug(`connection ${this.peer}: ${err.message}`));
    if (limits.idleMs > 0) {
      socket.setTimeout(limits.idleMs, () => {
        log.info(`closing connection ${this.peer}: idle for ${limits.idleMs} ms (connections.max.idle.ms)`);
        this.close();
      });
    }
    socket.on('close', () => {
      this.closed = true;
      // The handle is closed: libuv holds none of the written buffers any more.
      for (const slot of this.writing) this.finish(slot);
      this.writing.clear();
      this.finishUnwritten();
      this.onClose(this);
      const listeners = [...this.closeListeners];
      this.closeListeners.clear();
      for (const fn of listeners) {
        try {
          fn();
        } catch (e) {
          log.error(`connection ${this.peer}: close listener failed: ${(e as Error)?.message ?? e}`);
        }
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.throttleTimer !== null) clearTimeout(this.throttleTimer);
    this.decoder.clear();
    this.socket.destroy();
    this.finishUnwritten();
  }

  /**
   * For a clean shutdown: reads nothing more and resolves once the responses to the requests
   * already being handled are in the kernel (or the connection closed). Frames received but not
   * yet started are dropped; the client sees the connection close after its answered requests.
   */
  drain(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('finish', resolve);
      this.socket.once('close', resolve);
      this.stopReading();
      this.decoder.clear();
      if (this.queue.length === 0) this.socket.end();
    });
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
    if (this.closing || this.closed) return;
    this.decoder.push(chunk);
    if (!this.yielded) this.process();
  }

  /**
   * Handles buffered frames until none is complete, the connection is over a bound (reading
   * pauses until responses leave), or this turn has handled its share (then it goes on in the
   * next turn, after other connections' I/O).
   */
  private process(): void {
    if (this.processing) return;
    this.processing = true;
    try {
      let handled = 0;
      while (!this.closing && !this.closed) {
        if (this.overloaded()) return this.pauseReading();
        if (handled === FRAMES_PER_TURN) {
          this.pauseReading();
          this.yielded = true;
          setImmediate(() => {
            this.yielded = false;
            this.process();
          });
          return;
        }
        const frame = this.decoder.next();
        if (frame === null) break;
        handled++;
        this.onFrame(frame);
      }
      if (this.decoder.error) return this.fail(this.decoder.error);
      if (this.readPaused && !this.closing && !this.closed) {
        this.readPaused = false;
        this.socket.resume();
      }
    } finally {
      this.processing = false;
    }
  }

  private overloaded(): boolean {
    return (
      this.authBusy ||
      this.throttleTimer !== null ||
      this.queue.length >= this.limits.maxInFlight ||
      this.inFlightRequestBytes >= MAX_IN_FLIGHT_REQUEST_BYTES ||
      this.socket.writableLength + this.queuedResponseBytes >= MAX_UNSENT_RESPONSE_BYTES
    );
  }

  private pauseReading(): void {
    if (this.readPaused) return;
    this.readPaused = true;
    this.socket.pause();
  }

  /** A response left or a request finished: go on if reading had paused for it. */
  private wake(): void {
    if (this.readPaused && !this.yielded && !this.closing) this.process();
  }

  private stopReading(): void {
    this.closing = true;
    this.pauseReading();
  }

  /** Kafka answers requests in order, so the ones before a bad request still get their responses. */
  private fail(reason: string): void {
    if (this.closing || this.closed) return;
    log.warn(`closing connection ${this.peer}: ${reason}`);
    this.stopReading();
    this.decoder.clear();
    if (this.queue.length === 0) this.close();
  }

  private onFrame(frame: Buffer): void {
    if (frame.length < 8) return this.fail(`request of ${frame.length} bytes is shorter than a request header`);
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    if (this.gate === null && this.sessionExpiryMs !== null && this.reauthOrExpire(apiKey)) return;
    if (this.gate !== null && this.gate.onFrame(frame)) return;
    const handler = this.listener.registry.get(apiKey);
    if (!handler) return this.fail(`unknown or unsupported api key ${apiKey}`);
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (handler.unsupportedVersion) return this.respondUnsupportedVersion(handler, apiKey, correlationId);
      return this.fail(`unsupported version ${apiVersion} of api key ${apiKey} (serves ${handler.minVersion}-${handler.maxVersion})`);
    }
    const slot = newSlot(frame.length);
    let ctx: unknown;
    let request: unknown;
    try {
      const r = new Reader(frame);
      const header = decodeRequestHeader(r, requestHeaderVersion(apiKey, apiVersion));
      request = handler.request.decode(r, apiVersion);
      ctx = this.listener.context(this.requestInfo(apiKey, apiVersion, correlationId, header.clientId ?? null, slot));
    } catch (e) {
      if (e instanceof ProtocolDecodeError || e instanceof RangeError) {
        return this.fail(`malformed ${handler.request.name} v${apiVersion}: ${(e as Error).message}`);
      }
      throw e;
    }
    this.queue.push(slot);
    if (this.listener.observer) slot.request = request;
    this.inFlightRequestBytes += frame.length;
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
    if (!slot.done) this.inFlightRequestBytes -= slot.bytes;
    slot.bytes = 0;
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
    this.inFlightRequestBytes -= slot.bytes;
    slot.bytes = 0;
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
        slot.bytes = w.length;
        this.queuedResponseBytes += w.length;
      } catch (e) {
        slot.done = true;
        return this.handlerFailed(slot, `encoding the response to api key ${apiKey} v${apiVersion}`, e);
      }
    }
    this.listener.observer?.completed(apiKey, apiVersion, slot.request, response, performance.now() - slot.started);
    slot.request = undefined;
    slot.done = true;
    this.flush();
  }

  private flush(): void {
    if (this.closed) return;
    // The request finished but an earlier response is still pending: only its bytes were freed.
    if (!this.queue[0]?.done) return this.wake();
    this.socket.cork();
    while (this.queue.length > 0 && this.queue[0].done) {
      const slot = this.queue.shift()!;
      const chunks = slot.chunks;
      slot.chunks = null;
      this.queuedResponseBytes -= slot.bytes;
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
    this.wake();
  }

  /** Mutes reading for `ms` (responses still go out); a longer throttle replaces a shorter one. */
  private throttle(ms: number): void {
    if (ms <= 0 || this.closed) return;
    if (this.throttleTimer !== null) clearTimeout(this.throttleTimer);
    this.pauseReading();
    this.throttleTimer = setTimeout(() => {
      this.throttleTimer = null;
      this.wake();
    }, ms);
  }

  private requestInfo(apiKey: number, apiVersion: number, correlationId: number, clientId: string | null, slot: Slot): RequestInfo {
    return {
      apiKey,
      apiVersion,
      correlationId,
      clientId,
      peer: this.peer,
      listenerName: this.listener.listenerName,
      principal: this.principal,
      securityProtocol: this.securityProtocol,
      apis: this.listener.registry,
      requestBytes: slot.bytes,
      closeConnection: (reason) => this.fail(reason),
      throttle: (ms) => this.throttle(ms),
      afterResponse: (fn) => this.afterResponse(slot, fn),
      onConnectionClose: (fn) => {
        if (this.closed) {
          queueMicrotask(fn);
          return () => {};
        }
        this.closeListeners.add(fn);
        return () => this.closeListeners.delete(fn);
      },
    };
  }

  /**
   * KIP-368, on a request after authentication: an expired session closes the connection (Kafka's
   * Processor does so before looking at the request); a SaslHandshake starts re-authentication
   * (at most once a second; else it is served normally, which fails it). True: the frame is taken.
   */
  private reauthOrExpire(apiKey: number): boolean {
    const now = Date.now();
    if (now > this.sessionExpiryMs!) {
      log.info(`closing connection ${this.peer} on listener ${this.listener.listenerName}: its SASL session expired`);
      this.close();
      return true;
    }
    if (apiKey !== 17 || now - this.lastReauthStartMs < 1000) return false;
    this.lastReauthStartMs = now;
    this.gate = new SaslAuthenticator(this.saslSettings!, this.authenticatorPort(), { mechanism: this.saslMechanism, principal: this.principal });
    return false;
  }

  /** How the SASL exchange answers through this connection, in order with its other responses. */
  private authenticatorPort(): AuthenticatorPort {
    return {
      respond: (apiKey: number, apiVersion: number, correlationId: number, codec: Codec<any>, response: unknown) => {
        const slot = newSlot(0);
        this.queue.push(slot);
        this.complete(slot, codec, apiKey, apiVersion, correlationId, response);
      },
      respondRaw: (token: Buffer) => {
        const slot = newSlot(0);
        const size = Buffer.alloc(4);
        size.writeInt32BE(token.length);
        slot.chunks = [size, token];
        slot.bytes = 4 + token.length;
        this.queuedResponseBytes += slot.bytes;
        slot.done = true;
        this.queue.push(slot);
        this.flush();
      },
      fail: (reason: string) => {
        if (this.closing || this.closed) return;
        log.info(`closing connection ${this.peer} on listener ${this.listener.listenerName}: ${reason}`);
        this.stopReading();
        this.decoder.clear();
        // What is queued (the failure's answer) still leaves; flush() ends the socket after it.
        if (this.queue.length === 0) this.socket.end();
      },
      busy: (on: boolean) => {
        this.authBusy = on;
        if (!on) this.wake();
      },
      authenticated: (principal: KafkaPrincipal, session) => {
        this.principal = principal;
        this.saslMechanism = session.mechanism;
        this.sessionExpiryMs = session.sessionExpiryMs;
        this.gate = null;
        this.decoder.setMaxFrameBytes(this.limits.maxFrameBytes);
      },
      servesApiVersions: (apiVersion: number) => {
        const h = this.listener.registry.get(18);
        return h !== undefined && apiVersion >= h.minVersion && apiVersion <= h.maxVersion;
      },
    };
  }

  /** Kafka answers an ApiVersions it can't parse with v0 and its ranges, so the client can pick. */
  private respondUnsupportedVersion(handler: ServedApi<any>, apiKey: number, correlationId: number): void {
    const slot = newSlot(0);
    this.queue.push(slot);
    const response = handler.unsupportedVersion!(this.listener.context(this.requestInfo(apiKey, 0, correlationId, null, slot)));
    this.complete(slot, handler.response, apiKey, 0, correlationId, response);
  }
}
