// Page-cache writes of many partitions at once go to one worker thread per event-loop turn: with
// hundreds of producers the write syscalls filled the main thread (bench/FINDINGS.md), where Kafka
// spreads them over its I/O threads. The hand-off costs more CPU in all than the writes it moves
// (copy, message, wake-up, reply), so it is made only while the event loop is busy; otherwise, and
// for a turn with few writes, the event loop makes them itself, synchronously.
import * as nodeFs from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/** Fewer writes than this in one turn are not worth a round trip to the worker. */
const MIN_BATCH = 3;
/** How often the event loop's utilization is read. */
const LOAD_SAMPLE_MS = 100;
/** Writes are handed off once the event loop is busier than this, and made on it again below IDLE. */
const BUSY = 0.8;
const IDLE = 0.5;
/** Shared buffers the writes are copied into for the worker; a turn that outgrows them writes the rest itself. */
const SLAB_BYTES = 4 * 1024 * 1024;
const MAX_SLABS = 8;

// Plain JavaScript evaluated as the worker (CommonJS or ESM alike), so it survives bundling.
const WORKER_SOURCE = `(async () => {
  const { parentPort } = await import('node:worker_threads');
  const fs = await import('node:fs');
  parentPort.on('message', ({ id, slab, jobs }) => {
    const buf = Buffer.from(slab);
    const results = new Float64Array(jobs.length / 4);
    const errors = [];
    for (let i = 0, j = 0; j < jobs.length; i++, j += 4) {
      try {
        results[i] = fs.writeSync(jobs[j], buf, jobs[j + 2], jobs[j + 3], jobs[j + 1]);
      } catch (e) {
        results[i] = -1;
        errors.push({ i, code: e.code, message: e.message });
      }
    }
    parentPort.postMessage({ id, results, errors });
  });
})();`;

interface Job {
  fd: number;
  bufs: Buffer[];
  position: number;
  total: number;
  resolve: (written: number) => void;
  reject: (e: Error) => void;
}

interface Batch {
  slab: SharedArrayBuffer;
  jobs: Job[];
}

interface WorkerReply {
  id: number;
  results: Float64Array;
  errors: { i: number; code?: string; message: string }[];
}

function writeNow(job: Job): void {
  writeBatcherStats.onLoop++;
  try {
    const { fd, bufs, position } = job;
    job.resolve(bufs.length === 1 ? nodeFs.writeSync(fd, bufs[0], 0, bufs[0].length, position) : nodeFs.writevSync(fd, bufs, position));
  } catch (e) {
    job.reject(e as Error);
  }
}

/** Writes made on the event loop and on the writer thread, process-wide. */
export const writeBatcherStats = { onLoop: 0, onThread: 0 };

/** A shared slab being filled with this turn's writes. */
interface OpenSlab {
  slab: SharedArrayBuffer;
  view: Buffer;
  at: number;
  jobs: Job[];
  meta: number[];
}

/** Whether the event loop is busy, from its utilization over the last LOAD_SAMPLE_MS (with hysteresis). */
export function eventLoopBusy(): () => boolean {
  let busy = false;
  let sampledAt = performance.now();
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.now();
    if (now - sampledAt >= LOAD_SAMPLE_MS) {
      const elu = performance.eventLoopUtilization();
      const u = performance.eventLoopUtilization(elu, last).utilization;
      last = elu;
      sampledAt = now;
      busy = busy ? u > IDLE : u > BUSY;
    }
    return busy;
  };
}

export class WriteBatcher {
  /** This turn's writes made on the event loop at its end (fewer than MIN_BATCH, or the loop is not busy). */
  private held: Job[] = [];
  /** This turn's writes go to the writer thread. */
  private handingOff = false;
  /** This turn's writes that found no slab room: made on the event loop at the end of the turn. */
  private direct: Job[] = [];
  private open: OpenSlab | null = null;
  private turnWrites = 0;
  private scheduled = false;
  private worker: Worker | null = null;
  private readonly free: SharedArrayBuffer[] = [];
  private slabs = 0;
  private readonly inFlight = new Map<number, Batch>();
  private nextId = 0;

