// Runs the sans-IO raft core on real I/O: the metadata log (__cluster_metadata-0 on the node's
// storage engine), the quorum-state file, snapshot files, a clock and the NodeClient. Every input
// (a tick at the core's next deadline, a peer's message, a proposal, a finished fsync) goes into
// the core at once; the core's outputs are performed one Ready at a time, in the contract's order:
//   1. persist the quorum state (atomic file write)   before any message that depends on it
//   2. truncate the log / write and install fetched snapshot chunks
//   3. append batches (offsets and epochs as the core gave them); fsync in the background and
//      report appended(end) only then, so only durable data counts for a vote or the high watermark
//   4. send messages: requests through NodeClient, responses to the peer's waiting request
//      (a Fetch answer's records read from the log now, before any later truncation)
//   5. apply the high watermark: the log's, then commit listeners (replay up to it)
// Timers exist only to deliver a tick at core.nextDeadline(); there is no polling.
import { log as logger } from '../log.js';
import { snapshotFileName } from '../metadata/snapshot.js';
import type { NodeClient } from '../network/node-client.js';
import { ErrorCode } from '../protocol/errors.js';
import type { PartitionLog } from '../storage/types.js';
import { raftCoreConfig, type RaftCoreConfig } from './core/config.js';
import { RaftCore } from './core/raft-core.js';
import { recoverLogShape } from './log-shape.js';
import {
  isLeaderChange,
  isRequest,
  type NodeId,
  type OffsetAndEpoch,
  type QuorumDescription,
  type RaftBatch,
  type RaftRequest,
  type RaftResponse,
  type RaftStatus,
  type Ready,
} from './messages.js';
import { PendingProposals } from './proposals.js';
import { QuorumStateFile } from './quorum-state.js';
import { leaderChangeBatch, proposalBatch, type Proposal, splitBatches } from './raft-batches.js';
import { SnapshotFiles } from './snapshot-transfer.js';
import { outboundRequest, type Endpoint, type WireContext } from './wire.js';
import { isVotersChange, votersBatch, votersIn, type VotersChange } from './voters-record.js';
import type { VotersRecord } from '../protocol/generated/voters-record.js';

/** What the driver needs of the metadata log (a replicated PartitionLog). */
export type RaftLog = Pick<
  PartitionLog,
  'logStartOffset' | 'logEndOffset' | 'highWatermark' | 'read' | 'appendAsFollower' | 'truncateTo' | 'truncateFullyAndStartAt' | 'updateHighWatermark' | 'flush' | 'deleteRecordsBefore'
>;

export interface RaftDriverOptions {
  nodeId: NodeId;
  clusterId: string;
  /** The static voter set (controller.quorum.voters) with each voter's controller endpoint. */
  voters: ReadonlyMap<NodeId, Endpoint>;
  /** kraft.version 1 (dynamic quorum): the bootstrap checkpoint's VotersRecord, then the log's, make the voter set. */
  votersRecord?: VotersRecord;
  /** controller.quorum.bootstrap.servers (dynamic quorum): an observer finds the leader through them. */
  bootstrapServers?: readonly { host: string; port: number }[];
  log: RaftLog;
  /** The metadata log's partition dir: quorum-state and snapshot files live there. */
  dir: string;
  client: NodeClient;
  /** Kafka's quorum timeouts etc. (controller.quorum.*); Kafka's defaults otherwise. */
  core?: Partial<Omit<RaftCoreConfig, 'nodeId' | 'voters'>>;
  /** Fetch's byte limit (Kafka's raft client asks for 8 MiB). */
  fetchMaxBytes?: number;
  now?: () => number;
}

/** The core refused a proposal or lost it: this node is not (or no longer) the active leader. */
export class NotLeaderError extends Error {
  override name = 'NotLeaderError';
  readonly errorCode = ErrorCode.NOT_CONTROLLER;
}

/** An inbound request waiting for the core's answer (possibly parked: a long-poll Fetch). */
interface PendingInbound {
  resolve: (r: RaftAnswer) => void;
  reject: (e: Error) => void;
}

/** The core's answer to a peer, with a Fetch's records read from the log. */
export interface RaftAnswer {
  message: RaftResponse;
  records?: Buffer[];
}

export type CommitListener = (highWatermark: number) => void;
export type StateListener = (status: RaftStatus) => void;
export type SnapshotListener = (id: OffsetAndEpoch) => void;

