// A deterministic simulation of a KRaft quorum: several RaftCores in one process on a seeded PRNG
// and a virtual clock. The network drops, delays, duplicates and reorders messages and partitions
// nodes; disks fsync late; nodes crash (losing what was not fsynced, the last write maybe torn)
// and restart from what they persisted; clients propose; nodes take snapshots and a lagging
// follower fetches one. The Checker runs on every step. Same seed, same run.
import { raftCoreConfig, type UnsafeSwitches } from '../../../src/raft/core/config.js';
import { RaftCore } from '../../../src/raft/core/raft-core.js';
import type { NodeId, OffsetAndEpoch, QuorumStateRecord, RaftBatch, RaftMessage, Ready } from '../../../src/raft/messages.js';
import { Rng } from '../../robustness/rng.js';
import { Checker, type Entry } from './checker.js';

export interface SimOptions {
  seed: number;
  voters: number;
  observers: number;
  /** Virtual ms of faults, then a healed phase that must elect a leader and commit. */
  faultMs: number;
  livenessMs: number;
  unsafe?: UnsafeSwitches;
  /** Prints every message and Ready (for replaying one seed). */
  trace?: (line: string) => void;
}

export interface SimResult {
  events: number;
  committed: number;
  /** Epochs that had a leader. */
  leaders: number;
  crashes: number;
  /** Snapshots a follower fetched from a leader and installed. */
  snapshotInstalls: number;
  /** Virtual ms the healed cluster took to commit a fresh proposal on every node. */
  recoveryMs: number;
}

interface Snapshot {
  id: OffsetAndEpoch;
  /** Every batch below id.offset (what the state machine would hold). */
  batches: RaftBatch[];
}

interface Disk {
  quorum: QuorumStateRecord | undefined;
  batches: RaftBatch[];
  /** How many of `batches` are fsynced. */
  durable: number;
  snapshot: Snapshot | undefined;
}

interface Node {
  id: NodeId;
  disk: Disk;
  core: RaftCore | undefined;
  life: number;
  /** Bumped by truncations and installs: a flush begun before one is not reported after it. */
  truncations: number;
  pendingSnapshot: RaftBatch[];
  hw: number;
  tickAt: number;
  /** Inbound requests awaiting the core's answer: token -> sender and its life. */
  inbound: Map<number, { from: NodeId; life: number; correlationId: number }>;
}

interface Event {
  at: number;
  seq: number;
  run: () => void;
}

const DATA_PREFIX = 'p';

export class Simulation {
  readonly rng: Rng;
  readonly checker = new Checker();
  private readonly nodes: Node[] = [];
  private readonly queue: Event[] = [];
  private seq = 0;
  now = 0;
  events = 0;
  private proposals = 0;
  private crashes = 0;
  private snapshotInstalls = 0;
  private nextToken = 1;
  /** Partition group per node; messages cross groups only when the network is whole. */
  private group = new Map<NodeId, number>();
  private faults = true;
  private readonly voterIds: NodeId[];

  constructor(readonly opts: SimOptions) {
    this.rng = new Rng(opts.seed, opts.voters, opts.observers);
    this.voterIds = Array.from({ length: opts.voters }, (_, i) => i + 1);
    for (let i = 1; i <= opts.voters + opts.observers; i++) {
      const node: Node = { id: i, disk: { quorum: undefined, batches: [], durable: 0, snapshot: undefined }, core: undefined, life: 0, truncations: 0, pendingSnapshot: [], hw: -1, tickAt: Infinity, inbound: new Map() };
      this.nodes.push(node);
      this.start(node);
    }
  }

  // ---- Scheduling ------------------------------------------------------------------------

