// The broker side of cluster membership (Kafka's BrokerLifecycleManager): register with the
// active controller, then heartbeat every broker.heartbeat.interval.ms reporting how far the
// metadata log is replayed. STARTING until the controller says we caught up with our
// registration, RECOVERY (fenced) until unfenced, RUNNING after; a controlled shutdown
// heartbeats wantShutDown until the controller lets us go. Failures back off exponentially
// (100 ms doubling up to half the session timeout, as Kafka); a heartbeat refused for a stale
// epoch registers again.
import { log } from '../log.js';
import { ErrorCode } from '../protocol/errors.js';
import { BrokerRegistrationRequest, type BrokerRegistrationRequestListener } from '../protocol/generated/broker-registration-request.js';
import { BrokerRegistrationResponse } from '../protocol/generated/broker-registration-response.js';
import { BrokerHeartbeatRequest } from '../protocol/generated/broker-heartbeat-request.js';
import { BrokerHeartbeatResponse } from '../protocol/generated/broker-heartbeat-response.js';
import { SUPPORTED_FEATURES } from '../metadata/features.js';
import { randomUuid } from '../metadata/uuid.js';
import type { ControllerChannel } from './controller-channel.js';

/** Kafka's BrokerState names. */
export type BrokerState = 'NOT_RUNNING' | 'STARTING' | 'RECOVERY' | 'RUNNING' | 'PENDING_CONTROLLED_SHUTDOWN' | 'SHUTTING_DOWN';

/** The versions a Kafka 4.4 broker sends. */
const REGISTRATION_VERSION = 4;
const HEARTBEAT_VERSION = 2;
const INITIAL_BACKOFF_MS = 100;
/** After a successful STARTING heartbeat Kafka asks again in 10 ms, so brokers with nothing to recover start quickly. */
const STARTING_HEARTBEAT_MS = 10;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface BrokerLifecycleOptions {
  nodeId: number;
  clusterId: string;
  /** This process's incarnation (a fresh one each start). */
  incarnationId?: string;
  listeners: BrokerRegistrationRequestListener[];
  rack: string | null;
  /** Directory ids of the log dirs (meta.properties' directory.id). */
  logDirs: string[];
  /** The epoch before a clean shutdown (-1: unknown or unclean). */
  previousBrokerEpoch?: number;
  channel: Pick<ControllerChannel, 'send'>;
  /** The offset of the last metadata record this broker replayed. */
  metadataOffset(): number;
  heartbeatIntervalMs: number;
  sessionTimeoutMs: number;
  timers?: Timers;
}

export class BrokerLifecycleManager {
  readonly incarnationId: string;
  private _state: BrokerState = 'NOT_RUNNING';
  private _brokerEpoch = -1;
  private registered = false;
  private readyToUnfence = false;
  private failedAttempts = 0;
  private inFlight = false;
  private immediate = false;
  private timer: unknown = null;
  private readonly timers: Timers;
  private gotControlledShutdownResponse = false;
  private readonly caughtUp = deferred();
  private readonly unfenced = deferred();
  private readonly shutdownGranted = deferred();

  constructor(private readonly o: BrokerLifecycleOptions) {
    this.incarnationId = o.incarnationId ?? randomUuid();
    this.timers = o.timers ?? REAL_TIMERS;
  }

  get state(): BrokerState {
    return this._state;
  }

  /** The epoch the controller gave this incarnation (-1 before registration). */
  get brokerEpoch(): number {
    return this._brokerEpoch;
  }

  /** Resolves once the controller says this broker replayed the metadata up to its registration. */
  get initialCatchUp(): Promise<void> {
    return this.caughtUp.promise;
  }

  /** Resolves once the controller unfenced this broker (it may serve clients). */
  get initialUnfence(): Promise<void> {
    return this.unfenced.promise;
  }

  start(): void {
    this._state = 'STARTING';
    this.schedule(0);
  }

  /** Start-up finished (logs recovered): heartbeats stop asking to stay fenced. */
  setReadyToUnfence(): void {
    this.readyToUnfence = true;
    this.immediate = true;
    if (!this.inFlight) this.schedule(0);
  }

  /** Asks the controller to let this broker go; resolves when it may shut down. */
  beginControlledShutdown(): Promise<void> {
    if (this._state === 'RUNNING' || this._state === 'RECOVERY' || this._state === 'STARTING') {
      log.info(`broker ${this.o.nodeId}: transitioning from ${this._state} to PENDING_CONTROLLED_SHUTDOWN`);
      this._state = 'PENDING_CONTROLLED_SHUTDOWN';
      this.immediate = true;
      if (!this.inFlight) this.schedule(0);
    }
    if (!this.registered) this.shutdownGranted.resolve();
    return this.shutdownGranted.promise;
  }

  close(): void {
    this._state = 'SHUTTING_DOWN';
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.shutdownGranted.resolve();
  }