export class RaftDriver {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  readonly voters: Map<NodeId, Endpoint>;
  /** kraft.version 1: the bootstrap VotersRecord (null: a static quorum, kraft.version 0), then the log's by offset. */
  private readonly initialVoters: VotersRecord | null;
  private readonly votersRecords: { offset: number; record: VotersRecord }[] = [];
  private readonly core: RaftCore;
  private readonly log: RaftLog;
  private readonly quorumState: QuorumStateFile;
  readonly snapshots: SnapshotFiles;
  private readonly client: NodeClient;
  readonly wire: WireContext;
  private readonly now: () => number;
  private readonly requestTimeoutMs: number;
  private readonly inbound = new Map<number, PendingInbound>();
  private nextInboundId = 0;
  private readonly proposals = new PendingProposals();
  private readonly commitListeners = new Set<CommitListener>();
  private readonly stateListeners = new Set<StateListener>();
  private readonly snapshotListeners = new Set<SnapshotListener>();
  private readonly failureListeners = new Set<(e: Error) => void>();
  /** Bumped by each truncation: an fsync that began before one must not report its end after it. */
  private truncations = 0;
  private dirty = false;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;
  private failure: Error | null = null;
  private lastStatus = '';
  /** Endpoints of non-voters' leaders learned from answers (a dynamic quorum's observer). */
  private readonly learned = new Map<NodeId, Endpoint>();
  private highWatermark = -1;
  /** EndQuorumEpoch requests in flight: a graceful close waits (a bounded time) for them to land. */
  private readonly resignations = new Set<Promise<unknown>>();

  private constructor(o: RaftDriverOptions, core: RaftCore, quorumState: QuorumStateFile, snapshots: SnapshotFiles, requestTimeoutMs: number, now: () => number) {
    this.nodeId = o.nodeId;
    this.clusterId = o.clusterId;
    this.voters = new Map(o.voters);
    this.initialVoters = o.votersRecord ?? null;
    this.core = core;
    this.log = o.log;
    this.quorumState = quorumState;
    this.snapshots = snapshots;
    this.client = o.client;
    this.now = now;
    this.requestTimeoutMs = requestTimeoutMs;
    this.wire = {
      clusterId: o.clusterId,
      localId: o.nodeId,
      endpointOf: (id) => this.voters.get(id) ?? this.learned.get(id),
      fetchMaxBytes: o.fetchMaxBytes ?? 8 * 1024 * 1024,
      leaderAndEpoch: () => {
        const s = this.core.status();
        return { leaderId: s.leaderId, epoch: s.epoch };
      },
    };
    for (const [id, e] of o.voters) if (id !== o.nodeId) o.client.setEndpoint(id, { host: e.host, port: e.port });
    (o.bootstrapServers ?? []).forEach((b, i) => o.client.setEndpoint(bootstrapServerId(i), { host: b.host, port: b.port }));
  }

  /** Recovers the core from the quorum-state file and the log, and starts it. */
  static async start(o: RaftDriverOptions): Promise<RaftDriver> {
    const now = o.now ?? Date.now;
    const quorumState = new QuorumStateFile(o.dir);
    const snapshots = new SnapshotFiles(o.dir);
    const stored = await quorumState.read();
    const snapshot = await snapshots.latest();
    const shape = await recoverLogShape(o.log, snapshot);
    const bootstrapServers = (o.bootstrapServers ?? []).map((_, i) => bootstrapServerId(i));
    const config = raftCoreConfig({ random: Math.random, ...o.core, nodeId: o.nodeId, voters: [...o.voters.keys()].sort((a, b) => a - b), bootstrapServers });
    const core = new RaftCore(config, stored ? { leaderEpoch: stored.epoch, leaderId: stored.leaderId, votedId: stored.votedId } : undefined, shape, now());
    const driver = new RaftDriver(o, core, quorumState, snapshots, config.requestTimeoutMs, now);
    if (o.votersRecord) await driver.recoverVoters(shape.logStartOffset);
    driver.kick();
    return driver;
  }

  // ---- For the node: proposals, commits, state ----------------------------------------------------

