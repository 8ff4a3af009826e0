// One TCP listener (Kafka's `listeners` entry): accepts connections within Kafka's connection
// limits, serves the APIs of its registry with contexts from its owner's factory, and closes them
// all on shutdown, optionally after answering the requests already being handled.
import net from 'node:net';
import tls from 'node:tls';
import type { BrokerConfig } from '../config.js';
import { log } from '../log.js';
import type { ApiRegistry, ListenerApis, RequestInfo, RequestObserver } from './api.js';
import { Connection, type ConnectionLimits } from './connection.js';
import type { ListenerSecurity } from '../security/listener-security.js';
import { ANONYMOUS } from '../security/principal.js';

export interface ServerOptions<Ctx extends RequestInfo> {
  /** Kafka's listener name (PLAINTEXT, CONTROLLER, ...): requests carry it to their handlers. */
  listenerName: string;
  /** What this listener serves; its ApiVersions advertises exactly these. */
  registry: ApiRegistry<Ctx>;
  /** Makes a handler's context from what the connection knows of a request. */
  context(info: RequestInfo): Ctx;
  /** Static settings: frame size, queued requests, idle timeout, listen backlog. */
  config: BrokerConfig;
  /** The settings in force now, read for each new connection (Kafka's connection limits are dynamic); default `config`. */
  currentConfig?: () => BrokerConfig;
  /** TLS and SASL of an SSL / SASL_* listener (src/security/listener-security.ts); none for PLAINTEXT. */
  security?: ListenerSecurity | null;
  /**
   * Rebuilds the listener's security from the settings in force (dynamic configs may have changed
   * its key store, trust store or JAAS config); called for a new connection when the settings
   * object changed, the security replaced when `fingerprint` differs. New connections only.
   */
  reloadSecurity?: { fingerprint(config: BrokerConfig): string; build(config: BrokerConfig): ListenerSecurity | null };
  /** Sees each answered request (request metrics). */
  observer?: RequestObserver;
  /**
   * A new connection from `ip`: above zero, the ms to hold it unread before closing it (Kafka's
   * per-IP connection_creation_rate quota, KIP-612); checked before max.connections.per.ip.
   */
  connectionThrottleMs?(ip: string): number;
  /**
   * The broker-wide and listener connection creation rates (KIP-612's max.connection.creation.rate):
   * `throttleMs` records a new connection and says how long the acceptor waits before serving it
   * (connections behind it wait too); `unrecord` takes it back when its address's rate refuses it.
   */
  creationRate?: { throttleMs(): number; unrecord(): void };
}

export class Server<Ctx extends RequestInfo = RequestInfo> {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  /** Open connections by client address (max.connections.per.ip). */
  private readonly perIp = new Map<string, number>();
  /**
   * Sockets over max.connections, not read until a connection closes: Kafka's acceptor stops
   * accepting then, leaving them in the listen backlog, so they wait rather than fail.
   */
  private readonly waiting: { socket: net.Socket; ip: string }[] = [];
  private readonly limits: ConnectionLimits;
  private closing = false;
  private overrides: { raw: string; map: Map<string, number> } = { raw: '', map: new Map() };
  private readonly apis: ListenerApis<Ctx>;
  private readonly staticConfig: BrokerConfig;
  private readonly currentConfig: () => BrokerConfig;
  private security: ListenerSecurity | null;
  private readonly reloadSecurity: ServerOptions<Ctx>['reloadSecurity'];
  /** The settings object and fingerprint `security` was last checked against. */
  private securityChecked: { config: BrokerConfig; fingerprint: string } | null = null;
  /** TLS sockets still in their handshake (closed with the listener). */
  private readonly handshaking = new Set<tls.TLSSocket>();
  private readonly connectionThrottleMs: ServerOptions<Ctx>['connectionThrottleMs'];
  /** Connections over their address's connection rate, closed when their throttle time is up. */
  private readonly throttled = new Map<net.Socket, NodeJS.Timeout>();
  private readonly creationRate: ServerOptions<Ctx>['creationRate'];
  /** While the acceptor waits out a connection creation rate: the wait and the sockets accepted behind it. */
  private acceptorWait: { socket: net.Socket; timer: NodeJS.Timeout } | null = null;
  private readonly acceptQueue: net.Socket[] = [];

  constructor(options: ServerOptions<Ctx>) {
    this.apis = { listenerName: options.listenerName, registry: options.registry, context: options.context, observer: options.observer };
    this.staticConfig = options.config;
    this.currentConfig = options.currentConfig ?? (() => options.config);
    this.security = options.security ?? null;
    this.reloadSecurity = options.reloadSecurity;
    this.connectionThrottleMs = options.connectionThrottleMs;
    this.creationRate = options.creationRate;
    if (this.reloadSecurity) this.securityChecked = { config: options.config, fingerprint: this.reloadSecurity.fingerprint(options.config) };
    const c = options.config;
    this.limits = {
      maxFrameBytes: c.number('socket.request.max.bytes'),
      maxInFlight: Math.max(1, c.number('queued.max.requests')),
      idleMs: Math.max(0, c.number('connections.max.idle.ms')),
    };
    this.server = net.createServer((socket) => this.accept(socket));
  }

