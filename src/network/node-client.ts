// The inter-node Kafka client: one pooled connection per peer node, requests correlated to their
// responses by correlation id, a timeout per request (controller.quorum.request.timeout.ms), and
// reconnects with exponential backoff. Versions are fixed by the caller (what Kafka 4.4 sends
// between its own nodes), so no ApiVersions round trip. Requests to a node that is backing off
// after a failed connection fail at once (Kafka's raft client answers BROKER_NOT_AVAILABLE then),
// and each peer holds a bounded number of requests. A shared NodeFaults drops, delays or cuts
// traffic between node pairs for tests.
import net from 'node:net';
import tls from 'node:tls';
import { log } from '../log.js';
import { ErrorCode } from '../protocol/errors.js';
import { SaslAuthenticateRequest } from '../protocol/generated/sasl-authenticate-request.js';
import { SaslAuthenticateResponse } from '../protocol/generated/sasl-authenticate-response.js';
import { SaslHandshakeRequest } from '../protocol/generated/sasl-handshake-request.js';
import { SaslHandshakeResponse } from '../protocol/generated/sasl-handshake-response.js';
import type { ClientSecurity } from '../security/listener-security.js';
import { requestHeaderVersion, responseHeaderVersion } from '../protocol/headers.js';
import type { Codec } from '../protocol/generated/index.js';
import { RequestHeader } from '../protocol/generated/request-header.js';
import { ResponseHeader } from '../protocol/generated/response-header.js';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { FrameDecoder } from './frame-decoder.js';
import type { NodeFaults } from './node-faults.js';

export interface NodeEndpoint {
  host: string;
  port: number;
}

export interface NodeClientOptions {
  /** This node's id (for the fault layer and the default client id). */
  nodeId: number;
  clientId?: string;
  /** controller.quorum.request.timeout.ms (Kafka's default 2000). */
  requestTimeoutMs: number;
  /** reconnect.backoff.ms / reconnect.backoff.max.ms (Kafka's defaults 50 / 1000). */
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  /** Requests one peer may hold (waiting for the connection or in flight) before new ones fail. */
  maxQueuedRequests?: number;
  /** socket.connection.setup.timeout.ms (Kafka's default 10000): a connection not up by then is abandoned. */
  connectTimeoutMs?: number;
  maxResponseBytes?: number;
  faults?: NodeFaults;
  /** TLS and SASL towards the peers' listener (SSL / SASL_* inter-broker or controller listeners); none: PLAINTEXT. */
  security?: ClientSecurity | null;
}

/** The peer refused this node's SASL credentials or mechanism. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

/** The peer did not answer within the request timeout (the connection is closed, as Kafka does). */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';
}
/** No connection to the peer: refused, cut, backing off, or no endpoint known. */
export class NodeUnavailableError extends Error {
  override name = 'NodeUnavailableError';
}

interface Pending {
  apiKey: number;
  version: number;
  correlationId: number;
  frame: Buffer[];
  decode: (r: Reader) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

type State = 'idle' | 'connecting' | 'ready' | 'backoff';

class PeerConnection {
  state: State = 'idle';
  private socket: net.Socket | null = null;
  private decoder: FrameDecoder | null = null;
  /** Written, waiting for the response, by correlation id. */
  private readonly inFlight = new Map<number, Pending>();
  /** Waiting for the connection. */
  private waiting: Pending[] = [];
  private failures = 0;
  private retryAt = 0;

  constructor(
    private readonly client: NodeClient,
    readonly nodeId: number,
    public endpoint: NodeEndpoint,
  ) {}

  get size(): number {
    return this.inFlight.size + this.waiting.length;
  }

  submit(p: Pending): void {
    if (this.state === 'backoff') {
      if (Date.now() < this.retryAt) return this.fail(p, new NodeUnavailableError(`node ${this.nodeId} is not reachable (reconnect backoff)`));
      this.state = 'idle';
    }
    if (this.state === 'ready') return this.write(p);
    this.waiting.push(p);
    if (this.state === 'idle') this.connect();
  }

  /** The request timed out or was black-holed: forget it and close, so a late answer can't be taken for another. */
  expire(p: Pending): void {
    if (this.inFlight.get(p.correlationId) === p) this.disconnect(`request ${p.correlationId} (api key ${p.apiKey}) timed out`);
    else this.waiting = this.waiting.filter((w) => w !== p);
  }

  private connect(): void {
    this.state = 'connecting';
    const security = this.client.security;
    const { host, port } = this.endpoint;
    const socket = security?.tls ? tls.connect({ host, port, ...security.tls(host) }) : net.connect({ host, port });
    this.socket = socket;
    this.decoder = new FrameDecoder(this.client.maxResponseBytes);
    socket.setNoDelay(true);
    // A peer that never answers the handshake (a dropped SYN) is given up on, as Kafka does.
    const setup = setTimeout(() => {
      if (this.socket === socket && this.state === 'connecting') this.disconnect(`connection setup timed out after ${this.client.connectTimeoutMs} ms`);
    }, this.client.connectTimeoutMs);
    socket.once('close', () => clearTimeout(setup));
    const connected = (): void => {
      if (this.socket !== socket) return;
      if (!security?.sasl) return this.ready(socket, setup);
      this.authenticate(security.sasl).then(
        () => this.ready(socket, setup),
        (e: Error) => {
          if (this.socket !== socket) return;
          log.warn(`node ${this.client.nodeId} -> node ${this.nodeId}: SASL authentication failed: ${e.message}`);
          this.disconnect(`SASL authentication failed: ${e.message}`);
        },
      );
    };
    socket.on(security?.tls ? 'secureConnect' : 'connect', connected);
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (e) => log.debug(`node ${this.client.nodeId} -> node ${this.nodeId}: ${e.message}`));
    socket.on('close', () => {
      if (this.socket === socket) this.disconnect('connection closed');
    });
  }