  private schedule(ms: number): void {
    if (this._state === 'SHUTTING_DOWN') return;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    const delay = this.immediate ? 0 : ms;
    this.immediate = false;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.communicate();
    }, delay);
  }

  private afterFailure(): void {
    const delay = Math.min(INITIAL_BACKOFF_MS * 2 ** this.failedAttempts, this.o.sessionTimeoutMs / 2);
    this.failedAttempts++;
    this.immediate = false;
    this.schedule(delay);
  }

  private communicate(): void {
    if (this._state === 'SHUTTING_DOWN') return;
    if (this.inFlight) {
      this.immediate = true;
      return;
    }
    this.inFlight = true;
    const done = this.registered ? this.heartbeat() : this.register();
    done.finally(() => {
      this.inFlight = false;
      if (this.immediate && this.timer === null) this.schedule(0);
    });
  }

  private async register(): Promise<void> {
    const request: BrokerRegistrationRequest = {
      brokerId: this.o.nodeId,
      clusterId: this.o.clusterId,
      incarnationId: this.incarnationId,
      listeners: this.o.listeners,
      features: SUPPORTED_FEATURES.map((f) => ({ name: f.name, minSupportedVersion: f.minVersion, maxSupportedVersion: f.maxVersion })),
      rack: this.o.rack,
      isMigratingZkBroker: false,
      logDirs: [...this.o.logDirs].sort(),
      previousBrokerEpoch: this.o.previousBrokerEpoch ?? -1,
    };
    let res: BrokerRegistrationResponse;
    try {
      res = await this.o.channel.send(BrokerRegistrationRequest, BrokerRegistrationResponse, REGISTRATION_VERSION, request);
    } catch (e) {
      log.info(`broker ${this.o.nodeId}: unable to register: ${(e as Error).message}`);
      return this.afterFailure();
    }
    if (res.errorCode !== ErrorCode.NONE) {
      log.info(`broker ${this.o.nodeId}: unable to register because the controller returned error ${res.errorCode}`);
      return this.afterFailure();
    }
    this.failedAttempts = 0;
    this._brokerEpoch = res.brokerEpoch;
    this.registered = true;
    log.info(`broker ${this.o.nodeId}: registered with broker epoch ${res.brokerEpoch}`);
    this.schedule(0);
  }

  private async heartbeat(): Promise<void> {
    const request: BrokerHeartbeatRequest = {
      brokerId: this.o.nodeId,
      brokerEpoch: this._brokerEpoch,
      currentMetadataOffset: this.o.metadataOffset(),
      wantFence: !this.readyToUnfence,
      wantShutDown: this._state === 'PENDING_CONTROLLED_SHUTDOWN',
      offlineLogDirs: [],
    };
    let res: BrokerHeartbeatResponse;
    try {
      res = await this.o.channel.send(BrokerHeartbeatRequest, BrokerHeartbeatResponse, HEARTBEAT_VERSION, request);
    } catch (e) {
      log.debug(`broker ${this.o.nodeId}: heartbeat failed: ${(e as Error).message}`);
      return this.afterFailure();
    }
    if (res.errorCode !== ErrorCode.NONE) {
      // Our registration is gone or replaced (e.g. unregistered): register again.
      if (res.errorCode === ErrorCode.STALE_BROKER_EPOCH) this.registered = false;
      log.debug(`broker ${this.o.nodeId}: heartbeat answered with error ${res.errorCode}`);
      return this.afterFailure();
    }
    this.failedAttempts = 0;
    switch (this._state) {
      case 'STARTING':
        if (res.isCaughtUp) {
          log.info(`broker ${this.o.nodeId}: caught up with the cluster metadata; transitioning from STARTING to RECOVERY`);
          this._state = 'RECOVERY';
          this.caughtUp.resolve();
        }
        return this.schedule(STARTING_HEARTBEAT_MS);
      case 'RECOVERY':
        if (!res.isFenced) {
          log.info(`broker ${this.o.nodeId}: unfenced; transitioning from RECOVERY to RUNNING`);
          this._state = 'RUNNING';
          this.unfenced.resolve();
        }
        return this.schedule(this.o.heartbeatIntervalMs);
      case 'PENDING_CONTROLLED_SHUTDOWN':
        if (res.shouldShutDown) {
          log.info(`broker ${this.o.nodeId}: the controller let us shut down`);
          this._state = 'SHUTTING_DOWN';
          this.shutdownGranted.resolve();
          return;
        }
        // The first answer comes sooner: controlled shutdown often completes quickly.
        this.schedule(this.gotControlledShutdownResponse ? this.o.heartbeatIntervalMs : 50);
        this.gotControlledShutdownResponse = true;
        return;
      default:
        return this.schedule(this.o.heartbeatIntervalMs);
    }
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