  get listenerName(): string {
    return this.apis.listenerName;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, backlog: this.staticConfig.number('socket.listen.backlog.size') }, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Connection limits are dynamic in Kafka: read them for each new connection. */
  private config(): BrokerConfig {
    return this.currentConfig();
  }

  /** Kafka's acceptor: one connection at a time, waiting out the connection creation rates before the next. */
  private accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    // Unread until served (no 'data' listener yet), as sockets left in Kafka's listen backlog.
    if (this.acceptorWait) {
      socket.on('error', () => {});
      this.acceptQueue.push(socket);
      return;
    }
    const waitMs = this.creationRate?.throttleMs() ?? 0;
    if (waitMs <= 0) return this.admit(socket);
    log.debug(`listener ${this.apis.listenerName}: waiting ${waitMs} ms before serving the next connection (max.connection.creation.rate)`);
    socket.on('error', () => {});
    const timer = setTimeout(() => {
      this.acceptorWait = null;
      this.admit(socket);
      while (this.acceptQueue.length > 0 && !this.acceptorWait) this.accept(this.acceptQueue.shift()!);
    }, waitMs);
    this.acceptorWait = { socket, timer };
  }

  private admit(socket: net.Socket): void {
    if (this.closing || socket.destroyed) {
      socket.destroy();
      return;
    }
    const ip = clientAddress(socket);
    const delayMs = this.connectionThrottleMs?.(ip) ?? 0;
    if (delayMs > 0) {
      this.creationRate?.unrecord();
      log.debug(`delaying the close of connection from ${ip} for ${delayMs} ms (connection_creation_rate)`);
      socket.pause();
      socket.on('error', () => {});
      this.throttled.set(socket, setTimeout(() => {
        this.throttled.delete(socket);
        socket.destroy();
      }, delayMs));
      return;
    }
    const config = this.config();
    const perIpMax = this.perIpLimit(config, ip);
    const held = this.perIp.get(ip) ?? 0;
    if (held >= perIpMax) {
      log.info(`rejected connection from ${ip}: the address already has the configured maximum of ${perIpMax} connections (max.connections.per.ip)`);
      socket.destroy();
      return;
    }
    this.perIp.set(ip, held + 1);
    socket.once('close', () => this.release(ip, socket));
    // Those already waiting go first (the limit may have been raised since).
    this.admitWaiting();
    if (this.waiting.length > 0 || this.connections.size >= config.number('max.connections')) {
      const backlog = config.number('socket.listen.backlog.size');
      if (this.waiting.length >= backlog) {
        log.info(`rejected connection from ${ip}: max.connections reached and ${backlog} connections already wait`);
        socket.destroy();
        return;
      }
      socket.on('error', () => {});
      this.waiting.push({ socket, ip });
      return;
    }
    this.open(socket);
  }

  private open(socket: net.Socket): void {
    const security = this.reloadSecurity ? this.currentSecurity() : this.security;
    if (security === null) return this.serve(socket, null);
    if (security.tls === null) return this.serve(socket, { securityProtocol: security.securityProtocol, principal: ANONYMOUS, sasl: security.sasl });
    this.openTls(socket, security);
  }

  /** The listener's security, rebuilt first if the settings in force changed what it is made of. */
  private currentSecurity(): ListenerSecurity | null {
    const config = this.config();
    const checked = this.securityChecked!;
    if (config === checked.config) return this.security;
    const fingerprint = this.reloadSecurity!.fingerprint(config);
    this.securityChecked = { config, fingerprint };
    if (fingerprint === checked.fingerprint) return this.security;
    try {
      this.security = this.reloadSecurity!.build(config);
      log.info(`listener ${this.apis.listenerName}: security settings reloaded for new connections`);
    } catch (e) {
      // Kafka refuses such an update; the listener keeps what it had.
      log.warn(`listener ${this.apis.listenerName}: new security settings not applied: ${(e as Error).message}`);
    }
    return this.security;
  }

  private serve(socket: net.Socket, security: ConstructorParameters<typeof Connection>[4]): void {
    const c = new Connection(
      socket,
      this.apis,
      this.limits,
      (closed) => {
        this.connections.delete(closed);
        this.admitWaiting();
      },
      security,
    );
    this.connections.add(c);
  }

  /** The TLS handshake first; the connection is served once it is done, with the client certificate's principal. */
  private openTls(socket: net.Socket, security: ListenerSecurity): void {
    const { options, clientAuth } = security.tls!;
    const secure = new tls.TLSSocket(socket, { ...options, isServer: true });
    this.handshaking.add(secure);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    // The raw socket's 'close' releases the connection's slot: make sure it follows the TLS socket's.
    secure.once('close', () => {
      this.handshaking.delete(secure);
      socket.destroy();
    });
    secure.on('error', (e) => log.debug(`TLS connection ${peer} on listener ${this.apis.listenerName}: ${e.message}`));
    // A handshake that never completes holds a connection slot no longer than an idle connection.
    if (this.limits.idleMs > 0) secure.setTimeout(this.limits.idleMs, () => secure.destroy());
    secure.once('secure', () => {
      this.handshaking.delete(secure);
      secure.setTimeout(0);
      if (this.closing) return void secure.destroy();
      const cert = secure.getPeerX509Certificate();
      // 'requested': no certificate is fine, an untrusted one is not.
      const untrusted = cert === undefined ? null : verifyError(secure);
      if (untrusted !== null) {
        log.info(`closing TLS connection ${peer} on listener ${this.apis.listenerName}: client certificate not trusted (${untrusted})`);
        return void secure.destroy();
      }
      if (clientAuth === 'required' && cert === undefined) return void secure.destroy();
      let principal;
      try {
        // On SASL_SSL the SASL exchange names the principal.
        principal = security.sasl === null ? security.certificatePrincipal(cert?.subject ?? null) : ANONYMOUS;
      } catch (e) {
        log.info(`closing TLS connection ${peer} on listener ${this.apis.listenerName}: ${(e as Error).message}`);
        return void secure.destroy();
      }
      this.serve(secure, { securityProtocol: security.securityProtocol, principal, sasl: security.sasl });
    });
  }

  private release(ip: string, socket: net.Socket): void {
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, n);
    const at = this.waiting.findIndex((w) => w.socket === socket);
    if (at >= 0) this.waiting.splice(at, 1);
  }

  private admitWaiting(): void {
    if (this.closing || this.waiting.length === 0) return;
    const max = this.config().number('max.connections');
    while (this.waiting.length > 0 && this.connections.size < max) {
      const { socket } = this.waiting.shift()!;
      if (!socket.destroyed) this.open(socket);
    }
  }

  private perIpLimit(config: BrokerConfig, ip: string): number {
    const raw = config.get('max.connections.per.ip.overrides') ?? '';
    if (raw !== this.overrides.raw) this.overrides = { raw, map: parseOverrides(raw) };
    return this.overrides.map.get(ip) ?? config.number('max.connections.per.ip');
  }

  /**
   * Stops accepting. With `drainMs` > 0, first stops reading and waits (at most that long) for
   * the responses to requests already being handled; then closes every connection.
   */
  async close(drainMs = 0): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const { socket } of this.waiting.splice(0)) socket.destroy();
    if (this.acceptorWait) {
      clearTimeout(this.acceptorWait.timer);
      this.acceptorWait.socket.destroy();
      this.acceptorWait = null;
    }
    for (const socket of this.acceptQueue.splice(0)) socket.destroy();
    for (const [socket, timer] of this.throttled) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.throttled.clear();
    for (const socket of this.handshaking) socket.destroy();
    this.handshaking.clear();
    if (drainMs > 0 && this.connections.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
      await Promise.race([Promise.all([...this.connections].map((c) => c.drain())), timeout]);
      clearTimeout(timer);
    }
    for (const c of this.connections) c.close();
    await stopped;
  }
}

/**
 * Why the peer's certificate chain failed verification, or null when it passed. A tls.Server sets
 * `authorized` from this; a TLSSocket made around an accepted socket must ask its handle itself.
 */
function verifyError(socket: tls.TLSSocket): string | null {
  const handle = (socket as unknown as { _handle?: { verifyError?(): Error | null } })._handle;
  if (typeof handle?.verifyError !== 'function') return 'the TLS handle cannot tell';
  const e = handle.verifyError();
  return e ? e.message : null;
}

/** The client's address as Kafka names it: IPv4 clients on a dual-stack socket without the ::ffff: prefix. */
function clientAddress(socket: net.Socket): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** Kafka's "host:count,host:count" (IPv6 hosts keep their colons: the count follows the last one). */
export function parseOverrides(raw: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const entry of raw.split(',')) {
    const e = entry.trim();
    const at = e.lastIndexOf(':');
    if (at <= 0) continue;
    const n = Number(e.slice(at + 1));
    if (!Number.isInteger(n) || n < 0) continue;
    map.set(e.slice(0, at).replace(/^\[(.*)\]$/, '$1'), n);
  }
  return map;
}
