// Raft nodes in one process on real sockets and real files, for the driver tests: each node has
// its own data dir (a replicated FileStorageEngine holding __cluster_metadata-0), a NodeClient on
// a shared NodeFaults, a RaftDriver and a controller listener (Server + CONTROLLER_HANDLERS).
// Nodes can be closed (graceful), killed (crash: nothing more written or sent) and restarted on
// the same dir and port.
import net from 'node:net';
import path from 'node:path';
import { BrokerConfig } from '../../src/config.js';
import { CONTROLLER_HANDLERS } from '../../src/handlers/controller/registry.js';
import type { ControllerRequestContext } from '../../src/handlers/controller/context.js';
import { MetadataDelta } from '../../src/metadata/delta.js';
import { MetadataImage } from '../../src/metadata/image.js';
import { MetadataLog, metadataLogConfig } from '../../src/metadata/metadata-log.js';
import { NodeClient } from '../../src/network/node-client.js';
import { NodeFaults } from '../../src/network/node-faults.js';
import { Server } from '../../src/network/server.js';
import { RaftDriver } from '../../src/raft/driver.js';
import type { Endpoint } from '../../src/raft/wire.js';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import { BATCH_HEADER_SIZE, batchSize, readBatchHeader } from '../../src/protocol/records/batch.js';
import { sleep } from '../helpers/timeout.js';

/** Short quorum timeouts so tests move quickly; correctness never depends on them. */
export const FAST = { electionTimeoutMs: 300, fetchTimeoutMs: 600, electionBackoffMaxMs: 300, requestTimeoutMs: 500, fetchMaxWaitMs: 200 };

export interface RaftNode {
  id: number;
  dir: string;
  driver: RaftDriver;
  storage: FileStorageEngine;
  metadataLog: MetadataLog;
  client: NodeClient;
  server: Server<ControllerRequestContext>;
  committed: number[];
  running: boolean;
  /** The committed log replayed (what a node's metadata loader would publish). */
  image: MetadataImage;
}

