// The active controller's view of broker sessions (Kafka's BrokerHeartbeatManager): when each
// broker last heartbeated, the metadata offset it reported, and the state its heartbeat moves it
// to. Sans-IO: the caller passes the time; nothing here writes records or arms timers.

/** Kafka's BrokerControlState. */
export const enum BrokerControlState {
  FENCED = 'FENCED',
  UNFENCED = 'UNFENCED',
  CONTROLLED_SHUTDOWN = 'CONTROLLED_SHUTDOWN',
  SHUTDOWN_NOW = 'SHUTDOWN_NOW',
}

export function isFencedState(s: BrokerControlState): boolean {
  return s === BrokerControlState.FENCED || s === BrokerControlState.SHUTDOWN_NOW;
}

interface Session {
  lastContactMs: number;
  fenced: boolean;
  metadataOffset: number;
  /** The offset of the batch that put the broker in controlled shutdown (-1: not in it). */
  controlledShutdownOffset: number;
}

export interface HeartbeatInput {
  wantFence: boolean;
  wantShutDown: boolean;
  currentMetadataOffset: number;
}

export class BrokerHeartbeats {
  private readonly sessions = new Map<number, Session>();

  constructor(readonly sessionTimeoutMs: number) {}

  /** A broker registered (or was found registered at activation): its session starts now. */
  register(brokerId: number, fenced: boolean, nowMs: number): void {
    const s = this.sessions.get(brokerId);
    if (s) {
      s.fenced = fenced;
      s.lastContactMs = nowMs;
      if (fenced) s.controlledShutdownOffset = -1;
    } else this.sessions.set(brokerId, { lastContactMs: nowMs, fenced, metadataOffset: -1, controlledShutdownOffset: -1 });
  }

  remove(brokerId: number): void {
    this.sessions.delete(brokerId);
  }

  /** Another process claiming this id is refused while the registered one's session lasts. */
  hasValidSession(brokerId: number, nowMs: number): boolean {
    const s = this.sessions.get(brokerId);
    return s !== undefined && nowMs - s.lastContactMs < this.sessionTimeoutMs;
  }

  /**
   * A heartbeat of the broker's current epoch arrived: its session is renewed at once, before the
   * operation queue reaches the heartbeat, so a fencing check queued ahead of it sees the contact.
   */
  contact(brokerId: number, nowMs: number): void {
    const s = this.sessions.get(brokerId);
    if (s) s.lastContactMs = Math.max(s.lastContactMs, nowMs);
  }

  /**
   * The session timed out and the broker is fenced for it: Kafka 4.4 drops its contact time, so
   * the session is no longer valid and a restarted incarnation registers at once.
   */
  expire(brokerId: number): void {
    const s = this.sessions.get(brokerId);
    if (!s) return;
    s.fenced = true;
    s.metadataOffset = -1;
    s.controlledShutdownOffset = -1;
    s.lastContactMs = -Infinity;
  }

  touch(brokerId: number, fenced: boolean, metadataOffset: number, nowMs: number): void {
    const s = this.sessions.get(brokerId);
    if (!s) return;
    s.lastContactMs = nowMs;
    s.fenced = fenced;
    s.metadataOffset = metadataOffset;
    if (fenced) s.controlledShutdownOffset = -1;
  }

  /** The batch that starts a controlled shutdown decides when the broker may go (every active broker past it). */
  setControlledShutdownOffset(brokerId: number, offset: number): void {
    const s = this.sessions.get(brokerId);
    if (s && !s.fenced && s.controlledShutdownOffset < 0) s.controlledShutdownOffset = offset;
  }

  state(brokerId: number): BrokerControlState {
    const s = this.sessions.get(brokerId);
    if (!s || s.fenced) return BrokerControlState.FENCED;
    return s.controlledShutdownOffset >= 0 ? BrokerControlState.CONTROLLED_SHUTDOWN : BrokerControlState.UNFENCED;
  }

  /** The lowest metadata offset reported by an unfenced broker not shutting down (Kafka's lowestActiveOffset). */
  private lowestActiveOffset(): number {
    let lowest = Number.MAX_SAFE_INTEGER;
    for (const s of this.sessions.values()) {
      if (!s.fenced && s.controlledShutdownOffset < 0) lowest = Math.min(lowest, s.metadataOffset);
    }
    return lowest;
  }

  /**
   * The state a heartbeat moves the broker to (Kafka's calculateNextBrokerState): a fenced
   * broker is unfenced once its metadata offset reaches its registration record; one that wants
   * to shut down goes at once unless it leads partitions, then waits in controlled shutdown until
   * they moved and every active broker has seen that.
   */
  nextState(brokerId: number, req: HeartbeatInput, registrationOffset: number, hasLeaderships: () => boolean): [BrokerControlState, BrokerControlState] {
    const current = this.state(brokerId);
    switch (current) {
      case BrokerControlState.FENCED:
        if (req.wantShutDown) return [current, BrokerControlState.SHUTDOWN_NOW];
        if (!req.wantFence && req.currentMetadataOffset >= registrationOffset) return [current, BrokerControlState.UNFENCED];
        return [current, BrokerControlState.FENCED];
      case BrokerControlState.UNFENCED:
        if (req.wantFence) return [current, req.wantShutDown ? BrokerControlState.SHUTDOWN_NOW : BrokerControlState.FENCED];
        if (req.wantShutDown) return [current, hasLeaderships() ? BrokerControlState.CONTROLLED_SHUTDOWN : BrokerControlState.SHUTDOWN_NOW];
        return [current, BrokerControlState.UNFENCED];
      case BrokerControlState.CONTROLLED_SHUTDOWN: {
        if (hasLeaderships()) return [current, current];
        const offset = this.sessions.get(brokerId)!.controlledShutdownOffset;
        return [current, offset <= this.lowestActiveOffset() ? BrokerControlState.SHUTDOWN_NOW : current];
      }
      default:
        return [current, BrokerControlState.SHUTDOWN_NOW];
    }
  }

  /** An unfenced broker whose session expired (one at a time, as Kafka fences them), or null. */
  findOneStaleBroker(nowMs: number): number | null {
    let stalest: number | null = null;
    let oldest = Infinity;
    for (const [id, s] of this.sessions) {
      if (!s.fenced && nowMs - s.lastContactMs >= this.sessionTimeoutMs && s.lastContactMs < oldest) {
        stalest = id;
        oldest = s.lastContactMs;
      }
    }
    return stalest;
  }

  /** When the next unfenced broker's session expires (null: no unfenced broker). */
  nextCheckTimeMs(): number | null {
    let next: number | null = null;
    for (const s of this.sessions.values()) {
      if (!s.fenced) next = Math.min(next ?? Infinity, s.lastContactMs + this.sessionTimeoutMs);
    }
    return next;
  }
}