  private at(time: number, run: () => void): void {
    const ev = { at: Math.max(time, this.now), seq: this.seq++, run };
    // Binary insertion keeps the queue ordered by (time, seq): same seed, same order.
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.queue[mid];
      if (q.at < ev.at || (q.at === ev.at && q.seq < ev.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, ev);
  }

  private runUntil(time: number, stop?: () => boolean): boolean {
    while (this.queue.length > 0 && this.queue[0].at <= time) {
      const ev = this.queue.shift()!;
      this.now = ev.at;
      if (++this.events > 300_000) throw new LivenessFailure(`runaway: over 300k events by ${this.now} virtual ms`);
      ev.run();
      if (stop?.()) return true;
    }
    this.now = time;
    return false;
  }

  // ---- Nodes -----------------------------------------------------------------------------

  private start(node: Node): void {
    node.life++;
    node.inbound.clear();
    node.pendingSnapshot = [];
    const d = node.disk;
    const snap = d.snapshot;
    // Recovery: a log that ends before the snapshot (its tail was never fsynced) restarts from the snapshot.
    if (snap !== undefined && (d.batches.length === 0 || d.batches[d.batches.length - 1].lastOffset + 1 < snap.id.offset)) {
      d.batches = [];
      d.durable = 0;
    }
    const epochs: { epoch: number; startOffset: number }[] = [];
    for (const b of d.batches) if (epochs.length === 0 || epochs[epochs.length - 1].epoch !== b.epoch) epochs.push({ epoch: b.epoch, startOffset: b.baseOffset });
    const logStartOffset = d.batches.length > 0 ? d.batches[0].baseOffset : (snap?.id.offset ?? 0);
    const endOffset = d.batches.length > 0 ? d.batches[d.batches.length - 1].lastOffset + 1 : logStartOffset;
    const cfg = raftCoreConfig({ nodeId: node.id, voters: this.voterIds, random: () => this.rng.u32() / 4294967296, unsafe: this.opts.unsafe });
    node.hw = snap?.id.offset ?? -1;
    node.core = new RaftCore(cfg, d.quorum, { logStartOffset, endOffset, epochs, latestSnapshotId: snap?.id }, this.now);
    this.afterInput(node);
  }

  private crash(node: Node): void {
    if (node.core === undefined) return;
    node.core = undefined;
    this.crashes++;
    const d = node.disk;
    // Unflushed appends may or may not have reached the disk; the last one kept may be torn (recovery drops it).
    const kept = d.durable + this.rng.int(d.batches.length - d.durable + 1);
    d.batches = d.batches.slice(0, kept);
    d.durable = d.batches.length;
    node.tickAt = Infinity;
  }

  private live(): Node[] {
    return this.nodes.filter((n) => n.core !== undefined);
  }

  /** After any input: take the Ready, do it in the contract's order, check, and re-arm the tick. */
  private afterInput(node: Node): void {
    const core = node.core!;
    this.perform(node, core.takeReady());
    const st = core.status();
    if (st.role === 'Leader') this.checker.leader(st.epoch, node.id, (base, e) => this.holds(node, base, e));
    const t = core.nextDeadline();
    if (t < node.tickAt || node.tickAt <= this.now) {
      node.tickAt = t;
      if (Number.isFinite(t)) {
        const life = node.life;
        this.at(t, () => {
          if (node.core === undefined || node.life !== life || node.tickAt !== t) return;
          node.tickAt = Infinity;
          node.core.tick(this.now);
          this.afterInput(node);
        });
      }
    }
  }

  private holds(node: Node, base: number, e: Entry): boolean {
    const snap = node.disk.snapshot;
    if (snap !== undefined && e.lastOffset < snap.id.offset) return snap.batches.some((b) => b.baseOffset === base && b.epoch === e.epoch && b.data === e.data);
    return node.disk.batches.some((b) => b.baseOffset === base && b.epoch === e.epoch && b.data === e.data);
  }

  private perform(node: Node, r: Ready): void {
    const d = node.disk;
    if (this.opts.trace !== undefined) {
      const st = node.core!.status();
      const msgs = r.messages.map((m) => `${m.message.type}->${m.to}#${m.correlationId}${'errorCode' in m.message && m.message.errorCode !== 0 ? `!${m.message.errorCode}` : ''}`).join(' ');
      this.opts.trace(`${this.now} n${node.id} ${st.role} e${st.epoch} L${st.leaderId} V${st.votedId} end${st.endOffset} hw${st.highWatermark}${r.quorumState ? ' persist' + JSON.stringify(r.quorumState) : ''}${r.truncateTo !== undefined ? ' trunc' + r.truncateTo : ''}${r.append.length ? ' append' + r.append.length : ''} ${msgs}`);
    }
    // 1. quorum state
    if (r.quorumState !== undefined) {
      this.checker.vote(node.id, r.quorumState.leaderEpoch, r.quorumState.votedId);
      d.quorum = { ...r.quorumState };
    }
    // 2. truncate / snapshot
    if (r.truncateTo !== undefined) {
      if (r.truncateTo < node.hw) this.checker.fail(`node ${node.id} truncates to ${r.truncateTo} below its HW ${node.hw}`);
      const keep = d.batches.filter((b) => b.lastOffset < r.truncateTo!);
      if (keep.length < d.batches.length) {
        node.truncations++;
        d.batches = keep;
        d.durable = Math.min(d.durable, keep.length);
      }
    }
    for (const w of r.snapshotWrites) {
      if (w.chunk.position === 0) node.pendingSnapshot = [];
      if (w.chunk.position !== node.pendingSnapshot.length) this.checker.fail(`node ${node.id}: snapshot chunk at ${w.chunk.position}, have ${node.pendingSnapshot.length}`);
      node.pendingSnapshot.push(...(w.chunk.bytes as RaftBatch[]));
    }
    if (r.installSnapshot !== undefined) {
      const batches = node.pendingSnapshot;
      node.pendingSnapshot = [];
      this.snapshotInstalls++;
      d.snapshot = { id: r.installSnapshot, batches };
      d.batches = [];
      d.durable = 0;
      node.truncations++;
      this.checker.commit(node.id, batches, r.installSnapshot.offset);
    }
    // 3. append; the fsync completes later
    if (r.append.length > 0) {
      for (const b of r.append) {
        const last = d.batches[d.batches.length - 1];
        const expected = last !== undefined ? last.lastOffset + 1 : (d.snapshot?.id.offset ?? 0);
        if (b.baseOffset !== expected) this.checker.fail(`node ${node.id}: append at ${b.baseOffset}, log ends at ${expected}`);
        this.checker.written(node.id, b);
        d.batches.push(b);
      }
      const end = d.batches[d.batches.length - 1].lastOffset + 1;
      const count = d.batches.length;
      const life = node.life;
      const truncations = node.truncations;
      this.at(this.now + (this.faults && this.rng.chance(0.05) ? this.rng.range(50, 800) : this.rng.range(0, 15)), () => {
        if (node.core === undefined || node.life !== life || node.truncations !== truncations) return;
        d.durable = Math.max(d.durable, Math.min(count, d.batches.length));
        node.core.appended(end, this.now);
        this.afterInput(node);
      });
    }
    // 4. send
    for (const m of r.messages) this.send(node, m.to, m.correlationId, this.fill(node, m.message));
    // 5. high watermark
    if (r.highWatermark !== undefined) {
      if (r.highWatermark < node.hw) this.checker.fail(`node ${node.id}: HW ${node.hw} -> ${r.highWatermark}`);
      node.hw = r.highWatermark;
      this.checker.commit(node.id, d.batches, node.hw);
      if (node.core!.status().role === 'Leader') this.checkMajorityDurable(node, node.hw);
    }
  }

  /** A leader's commit point is fsynced on a majority of voters (a minority never commits). */
  private checkMajorityDurable(leader: Node, hw: number): void {
    const last = leader.disk.batches.find((b) => b.baseOffset <= hw - 1 && hw - 1 <= b.lastOffset);
    if (last === undefined) return;
    let holders = 0;
    for (const id of this.voterIds) {
      const d = this.nodes[id - 1].disk;
      if ((d.snapshot?.id.offset ?? 0) >= hw || d.batches.slice(0, d.durable).some((b) => b.baseOffset === last.baseOffset && b.epoch === last.epoch)) holders++;
    }
    if (holders * 2 <= this.voterIds.length) this.checker.fail(`leader ${leader.id} commits ${hw} durable on only ${holders} of ${this.voterIds.length} voters`);
  }

  /** What the driver does at step 4: read the log or snapshot for the core's placeholders. */
  private fill(node: Node, m: RaftMessage): RaftMessage {
    if (m.type === 'FetchResponse' && m.readFrom !== undefined) {
      const from = m.readFrom;
      const max = this.rng.range(1, 4);
      const batches = node.disk.batches.filter((b) => b.baseOffset >= from).slice(0, max);
      return { ...m, readFrom: undefined, batches };
    }
    if (m.type === 'FetchSnapshotResponse' && m.read !== undefined) {
      const snap = node.disk.snapshot;
      if (snap === undefined || snap.id.offset !== m.read.snapshotId.offset) return { ...m, read: undefined, errorCode: 98 };
      const len = this.rng.range(1, 3);
      const bytes = snap.batches.slice(m.read.position, m.read.position + len);
      return { ...m, read: undefined, chunk: { size: snap.batches.length, position: m.read.position, length: bytes.length, bytes } };
    }
    return m;
  }

  // ---- Network ---------------------------------------------------------------------------

  private send(from: Node, to: NodeId, correlationId: number, message: RaftMessage): void {
    const dest = this.nodes[to - 1];
    const isRequest = message.type.endsWith('Request');
    let destLife = dest.life;
    let corr = correlationId;
    if (!isRequest) {
      // A response goes back to the life that asked, with the core's own id for it.
      const origin = from.inbound.get(correlationId);
      if (origin === undefined) return;
      from.inbound.delete(correlationId);
      destLife = origin.life;
      corr = origin.correlationId;
    }
    const copies = this.faults && this.rng.chance(0.02) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      if (this.faults && this.rng.chance(0.03)) continue;
      const delay = this.faults ? this.rng.range(1, this.rng.chance(0.1) ? 300 : 30) : this.rng.range(1, 5);
      const fromLife = from.life;
      this.at(this.now + delay, () => {
        if (dest.core === undefined || dest.life !== destLife || from.life !== fromLife) return;
        if ((this.group.get(from.id) ?? 0) !== (this.group.get(to) ?? 0)) return;
        let deliverCorr = corr;
        if (isRequest) {
          deliverCorr = this.nextToken++;
          dest.inbound.set(deliverCorr, { from: from.id, life: fromLife, correlationId: corr });
        }
        dest.core.receive(from.id, message, deliverCorr, this.now);
        this.afterInput(dest);
      });
    }
  }

