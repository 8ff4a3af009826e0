// What the core has decided since the driver last took a Ready, and the requests it has in flight.
// Requests are tagged with the role generation that sent them: a response to a request of an
// earlier role (or a duplicate) can still teach the node a newer epoch but is otherwise ignored.
import type { NodeId, OffsetAndEpoch, QuorumStateRecord, RaftBatch, RaftMessage, RaftRequest, Ready, SnapshotChunk } from '../messages.js';

export interface PendingRequest {
  to: NodeId;
  request: RaftRequest;
  generation: number;
  timeoutAt: number;
}

export class Outbox {
  private ready: Ready = Outbox.empty();
  readonly pending = new Map<number, PendingRequest>();
  private nextCorrelationId = 1;

  static empty(): Ready {
    return { snapshotWrites: [], append: [], messages: [] };
  }

  persist(state: QuorumStateRecord): void {
    this.ready.quorumState = { ...state };
  }

  truncate(offset: number): void {
    const r = this.ready;
    r.truncateTo = r.truncateTo === undefined ? offset : Math.min(r.truncateTo, offset);
    // Batches queued in this Ready past the cut are cut too (they would land after the truncation).
    r.append = r.append.filter((b) => b.lastOffset < offset);
  }

  writeSnapshot(snapshotId: OffsetAndEpoch, chunk: SnapshotChunk): void {
    this.ready.snapshotWrites.push({ snapshotId, chunk });
  }

  installSnapshot(snapshotId: OffsetAndEpoch): void {
    this.ready.installSnapshot = snapshotId;
    this.ready.append = [];
  }

  append(batch: RaftBatch): void {
    this.ready.append.push(batch);
  }

  request(to: NodeId, request: RaftRequest, generation: number, timeoutAt: number): number {
    const correlationId = this.nextCorrelationId++;
    this.pending.set(correlationId, { to, request, generation, timeoutAt });
    this.ready.messages.push({ to, correlationId, message: request });
    return correlationId;
  }

  respond(to: NodeId, correlationId: number, message: RaftMessage): void {
    this.ready.messages.push({ to, correlationId, message });
  }

  highWatermark(hw: number): void {
    this.ready.highWatermark = hw;
  }

  /** Responses not yet sent whose data the driver would read from the leader's log: a node that stopped leading must not send them. */
  withdrawLogReads(replace: (m: RaftMessage) => RaftMessage): void {
    for (const out of this.ready.messages) {
      if (out.message.type === 'FetchResponse' && out.message.readFrom !== undefined) out.message = replace(out.message);
      if (out.message.type === 'FetchSnapshotResponse' && out.message.read !== undefined) out.message = replace(out.message);
    }
  }

  take(): Ready {
    const r = this.ready;
    this.ready = Outbox.empty();
    return r;
  }

  /** Requests to `to` of a given type still awaiting an answer in this generation. */
  inFlightTo(to: NodeId, type: RaftRequest['type'], generation: number): boolean {
    for (const p of this.pending.values()) if (p.to === to && p.request.type === type && p.generation === generation) return true;
    return false;
  }
}
