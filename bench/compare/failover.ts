// The cluster rows' client side over raw Kafka requests: a replicated topic created and waited for
// until every replica is in sync, and failover time: the partition leader's process kill -9'ed, then
// a loop of single-record acks=all produces (leader found afresh from the live nodes' Metadata) until
// the first one succeeds; the figure is kill to that success. Each kill also records when the live
// nodes' Metadata first named the new leader (the election, as the cluster's metadata carries it;
// the rest is the new leader's replication of the acks=all record) and whether the killed node was
// the active controller as well (then a quorum election and the new controller's fresh broker
// sessions come first: it fences the dead broker only a session timeout after taking over).
import { performance } from 'node:perf_hooks';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { DescribeQuorumRequest } from '../../src/protocol/generated/describe-quorum-request.js';
import { DescribeQuorumResponse } from '../../src/protocol/generated/describe-quorum-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { ErrorCode, errorName } from '../../src/protocol/errors.js';
import { negotiateVersions, type Versions } from '../admin.js';
import { Connection } from '../connection.js';
import { makeBatch } from '../produce.js';
import type { BenchCluster, ClusterNode } from './cluster-nodes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Client-side bound of one attempt (a dead leader's socket may neither answer nor close). */
const ATTEMPT_TIMEOUT_MS = 3000;
/** Pause between failed attempts, so the loop measures the cluster, not its own spinning. */
const RETRY_MS = 20;

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

async function connect(node: ClusterNode): Promise<{ conn: Connection; v: Versions }> {
  const conn = await within(Connection.connect('127.0.0.1', node.port), ATTEMPT_TIMEOUT_MS, `connect to node ${node.nodeId}`);
  try {
    return { conn, v: await within(negotiateVersions(conn), ATTEMPT_TIMEOUT_MS, 'ApiVersions') };
  } catch (e) {
    conn.close();
    throw e;
  }
}

interface PartitionState {
  leader: number;
  isr: number[];
  replicas: number[];
}

async function partitionState(node: ClusterNode, topic: string): Promise<PartitionState | null> {
  const { conn, v } = await connect(node);
  try {
    const md = await within(
      conn.request(MetadataRequest, MetadataResponse, v.metadata, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }),
      ATTEMPT_TIMEOUT_MS,
      'Metadata',
    );
    const p = md.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partitionIndex === 0);
    if (!p || p.errorCode !== ErrorCode.NONE) return null;
    return { leader: p.leaderId, isr: p.isrNodes, replicas: p.replicaNodes };
  } finally {
    conn.close();
  }
}

/** Creates `topic` with replication factor 3 and the given configs, through the first node. */
export async function createReplicatedTopic(c: BenchCluster, topic: string, partitions: number, configs: Record<string, string>): Promise<void> {
  const { conn, v } = await connect(c.nodes[0]);
  try {
    const res = await conn.request(CreateTopicsRequest, CreateTopicsResponse, v.createTopics, {
      topics: [{ name: topic, numPartitions: partitions, replicationFactor: 3, assignments: [], configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
      timeoutMs: 30_000,
      validateOnly: false,
    });
    const t = res.topics.find((x) => x.name === topic);
    if (!t || t.errorCode !== ErrorCode.NONE) throw new Error(`cannot create ${topic}: ${t ? `${errorName(t.errorCode)} ${t.errorMessage ?? ''}` : 'not in the answer'}`);
  } finally {
    conn.close();
  }
  await awaitFullIsr(c, topic, 120_000);
}

/** Waits until partition 0 has a leader and all three replicas in its ISR, as every running node reports. */
export async function awaitFullIsr(c: BenchCluster, topic: string, timeoutMs: number): Promise<PartitionState> {
  const deadline = performance.now() + timeoutMs;
  let last: string = 'no answer';
  for (;;) {
    try {
      const states = await Promise.all(c.nodes.map((n) => partitionState(n, topic)));
      const s = states[0];
      if (s && s.leader >= 0 && s.isr.length === 3 && states.every((x) => x && x.leader === s.leader && x.isr.length === 3)) return s;
      last = JSON.stringify(states);
    } catch (e) {
      last = (e as Error).message;
    }
    if (performance.now() > deadline) throw new Error(`${topic}-0 not fully in sync after ${timeoutMs / 1000} s (${last})`);
    await sleep(200);
  }
}

export interface FailoverFigure {
  /** Kill -9 of the leader's process to the first acknowledged acks=all produce. */
  ms: number;
  /** Kill -9 to the first Metadata answer of a live node naming a live leader. */
  leaderSeenMs: number;
  /** Whether the killed node was also the active controller (the quorum's leader). */
  controllerKilled: boolean;
  killed: number;
  newLeader: number;
  attempts: number;
  /** Distinct failures seen meanwhile (error names, timeouts, refused connections), with counts. */
  failures: Record<string, number>;
}

/** One acks=all produce of one record to partition 0 through `node`; resolves on success, rejects with the reason. */
async function produceOnce(node: ClusterNode, topic: string, batch: Buffer): Promise<void> {
  const { conn, v } = await connect(node);
  try {
    const res = await within(
      conn.request(ProduceRequest, ProduceResponse, v.produce, { transactionalId: null, acks: -1, timeoutMs: ATTEMPT_TIMEOUT_MS - 500, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] }),
      ATTEMPT_TIMEOUT_MS,
      'Produce',
    );
    const code = res.responses[0]?.partitionResponses[0]?.errorCode;
    if (code !== ErrorCode.NONE) throw new Error(code === undefined ? 'empty Produce answer' : errorName(code));
  } finally {
    conn.close();
  }
}

/** The active controller: the metadata quorum's leader as a node's controller listener describes it (DescribeQuorum v0), -1 if none answers. */
export async function activeController(c: BenchCluster): Promise<number> {
  for (const node of c.nodes) {
    try {
      const conn = await within(Connection.connect('127.0.0.1', node.controllerPort), ATTEMPT_TIMEOUT_MS, `connect to node ${node.nodeId}'s controller listener`);
      try {
        const res = await within(
          conn.request(DescribeQuorumRequest, DescribeQuorumResponse, 0, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] }),
          ATTEMPT_TIMEOUT_MS,
          'DescribeQuorum',
        );
        const p = res.topics[0]?.partitions[0];
        if (res.errorCode === ErrorCode.NONE && p && p.errorCode === ErrorCode.NONE && p.leaderId >= 0) return p.leaderId;
      } finally {
        conn.close();
      }
    } catch {
      // a node not answering: ask the next
    }
  }
  return -1;
}