  /** Kafka's SASL client exchange: SaslHandshake v1 naming the mechanism, then its tokens in SaslAuthenticate v2. */
  private async authenticate(sasl: NonNullable<ClientSecurity['sasl']>): Promise<void> {
    const handshake = await this.exchange(SaslHandshakeRequest, SaslHandshakeResponse, 1, { mechanism: sasl.mechanism });
    if (handshake.errorCode !== ErrorCode.NONE) {
      throw new AuthenticationError(`the peer does not accept SASL mechanism ${sasl.mechanism} (enabled: ${handshake.mechanisms.join(', ')})`);
    }
    const client = sasl.client();
    let token: Buffer | null = client.initial();
    while (token !== null) {
      const res = await this.exchange(SaslAuthenticateRequest, SaslAuthenticateResponse, 2, { authBytes: token });
      if (res.errorCode !== ErrorCode.NONE) throw new AuthenticationError(res.errorMessage ?? `error code ${res.errorCode}`);
      token = client.evaluate(Buffer.from(res.authBytes));
    }
  }

  /** One request written before the connection is ready (the SASL exchange). */
  private exchange<Req, Res>(requestCodec: Codec<Req>, responseCodec: Codec<Res>, version: number, request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const p = this.client.pending(requestCodec, responseCodec, version, request, resolve, reject, () => this.expire(p));
      this.write(p);
    });
  }

  private ready(socket: net.Socket, setup: NodeJS.Timeout): void {
    clearTimeout(setup);
    if (this.socket !== socket) return;
    this.state = 'ready';
    this.failures = 0;
    const localPort = socket.localPort ?? 0;
    this.client.faults?.registerClientPort(localPort, this.client.nodeId);
    // Unregistered only once closed, so servers judging the same fault change still know it.
    socket.once('close', () => this.client.faults?.unregisterClientPort(localPort));
    const waiting = this.waiting;
    this.waiting = [];
    for (const p of waiting) this.write(p);
  }

  private write(p: Pending): void {
    this.inFlight.set(p.correlationId, p);
    const socket = this.socket!;
    const faults = this.client.faults;
    const delay = faults?.delayOf(this.client.nodeId, this.nodeId) ?? 0;
    const send = (): void => {
      if (this.socket !== socket || this.inFlight.get(p.correlationId) !== p) return;
      // A lost request: the peer never sees it and the caller's timeout fires.
      if (faults?.blocked(this.client.nodeId, this.nodeId)) return;
      socket.cork();
      for (const c of p.frame) socket.write(c);
      socket.uncork();
    };
    if (delay > 0) setTimeout(send, delay);
    else send();
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    const decoder = this.decoder!;
    decoder.push(chunk);
    for (let frame = decoder.next(); frame !== null; frame = decoder.next()) {
      if (frame.length < 4) return this.disconnect('response shorter than its header');
      const correlationId = frame.readInt32BE(0);
      const p = this.inFlight.get(correlationId);
      if (p === undefined) return this.disconnect(`response with unknown correlation id ${correlationId}`);
      // A lost response: the request stays in flight until it times out.
      if (this.client.faults?.blocked(this.nodeId, this.client.nodeId)) continue;
      this.inFlight.delete(correlationId);
      const delay = this.client.faults?.delayOf(this.nodeId, this.client.nodeId) ?? 0;
      if (delay > 0) setTimeout(() => this.deliver(p, frame), delay);
      else this.deliver(p, frame);
      if (this.socket !== socket) return;
    }
    if (decoder.error) this.disconnect(decoder.error);
  }

  private deliver(p: Pending, frame: Buffer): void {
    clearTimeout(p.timer);
    let response: unknown;
    try {
      const r = new Reader(frame);
      ResponseHeader.decode(r, responseHeaderVersion(p.apiKey, p.version));
      response = p.decode(r);
    } catch (e) {
      p.reject(new Error(`malformed response to api key ${p.apiKey} v${p.version} from node ${this.nodeId}: ${(e as Error).message}`));
      return;
    }
    p.resolve(response);
  }

  /** Fails everything held and backs off before the next connection attempt. */
  disconnect(reason: string): void {
    const socket = this.socket;
    if (socket === null && this.state !== 'connecting') return;
    this.socket = null;
    this.decoder = null;
    socket?.destroy();
    this.failures++;
    const base = Math.min(this.client.backoffMaxMs, this.client.backoffMs * 2 ** (this.failures - 1));
    // Kafka jitters reconnects by ±20% so peers do not retry in lock step.
    this.retryAt = Date.now() + base * (0.8 + 0.4 * Math.random());
    this.state = 'backoff';
    const failed = [...this.inFlight.values(), ...this.waiting];
    this.inFlight.clear();
    this.waiting = [];
    if (failed.length > 0) log.debug(`node ${this.client.nodeId} -> node ${this.nodeId}: ${reason}`);
    for (const p of failed) this.fail(p, new NodeUnavailableError(`node ${this.nodeId}: ${reason}`));
  }

  private fail(p: Pending, e: Error): void {
    clearTimeout(p.timer);
    p.reject(e);
  }

  close(): void {
    this.disconnect('client closed');
  }
}