export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export class RaftCluster {
  readonly faults = new NodeFaults();
  readonly nodes = new Map<number, RaftNode>();
  voters = new Map<number, Endpoint>();

  constructor(
    readonly baseDir: string,
    private readonly timeouts: Partial<typeof FAST> = FAST,
    /** A Kafka cluster id (base64 of 16 bytes), so Kafka's own tools and nodes accept it. */
    readonly clusterId = 'cmFmdERyaXZlclRlc3QxAA',
  ) {}

  static async start(baseDir: string, size: number, timeouts: Partial<typeof FAST> = FAST): Promise<RaftCluster> {
    const c = new RaftCluster(baseDir, timeouts);
    const ports = await freePorts(size);
    ports.forEach((port, i) => c.voters.set(i + 1, { name: 'CONTROLLER', host: '127.0.0.1', port }));
    for (const id of c.voters.keys()) await c.startNode(id);
    return c;
  }

  async startNode(id: number): Promise<RaftNode> {
    const dir = path.join(this.baseDir, `node-${id}`);
    const config = new BrokerConfig();
    const storage = new FileStorageEngine(dir, config.logConfig(), { replicated: true });
    await storage.open();
    const metadataLog = await MetadataLog.open(storage, metadataLogConfig(config.logConfig(), 1024 * 1024));
    const client = new NodeClient({ nodeId: id, requestTimeoutMs: this.timeouts.requestTimeoutMs ?? 2000, faults: this.faults, reconnectBackoffMs: 20, reconnectBackoffMaxMs: 200 });
    const driver = await RaftDriver.start({
      nodeId: id,
      clusterId: this.clusterId,
      voters: this.voters,
      log: metadataLog.log,
      dir: path.join(dir, '__cluster_metadata-0'),
      client,
      core: this.timeouts,
    });
    const server = new Server<ControllerRequestContext>({
      listenerName: 'CONTROLLER',
      registry: CONTROLLER_HANDLERS,
      // The quorum's context, plus what DescribeCluster (KIP-919) reads: the committed image and the leader.
      context: (info) => ({
        ...info,
        raft: driver,
        apiVersionsFeatures: () => ({}),
        broker: { image: this.nodes.get(id)?.image ?? MetadataImage.empty(this.clusterId), clusterId: this.clusterId },
        activeControllerId: () => driver.status().leaderId,
      }),
      config,
    });
    // Observers (not in controller.quorum.voters) only fetch: nobody dials them, they listen anywhere.
    await server.listen('127.0.0.1', this.voters.get(id)?.port ?? 0);
    const node: RaftNode = { id, dir, driver, storage, metadataLog, client, server, committed: [], running: true, image: MetadataImage.empty(this.clusterId) };
    // Replays what committed, in order (one replay at a time), into the node's image.
    let applied = metadataLog.log.logStartOffset;
    let replaying = Promise.resolve();
    driver.onCommit((hw) => {
      node.committed.push(hw);
      replaying = replaying.then(async () => {
        if (!node.running || hw <= applied) return;
        const delta = new MetadataDelta(node.image);
        let lastOffset = -1;
        let epoch = -1;
        await metadataLog.read(applied, (b) => {
          for (const r of b.records) delta.replay(r);
          lastOffset = b.lastOffset;
          epoch = b.epoch;
        });
        applied = hw;
        if (lastOffset >= 0) node.image = delta.apply({ lastContainedOffset: lastOffset, lastContainedEpoch: epoch, lastContainedLogTimeMs: Date.now() });
      });
    });
    this.nodes.set(id, node);
    return node;
  }

  /** Graceful: a leader resigns first. */
  async closeNode(id: number): Promise<void> {
    const n = this.nodes.get(id)!;
    if (!n.running) return;
    n.running = false;
    await n.driver.close();
    await this.release(n);
  }

  /** A crash: the driver stops at once, its connections drop. */
  async killNode(id: number): Promise<void> {
    const n = this.nodes.get(id)!;
    if (!n.running) return;
    n.running = false;
    n.driver.kill();
    await this.release(n);
  }

  private async release(n: RaftNode): Promise<void> {
    n.client.close();
    await n.server.close();
    await n.storage.close();
  }

  async close(): Promise<void> {
    for (const id of this.nodes.keys()) await this.killNode(id);
  }

  running(): RaftNode[] {
    return [...this.nodes.values()].filter((n) => n.running);
  }

  /** The one leader among running nodes that the others follow, once there is one. */
  async waitForLeader(among: RaftNode[] = this.running(), timeoutMs = 20_000, above = 0): Promise<RaftNode> {
    const leader = await waitFor(() => {
      const leaders = among.filter((n) => n.driver.status().role === 'Leader' && n.driver.status().epoch > above);
      if (leaders.length !== 1) return undefined;
      const l = leaders[0].driver.status();
      const agree = among.every((n) => n.driver.status().leaderId === l.nodeId && n.driver.status().epoch === l.epoch);
      return agree ? leaders[0] : undefined;
    }, timeoutMs, 'one leader all nodes follow');
    return leader;
  }
}

/** Polls `f` until it returns a value (test-side waiting; the product code never polls). */
export async function waitFor<T>(f: () => T | undefined | false, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await sleep(20);
  }
}

export interface LogBatch {
  baseOffset: number;
  lastOffset: number;
  epoch: number;
  control: boolean;
  bytes: Buffer;
}

/** Every batch of a node's metadata log from its start up to `end` (exclusive), as bytes. */
export async function readLog(node: RaftNode, end: number): Promise<LogBatch[]> {
  const log = node.metadataLog.log;
  const out: LogBatch[] = [];
  let offset = log.logStartOffset;
  while (offset < end) {
    const res = await log.read(offset, 1 << 20, true, false, 'logEnd');
    let advanced = false;
    for (const chunk of res.records) {
      for (let pos = 0; pos + BATCH_HEADER_SIZE <= chunk.length; pos += batchSize(chunk, pos)) {
        const h = readBatchHeader(chunk, pos);
        const last = h.baseOffset + h.lastOffsetDelta;
        if (last < offset || h.baseOffset >= end) continue;
        out.push({ baseOffset: h.baseOffset, lastOffset: last, epoch: h.partitionLeaderEpoch, control: (h.attributes & 0x20) !== 0, bytes: Buffer.from(chunk.subarray(pos, pos + batchSize(chunk, pos))) });
        offset = last + 1;
        advanced = true;
      }
    }
    if (!advanced) break;
  }
  return out;
}

/** waitFor with an async condition. */
export async function waitForAsync(f: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await sleep(50);
  }
}
