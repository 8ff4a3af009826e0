// Waiting on a cluster from outside: poll a condition until it holds (bounded, never a timing
// assertion), and ask controllers who leads the quorum with a DescribeQuorum of samsa's own codec
// (lighter than starting a JVM per poll; the tests check the answers with Kafka's tool).
import { codecRequest } from '../metadata/helpers.js';
import { sleep } from './timeout.js';

/** Calls `check` until it returns a value other than undefined/false; throws after `timeoutMs`. */
export async function waitUntil<T>(what: string | (() => string), timeoutMs: number, check: () => Promise<T | undefined | false> | T | undefined | false, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${typeof what === 'function' ? what() : what}: not within ${timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

export interface QuorumView {
  /** The controller that answered (host:port). */
  from: string;
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: { replicaId: number; logEndOffset: number }[];
  observers: { replicaId: number; logEndOffset: number }[];
}

/** DescribeQuorum v2 of __cluster_metadata-0 to one controller; null unless it answers as the leader. */
export async function describeQuorumAt(hostPort: string): Promise<QuorumView | null> {
  const [host, port] = hostPort.split(':');
  const res = await codecRequest(host, Number(port), 'DescribeQuorum', 2, {
    topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
  });
  const p = res.topics?.[0]?.partitions?.[0];
  if (res.errorCode !== 0 || !p || p.errorCode !== 0 || p.leaderId < 0) return null;
  return {
    from: hostPort,
    leaderId: p.leaderId,
    leaderEpoch: p.leaderEpoch,
    highWatermark: Number(p.highWatermark),
    voters: p.currentVoters.map((v: { replicaId: number; logEndOffset: bigint | number }) => ({ replicaId: v.replicaId, logEndOffset: Number(v.logEndOffset) })),
    observers: p.observers.map((v: { replicaId: number; logEndOffset: bigint | number }) => ({ replicaId: v.replicaId, logEndOffset: Number(v.logEndOffset) })),
  };
}

/** The quorum as its leader describes it, asking each controller in turn (skipping dead ones). */
export async function quorumLeader(controllers: string[]): Promise<QuorumView | null> {
  for (const c of controllers) {
    try {
      const v = await describeQuorumAt(c);
      if (v) return v;
    } catch {
      // Down or not answering: ask the next.
    }
  }
  return null;
}

/** Waits until some controller answers as leader (optionally: not `notLeader`, in an epoch above `afterEpoch`). */
export function waitForLeader(controllers: string[], timeoutMs: number, o: { notLeader?: number; afterEpoch?: number } = {}): Promise<QuorumView> {
  return waitUntil('a quorum leader', timeoutMs, async () => {
    const v = await quorumLeader(controllers);
    if (!v) return undefined;
    if (o.notLeader !== undefined && v.leaderId === o.notLeader) return undefined;
    if (o.afterEpoch !== undefined && v.leaderEpoch <= o.afterEpoch) return undefined;
    return v;
  });
}