  /**
   * Appends `values` (encoded records) as one batch in the leader's current epoch; resolves with
   * the batch's last offset once committed (the high watermark passed it). Rejects with
   * NotLeaderError when this node is not the active leader, or when the entry was truncated away.
   */
  propose(values: Buffer[]): Promise<number> {
    if (this.closed) return Promise.reject(new NotLeaderError('the raft driver is closed'));
    if (values.length === 0) return Promise.reject(new Error('nothing to propose'));
    const data: Proposal = { values, timestamp: this.now() };
    const pos = this.core.propose(data, values.length, this.now());
    if (pos === undefined) return Promise.reject(new NotLeaderError(`node ${this.nodeId} is not the active controller`));
    const promise = this.proposals.add(pos.lastOffset);
    this.kick();
    return promise;
  }

  /**
   * AddRaftVoter / RemoveRaftVoter on the leader: one voter more or less, as a VotersRecord;
   * resolves once it committed, or with Kafka's error (kraft.version 0, not the leader, a change
   * pending, the new voter not caught up...).
   */
  async changeVoter(change: { add?: VotersRecord['voters'][number]; remove?: { voterId: NodeId; voterDirectoryId: string }; update?: VotersRecord['voters'][number] }): Promise<{ errorCode: number; errorMessage: string | null }> {
    const current = this.votersRecord;
    if (!current) return { errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: 'Cluster doesn\'t support changing voters because the kraft.version feature is 0' };
    let voters = current.voters;
    if (change.add) {
      if (voters.some((v) => v.voterId === change.add!.voterId)) return { errorCode: ErrorCode.DUPLICATE_VOTER, errorMessage: `The voter id ${change.add.voterId} is already part of the set of voters` };
      voters = [...voters, change.add];
    }
    if (change.remove) {
      const r = change.remove;
      if (!voters.some((v) => v.voterId === r.voterId && v.voterDirectoryId === r.voterDirectoryId)) return { errorCode: ErrorCode.VOTER_NOT_FOUND, errorMessage: `Cannot remove voter ${r.voterId} (${r.voterDirectoryId}): it is not a voter` };
      voters = voters.filter((v) => v.voterId !== r.voterId);
    }
    if (change.update) {
      const u = change.update;
      if (!voters.some((v) => v.voterId === u.voterId && v.voterDirectoryId === u.voterDirectoryId)) return { errorCode: ErrorCode.VOTER_NOT_FOUND, errorMessage: `Voter ${u.voterId} (${u.voterDirectoryId}) is not a voter` };
      voters = voters.map((v) => (v.voterId === u.voterId ? u : v));
    }
    const record: VotersRecord = { version: 0, voters };
    const pos = this.core.changeVoters(voters.map((v) => v.voterId), { type: 'Voters', record } satisfies VotersChange, this.now(), change.update !== undefined);
    if ('error' in pos) return { errorCode: pos.error, errorMessage: pos.message };
    this.setVotersRecord(pos.baseOffset, record);
    const committed = this.proposals.add(pos.lastOffset);
    this.kick();
    try {
      await committed;
      return { errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (e) {
      return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, errorMessage: (e as Error).message };
    }
  }

  /** The log's VotersRecords from its start (a restart): the latest is the voter set. */
  private async recoverVoters(from: number): Promise<void> {
    for (let offset = from; offset < this.log.logEndOffset; ) {
      const res = await this.log.read(offset, 1024 * 1024, true, false, 'logEnd');
      const batches = splitBatches(res.records);
      if (batches.length === 0) break;
      for (const b of batches) this.applyVotersRecord(b.baseOffset, votersIn(b.data as Buffer));
      offset = batches[batches.length - 1].lastOffset + 1;
    }
  }

  private applyVotersRecord(offset: number, record: VotersRecord | undefined): void {
    if (!record || offset <= (this.votersRecords.at(-1)?.offset ?? -1)) return;
    this.setVotersRecord(offset, record);
    this.core.votersChanged(offset, record.voters.map((v) => v.voterId), this.now());
  }

  /** The latest VotersRecord in the log (or the bootstrap one); null with kraft.version 0. */
  private get votersRecord(): VotersRecord | null {
    return this.votersRecords.at(-1)?.record ?? this.initialVoters;
  }

  /** The voters' endpoints as the record names them: where Vote, BeginQuorumEpoch and Fetch go. */
  private setVotersRecord(offset: number, record: VotersRecord): void {
    this.votersRecords.push({ offset, record });
    for (const v of record.voters) {
      const e = v.endpoints[0];
      if (!e) continue;
      this.voters.set(v.voterId, { name: e.name, host: e.host, port: e.port });
      if (v.voterId !== this.nodeId) this.client.setEndpoint(v.voterId, { host: e.host, port: e.port });
    }
  }

  /** Calls `listener` with each new high watermark, after the log has it: replay up to it. */
  onCommit(listener: CommitListener): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Calls `listener` when the role, epoch or leader changes. */
  onStateChange(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Calls `listener` once a snapshot fetched from the leader is installed (the log now starts at it). */
  onSnapshotInstalled(listener: SnapshotListener): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  /**
   * Calls `listener` if a disk step fails (quorum-state, truncation, append, fsync): the driver has
   * stopped, as Kafka's raft thread does on a fatal fault; the node should stop too.
   */
  onFailure(listener: (e: Error) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  status(): RaftStatus {
    return this.core.status();
  }

  /** The leader this node knows of (-1 when none) and where its controller listener is. */
  leader(): { leaderId: NodeId; epoch: number; endpoint: Endpoint | undefined } {
    const s = this.core.status();
    return { leaderId: s.leaderId, epoch: s.epoch, endpoint: s.leaderId >= 0 ? this.wire.endpointOf(s.leaderId) : undefined };
  }

  /** DescribeQuorum's answer; undefined when this node is not the leader. */
  describeQuorum(): QuorumDescription | undefined {
    return this.core.describeQuorum(this.now());
  }

  /** The local state machine wrote snapshot `id` (at or below the high watermark). */
  snapshotCreated(id: OffsetAndEpoch): void {
    this.core.snapshotCreated(id);
    this.kick();
  }

  /** Deletes the log below `offset` (at most the latest snapshot's offset), as Kafka's metadata log cleaning does. */
  async deleteLogBefore(offset: number): Promise<number> {
    const start = await this.log.deleteRecordsBefore(offset);
    this.core.logStartMoved(start);
    this.kick();
    return start;
  }

  // ---- For the controller listener's handlers -----------------------------------------------------

  /** A peer's request, already checked on the wire; resolves with the core's answer (a Fetch may wait for data). */
  handle(message: RaftRequest): Promise<RaftAnswer> {
    if (this.closed) return Promise.reject(new Error('the raft driver is closed'));
    const from = requestSender(message);
    const id = this.nextInboundId++;
    const promise = new Promise<RaftAnswer>((resolve, reject) => {
      // The core answers every request (a parked Fetch by its max wait); should it not, the peer's
      // connection is freed rather than held forever behind it.
      const guard = setTimeout(() => {
        if (this.inbound.delete(id)) reject(new Error(`the raft core did not answer ${message.type} ${id}`));
      }, this.requestTimeoutMs + (message.type === 'FetchRequest' ? message.maxWaitMs : 0));
      this.inbound.set(id, {
        resolve: (r) => {
          clearTimeout(guard);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(guard);
          reject(e);
        },
      });
    });
    this.core.receive(from, message, id, this.now());
    this.kick();
    return promise;
  }

  /** Graceful shutdown: a leader resigns (EndQuorumEpoch) before the driver stops. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === null) {
      this.core.resign(this.now());
      this.kick();
      await this.running?.catch(() => undefined);
      // Kafka's graceful shutdown lets the resignation reach the voters, within the request timeout.
      if (this.resignations.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((r) => (timer = setTimeout(r, this.requestTimeoutMs)));
        await Promise.race([Promise.all(this.resignations), bound]);
        clearTimeout(timer);
      }
    }
    this.stop(new Error('the raft driver is closed'));
  }

  /** Stops at once, as a crash would (nothing more is written or sent). */
  kill(): void {
    this.stop(new Error('the raft driver was stopped'));
  }

  private stop(reason: Error): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.proposals.rejectAll(new NotLeaderError(reason.message));
    for (const p of this.inbound.values()) p.reject(reason);
    this.inbound.clear();
  }

  // ---- The loop -----------------------------------------------------------------------------------

  /** Something was fed to the core: perform its outputs (one Ready at a time) and re-arm the tick timer. */
  private kick(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.running === null) {
      this.running = this.run().finally(() => (this.running = null));
    }
  }

  private async run(): Promise<void> {
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false;
        await this.perform(this.core.takeReady());
        this.publishState();
      }
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.armTimer();
  }

