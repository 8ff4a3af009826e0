// A scripted cluster for one exact schedule: the test decides which messages pass, how many
// batches a fetch answer carries and when each node's clock moves. Disks fsync at once.
// The same Checker as the random simulation watches it.
import { raftCoreConfig, type UnsafeSwitches } from '../../../src/raft/core/config.js';
import { RaftCore } from '../../../src/raft/core/raft-core.js';
import type { NodeId, QuorumStateRecord, RaftBatch, RaftMessage } from '../../../src/raft/messages.js';
import { Checker } from './checker.js';

export interface ScriptedNode {
  id: NodeId;
  quorum: QuorumStateRecord;
  log: RaftBatch[];
}

interface InFlight {
  from: NodeId;
  to: NodeId;
  correlationId: number;
  message: RaftMessage;
}

export class ScriptedCluster {
  readonly checker = new Checker();
  readonly cores = new Map<NodeId, RaftCore>();
  readonly logs = new Map<NodeId, RaftBatch[]>();
  readonly clocks = new Map<NodeId, number>();
  readonly down = new Set<NodeId>();
  /** Return false to drop a message. */
  pass: (m: InFlight) => boolean = () => true;
  /** Batches per fetch answer. */
  maxBatches = 10;
  private readonly queue: InFlight[] = [];
  private readonly inbound = new Map<number, { from: NodeId; correlationId: number }>();
  private nextToken = 1;

  constructor(nodes: ScriptedNode[], unsafe?: UnsafeSwitches) {
    const voters = nodes.map((n) => n.id);
    for (const n of nodes) {
      const log = n.log.map((b) => ({ ...b }));
      const epochs: { epoch: number; startOffset: number }[] = [];
      for (const b of log) if (epochs.length === 0 || epochs[epochs.length - 1].epoch !== b.epoch) epochs.push({ epoch: b.epoch, startOffset: b.baseOffset });
      for (const b of log) this.checker.written(n.id, b);
      const end = log.length > 0 ? log[log.length - 1].lastOffset + 1 : 0;
      this.logs.set(n.id, log);
      this.clocks.set(n.id, 0);
      this.cores.set(n.id, new RaftCore(raftCoreConfig({ nodeId: n.id, voters, random: () => 0, unsafe }), n.quorum, { logStartOffset: 0, endOffset: end, epochs }, 0));
      this.drain(n.id);
    }
  }

  /** Moves one node's clock and runs its timers. */
  advance(id: NodeId, toMs: number): void {
    this.clocks.set(id, toMs);
    this.cores.get(id)!.tick(toMs);
    this.drain(id);
  }

  /** Delivers queued messages (and what they cause) until none is left. */
  settle(): void {
    for (let guard = 0; this.queue.length > 0 && guard < 10_000; guard++) {
      const m = this.queue.shift()!;
      if (this.down.has(m.to) || this.down.has(m.from) || !this.pass(m)) continue;
      const core = this.cores.get(m.to)!;
      let corr = m.correlationId;
      if (m.message.type.endsWith('Request')) {
        corr = this.nextToken++;
        this.inbound.set(corr, { from: m.from, correlationId: m.correlationId });
      }
      core.receive(m.from, m.message, corr, this.clocks.get(m.to)!);
      this.drain(m.to);
    }
  }

  role(id: NodeId): string {
    return this.cores.get(id)!.status().role;
  }

  /** Performs a node's Ready in the contract's order, with an immediate fsync. */
  private drain(id: NodeId): void {
    const core = this.cores.get(id)!;
    for (;;) {
      const r = core.takeReady();
      const log = this.logs.get(id)!;
      if (r.quorumState) this.checker.vote(id, r.quorumState.leaderEpoch, r.quorumState.votedId);
      if (r.truncateTo !== undefined) this.logs.set(id, log.filter((b) => b.lastOffset < r.truncateTo!));
      for (const b of r.append) {
        this.checker.written(id, b);
        this.logs.get(id)!.push(b);
      }
      for (const m of r.messages) {
        let message = m.message;
        let correlationId = m.correlationId;
        if (message.type === 'FetchResponse' && message.readFrom !== undefined) {
          const from = message.readFrom;
          message = { ...message, readFrom: undefined, batches: this.logs.get(id)!.filter((b) => b.baseOffset >= from).slice(0, this.maxBatches) };
        }
        if (!m.message.type.endsWith('Request')) {
          const origin = this.inbound.get(m.correlationId);
          if (origin === undefined) continue;
          this.inbound.delete(m.correlationId);
          correlationId = origin.correlationId;
        }
        this.queue.push({ from: id, to: m.to, correlationId, message });
      }
      if (r.highWatermark !== undefined) this.checker.commit(id, this.logs.get(id)!, r.highWatermark);
      const st = core.status();
      if (st.role === 'Leader') {
        this.checker.leader(st.epoch, id, (base, e) => this.logs.get(id)!.some((b) => b.baseOffset === base && b.epoch === e.epoch && b.data === e.data));
      }
      const l = this.logs.get(id)!;
      const end = l.length > 0 ? l[l.length - 1].lastOffset + 1 : 0;
      if (r.append.length === 0 || end <= st.durableEndOffset) return;
      core.appended(end, this.clocks.get(id)!);
    }
  }
}