  /** `offload` says whether a turn with MIN_BATCH writes hands them to the writer thread. */
  constructor(private readonly offload: () => boolean = eventLoopBusy()) {}

  /** Positional write of `bufs` (`total` bytes); resolves with the bytes written. */
  write(fd: number, bufs: Buffer[], position: number, total: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const job = { fd, bufs, position, total, resolve, reject };
      if (++this.turnWrites === MIN_BATCH) this.handingOff = this.offload();
      if (!this.handingOff) {
        this.held.push(job);
      } else {
        // Copied now, while the caller has just read the bytes (CRC) and they are still in the CPU's
        // cache: copied at the end of the turn they came from memory at a fifth of the speed.
        for (const h of this.held) this.stage(h);
        this.held.length = 0;
        this.stage(job);
      }
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  /** Copies `job` into the open slab (posting a full one to the writer thread), or defers it. */
  private stage(job: Job): void {
    let open = this.open;
    if (open !== null && open.at + job.total > SLAB_BYTES) {
      this.post(open);
      open = this.open = null;
    }
    if (open === null) {
      const slab = job.total <= SLAB_BYTES ? this.takeSlab() : null;
      if (slab === null) {
        this.direct.push(job);
        return;
      }
      open = this.open = { slab, view: Buffer.from(slab), at: 0, jobs: [], meta: [] };
    }
    open.meta.push(job.fd, job.position, open.at, job.total);
    for (const b of job.bufs) open.at += b.copy(open.view, open.at);
    open.jobs.push(job);
  }

  /** End of the turn: positional writes to distinct ranges commute, so any split of them will do. */
  private readonly flush = (): void => {
    this.scheduled = false;
    this.turnWrites = 0;
    this.handingOff = false;
    if (this.open !== null) {
      this.post(this.open);
      this.open = null;
    }
    // At most one of these has writes: held ones were staged once the turn handed off.
    const { held, direct } = this;
    if (held.length > 0) this.held = [];
    if (direct.length > 0) this.direct = [];
    for (const j of held) writeNow(j);
    for (const j of direct) writeNow(j);
  };

  private takeSlab(): SharedArrayBuffer | null {
    const slab = this.free.pop();
    if (slab) return slab;
    if (this.slabs >= MAX_SLABS) return null;
    this.slabs++;
    return new SharedArrayBuffer(SLAB_BYTES);
  }

  private post({ slab, jobs, meta }: OpenSlab): void {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    this.inFlight.set(id, { slab, jobs });
    writeBatcherStats.onThread += jobs.length;
    if (this.inFlight.size === 1) worker.ref();
    worker.postMessage({ id, slab, jobs: Float64Array.from(meta) });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const error = new Error(`page-cache writer thread ${reason}`);
      for (const b of this.inFlight.values()) for (const j of b.jobs) j.reject(error);
      this.inFlight.clear();
    };
    worker.on('error', (e) => lost(`failed: ${e.message}`));
    worker.on('exit', (code) => lost(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private onReply({ id, results, errors }: WorkerReply): void {
    const batch = this.inFlight.get(id);
    if (!batch) return;
    this.inFlight.delete(id);
    if (this.inFlight.size === 0) this.worker?.unref();
    this.free.push(batch.slab);
    for (const e of errors) {
      batch.jobs[e.i].reject(Object.assign(new Error(e.message), { code: e.code }));
    }
    for (let i = 0; i < batch.jobs.length; i++) if (results[i] >= 0) batch.jobs[i].resolve(results[i]);
  }
}

/** The process-wide batcher (brokers embedded side by side share its one thread). */
export const writeBatcher = new WriteBatcher();
