// Many partitions and connections without hundreds of JVMs: one process opens N connections (the raw
// client of bench/connection.ts), each owning an equal share of the topic's partitions, and every
// connection keeps one produce request in flight, carrying one small batch for each partition it owns
// (like N small producers each writing to its own partitions). Closed loop for a fixed time: the
// figures are the records/s the broker sustains and the request latency each client sees meanwhile.
import { performance } from 'node:perf_hooks';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { ErrorCode, errorName } from '../../src/protocol/errors.js';
import { negotiateVersions } from '../admin.js';
import { Connection } from '../connection.js';
import { makeBatch } from '../produce.js';
import { percentile } from '../report.js';

export interface ManySpec {
  host: string;
  port: number;
  topic: string;
  partitions: number;
  connections: number;
  recordSize: number;
  /** Bytes of one batch (a few records: many small clients). */
  batchBytes: number;
  acks: number;
  warmupMs: number;
  durationMs: number;
}

export interface ManyFigures {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  recordsPerBatch: number;
}

export async function runManyConnections(spec: ManySpec): Promise<ManyFigures> {
  const conns = await Promise.all(Array.from({ length: spec.connections }, () => Connection.connect(spec.host, spec.port)));
  try {
    const v = await negotiateVersions(conns[0]);
    const batch = makeBatch(spec.recordSize, spec.batchBytes);
    const recordsPerBatch = batch.readInt32BE(57);
    const requests = conns.map((_, c) => {
      const owned: number[] = [];
      for (let p = c; p < spec.partitions; p += spec.connections) owned.push(p);
      const body: ProduceRequest = {
        transactionalId: null,
        acks: spec.acks,
        timeoutMs: 30_000,
        topicData: [{ name: spec.topic, partitionData: owned.map((index) => ({ index, records: batch })) }],
      };
      return { body, records: owned.length * recordsPerBatch };
    });

    let measuring = false;
    let stopping = false;
    let records = 0;
    const latencies: number[] = [];
    const start = performance.now();
    let measureStart = start;
    let measureEnd = start;
    await new Promise<void>((resolve, reject) => {
      let inFlight = 0;
      let failed = false;
      const send = (c: number) => {
        const { body, records: n } = requests[c];
        if (body.topicData[0].partitionData.length === 0) return;
        const sentAt = performance.now();
        inFlight++;
        conns[c].request(ProduceRequest, ProduceResponse, v.produce, body).then(
          (res) => {
            if (failed) return;
            inFlight--;
            const now = performance.now();
            try {
              check(res);
            } catch (e) {
              failed = true;
              return reject(e);
            }
            // Every response that arrives inside the window counts, whenever its request left.
            if (measuring) {
              records += n;
              latencies.push(now - sentAt);
            }
            if (!stopping) send(c);
            else if (inFlight === 0) resolve();
          },
          (e) => {
            failed = true;
            reject(e);
          },
        );
      };
      for (let c = 0; c < conns.length; c++) send(c);
      setTimeout(() => {
        measuring = true;
        measureStart = performance.now();
        setTimeout(() => {
          measureEnd = performance.now();
          measuring = false;
          stopping = true;
          if (inFlight === 0) resolve();
        }, spec.durationMs);
      }, spec.warmupMs);
    });
    if (latencies.length === 0) throw new Error(`no produce response within the ${spec.durationMs / 1000} s window`);
    const seconds = (measureEnd - measureStart) / 1000;
    const lat = Float64Array.from(latencies);
    return {
      records,
      recordsPerSec: records / seconds,
      mbPerSec: (records * spec.recordSize) / (1024 * 1024) / seconds,
      requests: latencies.length,
      p50Ms: percentile(lat, 0.5),
      p99Ms: percentile(lat, 0.99),
      recordsPerBatch,
    };
  } finally {
    for (const c of conns) c.close();
  }
}

function check(res: ProduceResponse): void {
  for (const t of res.responses) {
    for (const p of t.partitionResponses) {
      if (p.errorCode !== ErrorCode.NONE) {
        throw new Error(`produce to ${t.name}-${p.index} failed: ${errorName(p.errorCode)} ${p.errorMessage ?? ''}`);
      }
    }
  }
}