/** Kills partition 0's leader, measures to the first successful produce, restarts the node and waits for the ISR to be whole again. */
export async function failoverOnce(c: BenchCluster, topic: string, giveUpMs: number): Promise<FailoverFigure> {
  const before = await awaitFullIsr(c, topic, 120_000);
  const victim = c.nodes.find((n) => n.nodeId === before.leader);
  if (!victim) throw new Error(`leader ${before.leader} is not one of the nodes`);
  const batch = makeBatch(100, 0);
  const failures: Record<string, number> = {};
  const fail = (why: string) => (failures[why] = (failures[why] ?? 0) + 1);
  const live = c.nodes.filter((n) => n !== victim);
  const controllerKilled = (await activeController(c)) === victim.nodeId;
  const t0 = performance.now();
  await victim.kill9();
  let attempts = 0;
  let leaderSeenMs = -1;
  let result: FailoverFigure | null = null;
  while (!result) {
    if (performance.now() - t0 > giveUpMs) throw new Error(`no acks=all produce succeeded within ${giveUpMs / 1000} s of killing node ${victim.nodeId}: ${JSON.stringify(failures)}`);
    attempts++;
    try {
      // Leader as the live nodes see it (the first that answers); a stale answer naming the dead node is a failed attempt.
      let state: PartitionState | null = null;
      for (const n of live) {
        try {
          state = await partitionState(n, topic);
          if (state) break;
        } catch {
          // try the next live node
        }
      }
      if (!state || state.leader < 0) throw new Error('no leader');
      if (state.leader === victim.nodeId) throw new Error('leader is the killed node');
      const leader = live.find((n) => n.nodeId === state!.leader);
      if (!leader) throw new Error(`unknown leader ${state.leader}`);
      if (leaderSeenMs < 0) leaderSeenMs = performance.now() - t0;
      await produceOnce(leader, topic, batch);
      result = { ms: performance.now() - t0, leaderSeenMs, controllerKilled, killed: victim.nodeId, newLeader: leader.nodeId, attempts, failures };
    } catch (e) {
      fail((e as Error).message.replace(/\d+ ms/, 'N ms').split('\n')[0].slice(0, 80));
      await sleep(RETRY_MS);
    }
  }
  await victim.restart();
  await awaitFullIsr(c, topic, 180_000);
  return result;
}

/** Waits until every node answers Metadata naming all three brokers (Kafka's JVMs print no ready line we wait for). */
export async function awaitBrokers(c: BenchCluster, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (const node of c.nodes) {
    for (;;) {
      try {
        const { conn, v } = await connect(node);
        try {
          const md = await within(
            conn.request(MetadataRequest, MetadataResponse, v.metadata, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }),
            ATTEMPT_TIMEOUT_MS,
            'Metadata',
          );
          if (md.brokers.length === 3) break;
        } finally {
          conn.close();
        }
      } catch {
        // not listening yet
      }
      if (performance.now() > deadline) throw new Error(`node ${node.nodeId} does not list 3 brokers after ${timeoutMs / 1000} s:\n${c.logTail()}`);
      await sleep(250);
    }
  }
}