  private fail(e: Error): void {
    if (this.failure !== null) return;
    logger.error(`raft node ${this.nodeId}: stopping after a failed I/O step: ${e.stack ?? e.message}`);
    this.failure = e;
    this.stop(e);
    for (const l of this.failureListeners) l(e);
  }

  private armTimer(): void {
    if (this.closed) return;
    const at = this.core.nextDeadline();
    if (at === this.timerAt && this.timer !== null) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = at;
    if (!Number.isFinite(at)) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      if (this.closed) return;
      this.core.tick(this.now());
      this.kick();
    }, Math.max(0, at - this.now()));
  }

  /** One Ready, in the contract's order (see the top of this file). */
  private async perform(ready: Ready): Promise<void> {
    // 1. The election state, before any vote or candidacy leaves.
    if (ready.quorumState) {
      const q = ready.quorumState;
      await this.quorumState.write({ epoch: q.leaderEpoch, leaderId: q.leaderId, votedId: q.votedId }, [...this.voters.keys()].sort((a, b) => a - b));
    }
    // 2. Truncation and fetched snapshots.
    if (ready.truncateTo !== undefined) {
      this.truncations++;
      const expected = Math.min(this.log.logEndOffset, ready.truncateTo);
      await this.log.truncateTo(ready.truncateTo);
      // Storage cuts at batch boundaries: a point inside a batch would leave the core and the log disagreeing.
      if (this.log.logEndOffset !== expected) {
        throw new Error(`truncating the metadata log to ${ready.truncateTo} left it ending at ${this.log.logEndOffset}, not at a batch boundary`);
      }
      this.proposals.truncated(ready.truncateTo, truncatedError);
      // A VotersRecord truncated away no longer applies (the core restores its set the same way).
      while ((this.votersRecords.at(-1)?.offset ?? -1) >= ready.truncateTo) this.votersRecords.pop();
    }
    for (const w of ready.snapshotWrites) await this.snapshots.write(w.snapshotId, w.chunk.position, w.chunk.bytes as Buffer);
    if (ready.installSnapshot) {
      const id = ready.installSnapshot;
      await this.snapshots.install(id);
      this.truncations++;
      await this.log.truncateFullyAndStartAt(id.offset);
      this.proposals.truncated(id.offset, truncatedError);
      logger.info(`raft node ${this.nodeId}: installed snapshot ${snapshotFileName(id)} fetched from the leader`);
      for (const l of this.snapshotListeners) l(id);
    }
    // 3. Appends; the fsync runs in the background and only its completion counts.
    if (ready.append.length > 0) {
      // The raft log has no gaps: storage would take one (a compacted leader's), so it is checked here.
      if (ready.append[0].baseOffset !== this.log.logEndOffset) {
        throw new Error(`appending at ${ready.append[0].baseOffset} to a metadata log that ends at ${this.log.logEndOffset}`);
      }
      const bufs = ready.append.map((b) => this.encodeBatch(b));
      await this.log.appendAsFollower(bufs.length === 1 ? bufs[0] : Buffer.concat(bufs));
      this.flushInBackground(ready.append[ready.append.length - 1].lastOffset + 1);
      // A fetched VotersRecord is the voter set from now on (the leader's own applied when proposed).
      if (this.votersRecord) ready.append.forEach((b) => Buffer.isBuffer(b.data) && this.applyVotersRecord(b.baseOffset, votersIn(b.data)));
    }
    // 4. Messages.
    for (const m of ready.messages) {
      if (isRequest(m.message)) this.sendRequest(m.to, m.message, m.correlationId);
      else await this.answer(m.correlationId, m.message);
    }
    // 5. The high watermark: only now may anyone apply records below it.
    if (ready.highWatermark !== undefined && ready.highWatermark > this.highWatermark) {
      this.highWatermark = ready.highWatermark;
      this.log.updateHighWatermark(ready.highWatermark);
      this.proposals.committed(ready.highWatermark);
      for (const l of this.commitListeners) l(ready.highWatermark);
    }
  }

  private flushInBackground(endOffset: number): void {
    const generation = this.truncations;
    this.log.flush().then(
      () => {
        if (this.closed || generation !== this.truncations) return;
        this.core.appended(endOffset, this.now());
        this.kick();
      },
      (e) => this.fail(e),
    );
  }

  /** A batch's bytes: fetched ones as they came; the leader's own built with the core's offsets and epoch. */
  private encodeBatch(b: RaftBatch): Buffer {
    if (Buffer.isBuffer(b.data)) return b.data;
    if (isLeaderChange(b.data)) return leaderChangeBatch(b, b.data, this.now());
    if (isVotersChange(b.data)) return votersBatch(b, b.data.record, this.now());
    return proposalBatch(b, b.data as Proposal);
  }

  private sendRequest(to: NodeId, message: RaftRequest, correlationId: number): void {
    const call = outboundRequest(message, to, this.wire);
    const sent = this.client.send(to, call.request, call.response, call.version, call.body, this.requestTimeoutFor(message));
    if (message.type === 'EndQuorumEpochRequest') {
      const settled = sent.catch(() => undefined);
      this.resignations.add(settled);
      void settled.then(() => this.resignations.delete(settled));
    }
    sent.then(
      (res) => {
        if (this.closed) return;
        this.learnEndpoints(res);
        const answer = call.toCore(res);
        if (answer === null) this.core.requestFailed(correlationId, this.now());
        else this.core.receive(to, answer, correlationId, this.now());
        this.kick();
      },
      () => {
        if (this.closed) return;
        this.core.requestFailed(correlationId, this.now());
        this.kick();
      },
    );
  }

  /** A long-poll Fetch may be held up to its max wait on top of the request timeout. */
  private requestTimeoutFor(message: RaftRequest): number {
    return message.type === 'FetchRequest' ? this.requestTimeoutMs + message.maxWaitMs : this.requestTimeoutMs;
  }

  /** The core answered a peer's request: fill in what it asked to be read, then release the handler. */
  private async answer(id: number, message: RaftResponse): Promise<void> {
    const pending = this.inbound.get(id);
    if (!pending) return;
    this.inbound.delete(id);
    try {
      if (message.type === 'FetchResponse' && message.readFrom !== undefined) {
        const res = await this.log.read(message.readFrom, this.wire.fetchMaxBytes, true, false, 'logEnd');
        const { readFrom: _readFrom, ...rest } = message;
        pending.resolve({ message: rest, records: res.records });
        return;
      }
      if (message.type === 'FetchSnapshotResponse' && message.read !== undefined) {
        const { snapshotId, position, maxBytes } = message.read;
        const { read: _read, ...rest } = message;
        const chunk = await this.snapshots.read(snapshotId, position, maxBytes);
        if ('error' in chunk) pending.resolve({ message: { ...rest, errorCode: ErrorCode[chunk.error] } });
        else pending.resolve({ message: { ...rest, chunk: { size: chunk.size, position, length: chunk.bytes.length, bytes: chunk.bytes } } });
        return;
      }
      pending.resolve({ message });
    } catch (e) {
      pending.reject(e as Error);
    }
  }

  /** Leader endpoints named in an answer (NodeEndpoints): how an observer reaches a leader it only knows by id. */
  private learnEndpoints(res: unknown): void {
    const listed = (res as { nodeEndpoints?: { nodeId: number; host: string; port: number }[] }).nodeEndpoints ?? [];
    for (const e of listed) {
      if (e.nodeId < 0 || e.nodeId === this.nodeId || this.voters.has(e.nodeId)) continue;
      const known = this.learned.get(e.nodeId);
      if (known && known.host === e.host && known.port === e.port) continue;
      this.learned.set(e.nodeId, { name: '', host: e.host, port: e.port });
      this.client.setEndpoint(e.nodeId, { host: e.host, port: e.port });
    }
  }

  private publishState(): void {
    if (this.stateListeners.size === 0) return;
    const s = this.core.status();
    const key = `${s.role}/${s.epoch}/${s.leaderId}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    for (const l of this.stateListeners) l(s);
  }
}

/** Kafka numbers controller.quorum.bootstrap.servers -2, -3, ... (ids no node has). */
const bootstrapServerId = (index: number): NodeId => -2 - index;

const truncatedError = (lastOffset: number) => new NotLeaderError(`the entry at ${lastOffset} was truncated: another leader's log replaced it`);

function requestSender(m: RaftRequest): NodeId {
  switch (m.type) {
    case 'VoteRequest':
      return m.candidateId;
    case 'BeginQuorumEpochRequest':
    case 'EndQuorumEpochRequest':
      return m.leaderId;
    case 'FetchRequest':
    case 'FetchSnapshotRequest':
      return m.replicaId;
  }
}
