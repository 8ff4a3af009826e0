// Page-cache writes of many partitions at once go to one worker thread per event-loop turn: with
// hundreds of producers the write syscalls filled the main thread (bench/FINDINGS.md), where Kafka
// spreads them over its I/O threads. A turn with few writes makes them right away, synchronously.
import * as nodeFs from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Fewer writes than this in one turn are not worth a round trip to the worker. */
const MIN_BATCH = 3;
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

export class WriteBatcher {
  private pending: Job[] = [];
  private scheduled = false;
  private worker: Worker | null = null;
  private readonly free: SharedArrayBuffer[] = [];
  private slabs = 0;
  private readonly inFlight = new Map<number, Batch>();
  private nextId = 0;

  /** Positional write of `bufs` (`total` bytes, at most a slab); resolves with the bytes written. */
  write(fd: number, bufs: Buffer[], position: number, total: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pending.push({ fd, bufs, position, total, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  /** Positional writes to distinct ranges commute, so the turn's writes may go in any split. */
  private readonly flush = (): void => {
    const jobs = this.pending;
    this.pending = [];
    this.scheduled = false;
    if (jobs.length < MIN_BATCH) {
      for (const j of jobs) writeNow(j);
      return;
    }
    let i = 0;
    while (i < jobs.length) {
      const slab = this.takeSlab();
      if (!slab) {
        for (; i < jobs.length; i++) writeNow(jobs[i]);
        return;
      }
      const view = Buffer.from(slab);
      const meta: number[] = [];
      const batch: Job[] = [];
      let at = 0;
      while (i < jobs.length && at + jobs[i].total <= SLAB_BYTES) {
        const j = jobs[i++];
        meta.push(j.fd, j.position, at, j.total);
        for (const b of j.bufs) at += b.copy(view, at);
        batch.push(j);
      }
      if (batch.length === 0) {
        this.free.push(slab);
        writeNow(jobs[i++]);
        continue;
      }
      this.post(slab, batch, meta);
    }
  };

  private takeSlab(): SharedArrayBuffer | null {
    const slab = this.free.pop();
    if (slab) return slab;
    if (this.slabs >= MAX_SLABS) return null;
    this.slabs++;
    return new SharedArrayBuffer(SLAB_BYTES);
  }

  private post(slab: SharedArrayBuffer, jobs: Job[], meta: number[]): void {
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
