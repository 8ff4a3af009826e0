// Makes this node's controller the active one while it leads the quorum (Kafka's
// QuorumController claim/renounce): on winning an epoch it waits until the log is replayed up to
// the epoch's start, then takes operations through a RaftCommitter for that epoch, writes the
// bootstrap records into an empty log, and fences brokers whose sessions expire; on losing the
// leadership every pending and later operation fails with NOT_CONTROLLER.
import { log } from '../log.js';
import type { Controller } from '../metadata/controller.js';
import { RaftCommitter, type MetadataProposer, type ReplayProgress } from './raft-committer.js';

export interface LeaderChange {
  leaderId: number;
  epoch: number;
  /** The offset of the epoch's first entry (its LeaderChange record); meaningful when this node leads. */
  epochStartOffset: number;
  /**
   * The raft state is Resigned: this node led `epoch` and gave it up, or restarted after leading
   * it. It names itself leader but can no longer write (Kafka tells the controller nothing then).
   */
  resigned?: boolean;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

const FENCE_RETRY_BACKOFF_MS = 1000;

export class ControllerActivation {
  private committer: RaftCommitter | null = null;
  private fenceTimer: unknown = null;
  private fenceAt = Infinity;
  private closed = false;
  /** Resolves when the latest activation finished (tests and DescribeCluster wait on it). */
  activated: Promise<void> = Promise.resolve();

  constructor(
    private readonly nodeId: number,
    private readonly controller: Controller,
    private readonly raft: MetadataProposer,
    private readonly replay: ReplayProgress,
    private readonly clock: () => number = Date.now,
    private readonly timers: Timers = REAL_TIMERS,
  ) {
    controller.onSessionChange = () => this.armFenceTimer();
  }

  /** The raft driver's leader changed (call for every change, in order). */
  onLeaderChange(change: LeaderChange): void {
    if (this.closed) return;
    if (this.committer && (change.leaderId !== this.nodeId || change.epoch !== this.committer.epoch)) this.renounce();
    // A voter restarted after leading an old epoch comes back Resigned: it must not act for that epoch.
    if (change.leaderId === this.nodeId && !change.resigned && !this.committer) this.activated = this.claim(change);
  }

  private async claim(change: LeaderChange): Promise<void> {
    const committer = new RaftCommitter(this.raft, this.replay, change.epoch);
    this.committer = committer;
    // Earlier epochs' records must be in the image before any operation is checked against it.
    await this.replay.whenReplayed(change.epochStartOffset);
    if (this.committer !== committer) return;
    this.controller.activate(committer);
    log.info(`node ${this.nodeId} is the active controller in epoch ${change.epoch}`);
    try {
      await this.controller.bootstrap();
    } catch (e) {
      log.warn(`controller bootstrap in epoch ${change.epoch} failed: ${(e as Error).message}`);
    }
    this.armFenceTimer();
  }

  private renounce(): void {
    log.info(`node ${this.nodeId} is no longer the active controller (epoch ${this.committer?.epoch})`);
    this.committer?.resign();
    this.committer = null;
    this.controller.deactivate();
    this.clearFenceTimer();
  }

  private clearFenceTimer(): void {
    if (this.fenceTimer !== null) this.timers.clearTimeout(this.fenceTimer);
    this.fenceTimer = null;
    this.fenceAt = Infinity;
  }

  /** One timer, at the earliest session expiry; re-armed after each check and each heartbeat. */
  private armFenceTimer(notBefore = 0): void {
    if (this.closed) return;
    const expiry = this.controller.nextFenceCheckMs();
    const next = expiry === null ? null : Math.max(expiry, notBefore);
    if (next === null) return this.clearFenceTimer();
    if (this.fenceTimer !== null && this.fenceAt <= next) return;
    this.clearFenceTimer();
    this.fenceAt = next;
    this.fenceTimer = this.timers.setTimeout(() => {
      this.fenceTimer = null;
      this.fenceAt = Infinity;
      this.controller.fenceStaleBrokers().then(
        () => this.armFenceTimer(),
        (e) => {
          log.debug(`fencing stale brokers failed: ${(e as Error).message}`);
          // A failed write (e.g. a storage error) is retried later, not in a tight loop.
          this.armFenceTimer(this.clock() + FENCE_RETRY_BACKOFF_MS);
        },
      );
    }, Math.max(0, next - this.clock()));
  }

  close(): void {
    this.closed = true;
    if (this.committer) this.renounce();
    this.clearFenceTimer();
  }
}