export class NodeClient {
  readonly nodeId: number;
  readonly faults: NodeFaults | undefined;
  readonly backoffMs: number;
  readonly backoffMaxMs: number;
  readonly maxResponseBytes: number;
  readonly connectTimeoutMs: number;
  readonly security: ClientSecurity | null;
  private readonly clientId: string;
  private readonly requestTimeoutMs: number;
  private readonly maxQueued: number;
  private readonly peers = new Map<number, PeerConnection>();
  private nextCorrelationId = 0;
  private closed = false;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(options: NodeClientOptions) {
    this.nodeId = options.nodeId;
    this.clientId = options.clientId ?? `raft-client-${options.nodeId}`;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.backoffMs = options.reconnectBackoffMs ?? 50;
    this.backoffMaxMs = options.reconnectBackoffMaxMs ?? 1000;
    this.maxQueued = options.maxQueuedRequests ?? 1024;
    this.maxResponseBytes = options.maxResponseBytes ?? 100 * 1024 * 1024;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.faults = options.faults;
    this.security = options.security ?? null;
    this.unsubscribe = this.faults?.onChange(() => this.applyFaults());
  }

  /** Where a peer listens; a changed endpoint closes the old connection. */
  setEndpoint(nodeId: number, endpoint: NodeEndpoint): void {
    const peer = this.peers.get(nodeId);
    if (peer === undefined) {
      this.peers.set(nodeId, new PeerConnection(this, nodeId, endpoint));
    } else if (peer.endpoint.host !== endpoint.host || peer.endpoint.port !== endpoint.port) {
      peer.close();
      peer.endpoint = endpoint;
    }
  }

  hasEndpoint(nodeId: number): boolean {
    return this.peers.has(nodeId);
  }

  /**
   * Sends `request` at `version` to the node and resolves with its decoded response. Rejects with
   * RequestTimeoutError after the timeout, NodeUnavailableError when there is no connection.
   */
  send<Req, Res>(to: number, requestCodec: Codec<Req>, responseCodec: Codec<Res>, version: number, request: Req, timeoutMs = this.requestTimeoutMs): Promise<Res> {
    if (this.closed) return Promise.reject(new NodeUnavailableError('the node client is closed'));
    const peer = this.peers.get(to);
    if (peer === undefined) return Promise.reject(new NodeUnavailableError(`no endpoint known for node ${to}`));
    if (peer.size >= this.maxQueued) return Promise.reject(new NodeUnavailableError(`node ${to} already has ${peer.size} requests queued`));
    return new Promise<Res>((resolve, reject) => {
      const p = this.pending(requestCodec, responseCodec, version, request, resolve, reject, () => {
        reject(new RequestTimeoutError(`node ${to} did not answer api key ${requestCodec.apiKey} v${version} within ${timeoutMs} ms`));
        peer.expire(p);
      }, timeoutMs);
      peer.submit(p);
    });
  }

  /** A request framed with the next correlation id, timing out after `timeoutMs`. */
  pending<Req, Res>(
    requestCodec: Codec<Req>,
    responseCodec: Codec<Res>,
    version: number,
    request: Req,
    resolve: (v: Res) => void,
    reject: (e: Error) => void,
    onTimeout: () => void,
    timeoutMs = this.requestTimeoutMs,
  ): Pending {
    const apiKey = requestCodec.apiKey;
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) | 0;
    const w = new Writer();
    const at = w.reserveInt32();
    RequestHeader.encode(w, requestHeaderVersion(apiKey, version), {
      requestApiKey: apiKey,
      requestApiVersion: version,
      correlationId,
      clientId: this.clientId,
    });
    requestCodec.encode(w, version, request);
    w.patchInt32(at, w.length - 4);
    return {
      apiKey,
      version,
      correlationId,
      frame: w.toChunks(),
      decode: (r) => responseCodec.decode(r, version),
      resolve: resolve as (v: unknown) => void,
      reject,
      timer: setTimeout(onTimeout, timeoutMs),
    };
  }

  /** A fault now separates us from a peer: cut the connection as a partition would. */
  private applyFaults(): void {
    for (const peer of this.peers.values()) {
      if (this.faults!.cut(this.nodeId, peer.nodeId)) peer.disconnect('cut by the fault layer');
    }
  }

  /** Fails every outstanding request and closes the connections. */
  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    for (const peer of this.peers.values()) peer.close();
  }
}
