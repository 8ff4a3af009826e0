// A history checker in the manner of Jepsen's Kafka workload, over what Kafka's own verifiable
// clients print: VerifiableProducer's acknowledgements, VerifiableConsumer's (--verbose) polls and
// commits, and the partitions as finally read back. Pure: events in, anomalies out.

/** A write the producer saw acknowledged: value at partition/offset. */
export interface Ack {
  partition: number;
  offset: number;
  value: string;
}

/** A record as read back from the partition's log at the end. */
export interface LogRecord {
  partition: number;
  offset: number;
  value: string;
}

/** One JSON line of VerifiableConsumer (the fields the checks use). */
export interface ConsumerEvent {
  name: string;
  partition?: number;
  offset?: number;
  value?: string;
  success?: boolean;
  offsets?: { topic: string; partition: number; offset: number }[];
  partitions?: { topic: string; partition: number }[];
}

export interface Anomalies {
  /** Acknowledged writes absent from the final log. */
  lost: Ack[];
  /** Values present more than once in the final log. */
  duplicates: { value: string; offsets: string[] }[];
  /** Acknowledged writes found at another offset than acknowledged (in the log or by a consumer). */
  moved: { value: string; acked: string; found: string; by: 'log' | 'consumer' }[];
  /** A consumer polled an offset at or below one it already polled within the same assignment. */
  pollBackwards: { partition: number; previous: number; offset: number }[];
  /** A successful commit below an earlier successful commit of the same consumer. */
  commitBackwards: { partition: number; previous: number; offset: number }[];
  /** Acknowledged writes the consumer never polled (only counted when it was asked to read everything). */
  unseen: Ack[];
}

const where = (partition: number, offset: number) => `${partition}@${offset}`;

/** Parses newline-delimited JSON output, skipping non-JSON lines (log output). */
export function jsonLines<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A line cut by a kill: nothing to check in it.
    }
  }
  return out;
}

export function check(acked: Ack[], log: LogRecord[], consumer: ConsumerEvent[], opts: { consumerReadAll?: boolean } = {}): Anomalies {
  const a: Anomalies = { lost: [], duplicates: [], moved: [], pollBackwards: [], commitBackwards: [], unseen: [] };
  const ackedAt = new Map<string, Ack>();
  for (const w of acked) ackedAt.set(w.value, w);

  const inLog = new Map<string, string[]>();
  for (const r of log) {
    const at = inLog.get(r.value);
    if (at) at.push(where(r.partition, r.offset));
    else inLog.set(r.value, [where(r.partition, r.offset)]);
  }
  for (const [value, offsets] of inLog) if (offsets.length > 1) a.duplicates.push({ value, offsets });
  for (const w of acked) {
    const found = inLog.get(w.value);
    if (!found) a.lost.push(w);
    else if (!found.includes(where(w.partition, w.offset))) a.moved.push({ value: w.value, acked: where(w.partition, w.offset), found: found.join(','), by: 'log' });
  }

  // Within an assignment a consumer's position only moves forward; a new assignment restarts from
  // the committed offset, so polls are compared per assignment, commits across the whole run.
  const lastPoll = new Map<number, number>();
  const lastCommit = new Map<number, number>();
  const seen = new Set<string>();
  for (const e of consumer) {
    if (e.name === 'partitions_assigned' || e.name === 'partitions_revoked') {
      for (const p of e.partitions ?? []) lastPoll.delete(p.partition);
    } else if (e.name === 'record_data' && e.partition !== undefined && e.offset !== undefined) {
      const prev = lastPoll.get(e.partition);
      if (prev !== undefined && e.offset <= prev) a.pollBackwards.push({ partition: e.partition, previous: prev, offset: e.offset });
      lastPoll.set(e.partition, e.offset);
      if (e.value === undefined) continue;
      seen.add(e.value);
      const w = ackedAt.get(e.value);
      if (w && (w.partition !== e.partition || w.offset !== e.offset)) a.moved.push({ value: e.value, acked: where(w.partition, w.offset), found: where(e.partition, e.offset), by: 'consumer' });
    } else if (e.name === 'offsets_committed' && e.success) {
      for (const c of e.offsets ?? []) {
        const prev = lastCommit.get(c.partition);
        if (prev !== undefined && c.offset < prev) a.commitBackwards.push({ partition: c.partition, previous: prev, offset: c.offset });
        lastCommit.set(c.partition, Math.max(prev ?? c.offset, c.offset));
      }
    }
  }
  if (opts.consumerReadAll) for (const w of acked) if (!seen.has(w.value)) a.unseen.push(w);
  return a;
}

/** A one-line summary of the anomalies, with the first few of each kind. */
export function describe(a: Anomalies): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(a) as [string, unknown[]][]) if (v.length) parts.push(`${k}=${v.length} ${JSON.stringify(v.slice(0, 5))}`);
  return parts.length ? parts.join('; ') : 'none';
}