  // ---- Faults and clients ------------------------------------------------------------------

  private propose(): void {
    for (const n of this.live()) {
      const st = n.core!.status();
      if (st.role !== 'Leader') continue;
      const count = this.rng.range(1, 3);
      if (n.core!.propose(`${DATA_PREFIX}${++this.proposals}`, count, this.now) !== undefined) this.afterInput(n);
    }
  }

  private snapshot(node: Node): void {
    const core = node.core;
    if (core === undefined) return;
    const d = node.disk;
    const below = d.batches.filter((b) => b.lastOffset < node.hw);
    if (below.length === 0) return;
    const cut = below[this.rng.int(below.length)];
    const id = { offset: cut.lastOffset + 1, epoch: cut.epoch };
    const prev = d.snapshot?.id.offset ?? 0;
    if (id.offset <= prev) return;
    const batches = [...(d.snapshot?.batches ?? []), ...d.batches.filter((b) => b.baseOffset >= prev && b.lastOffset < id.offset)];
    d.snapshot = { id, batches };
    core.snapshotCreated(id);
    if (this.rng.chance(0.7)) {
      const removed = d.batches.filter((b) => b.lastOffset < id.offset).length;
      d.batches = d.batches.slice(removed);
      d.durable = Math.max(0, d.durable - removed);
      core.logStartMoved(id.offset);
    }
    this.afterInput(node);
  }

  private fault(): void {
    const r = this.rng.int(100);
    const nodes = this.nodes;
    if (r < 25) {
      const n = this.rng.pick(nodes);
      if (n.core !== undefined) {
        this.crash(n);
        this.at(this.now + this.rng.range(10, 3000), () => {
          if (n.core === undefined) this.start(n);
        });
      }
    } else if (r < 40) {
      this.group = new Map(nodes.map((n) => [n.id, this.rng.int(2)]));
      this.at(this.now + this.rng.range(100, 4000), () => (this.group = new Map()));
    } else if (r < 50) {
      const n = this.rng.pick(nodes);
      this.group = new Map([[n.id, 1]]);
      this.at(this.now + this.rng.range(100, 4000), () => (this.group = new Map()));
    } else if (r < 70) {
      this.snapshot(this.rng.pick(nodes));
    } else if (r < 80) {
      const n = this.rng.pick(nodes);
      if (n.core !== undefined) {
        n.core.resign(this.now);
        this.afterInput(n);
        // A graceful shutdown: the node stops a little later and comes back.
        this.at(this.now + this.rng.range(50, 500), () => {
          if (!this.faults) return;
          this.crash(n);
          this.at(this.now + this.rng.range(10, 1000), () => n.core === undefined && this.start(n));
        });
      }
    }
  }

  run(): SimResult {
    const { faultMs, livenessMs } = this.opts;
    let t = 0;
    while (t < faultMs) {
      t += this.rng.range(20, 300);
      if (t >= faultMs) break;
      this.at(t, () => (this.rng.chance(0.7) ? this.propose() : this.faults && this.fault()));
    }
    this.runUntil(faultMs);
    // Heal: whole network, every node up, no more loss; a leader must emerge and commit everywhere.
    this.faults = false;
    this.group = new Map();
    for (const n of this.nodes) {
      // A node in graceful shutdown completes it and comes back.
      if (n.core?.shuttingDown === true) this.crash(n);
      if (n.core === undefined) this.start(n);
    }
    const healedAt = this.now;
    let target = -1;
    let targetEpoch = -1;
    const check = (): boolean => {
      const leaders = this.live().filter((n) => n.core!.status().role === 'Leader');
      // A proposal of an epoch that ended may be lost (never committed): the next leader gets a new one.
      if (leaders.length === 1 && leaders[0].core!.status().epoch !== targetEpoch) {
        if (leaders[0].core!.propose('liveness', 1, this.now) !== undefined) {
          target = leaders[0].core!.status().endOffset;
          targetEpoch = leaders[0].core!.status().epoch;
          this.afterInput(leaders[0]);
        }
        return false;
      }
      return target >= 0 && this.nodes.every((n) => n.hw >= target);
    };
    const probe = (): void => {
      if (check()) return;
      this.at(this.now + 50, probe);
    };
    this.at(this.now, probe);
    const ok = this.runUntil(healedAt + livenessMs, () => target >= 0 && this.nodes.every((n) => n.hw >= target) && this.nodes.every((n) => n.core!.status().epoch === targetEpoch));
    if (!ok) {
      const st = this.nodes.map((n) => JSON.stringify(n.core?.status())).join('\n  ');
      throw new LivenessFailure(`no commit on every node ${livenessMs} virtual ms after healing (target ${target}):\n  ${st}`);
    }
    return { events: this.events, committed: this.checker.committedEnd, leaders: this.checker.leaderEpochs(), crashes: this.crashes, snapshotInstalls: this.snapshotInstalls, recoveryMs: this.now - healedAt };
  }
}

export class LivenessFailure extends Error {
  override name = 'LivenessFailure';
}
