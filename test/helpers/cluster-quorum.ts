// Kafka 4.4.0's `kafka-metadata-quorum` (MetadataQuorumCommand) against a cluster, its output parsed:
// `describe --status` into fields, `describe --replication` into one row per voter/observer.
import { kafkaToolIO } from './kafka-tool.js';

export const METADATA_QUORUM_COMMAND = 'org.apache.kafka.tools.MetadataQuorumCommand';

/** Either `--bootstrap-controller` (controllers' listeners) or `--bootstrap-server` (brokers'). */
export type QuorumBootstrap = { controller: string } | { server: string };

export interface QuorumStatus {
  clusterId: string;
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  maxFollowerLag: number;
  maxFollowerLagTimeMs: number;
  currentVoters: { id: number; directoryId?: string; endpoints?: string[] }[];
  currentObservers: { id: number; directoryId?: string }[];
}

export interface ReplicationRow {
  nodeId: number;
  directoryId: string;
  logEndOffset: number;
  lag: number;
  lastFetchTimestamp: number;
  lastCaughtUpTimestamp: number;
  status: 'Leader' | 'Follower' | 'Observer';
}

function bootstrapArgs(b: QuorumBootstrap): string[] {
  return 'controller' in b ? ['--bootstrap-controller', b.controller] : ['--bootstrap-server', b.server];
}

/** Runs the command; throws with its output when it exits non-zero. */
export async function metadataQuorum(b: QuorumBootstrap, ...args: string[]): Promise<string> {
  const r = await kafkaToolIO(METADATA_QUORUM_COMMAND, [...bootstrapArgs(b), ...args]);
  if (r.code !== 0) throw new Error(`kafka-metadata-quorum ${args.join(' ')} exited ${r.code}:\n${r.out}\n${r.err}`);
  return r.out;
}

export function parseStatus(out: string): QuorumStatus {
  const fields = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^(\w+):\s+(.*)$/.exec(line.trim());
    if (m) fields.set(m[1], m[2]);
  }
  const field = (k: string) => {
    const v = fields.get(k);
    if (v === undefined) throw new Error(`no ${k} in describe --status output:\n${out}`);
    return v;
  };
  return {
    clusterId: field('ClusterId'),
    leaderId: Number(field('LeaderId')),
    leaderEpoch: Number(field('LeaderEpoch')),
    highWatermark: Number(field('HighWatermark')),
    maxFollowerLag: Number(field('MaxFollowerLag')),
    maxFollowerLagTimeMs: Number(field('MaxFollowerLagTimeMs')),
    currentVoters: JSON.parse(field('CurrentVoters')),
    currentObservers: JSON.parse(field('CurrentObservers')),
  };
}

export function parseReplication(out: string): ReplicationRow[] {
  const lines = out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const header = lines.findIndex((l) => l.startsWith('NodeId'));
  if (header < 0) throw new Error(`no header in describe --replication output:\n${out}`);
  return lines.slice(header + 1).map((l) => {
    const c = l.split(/\s+/);
    return {
      nodeId: Number(c[0]),
      directoryId: c[1],
      logEndOffset: Number(c[2]),
      lag: Number(c[3]),
      lastFetchTimestamp: Number(c[4]),
      lastCaughtUpTimestamp: Number(c[5]),
      status: c[6] as ReplicationRow['status'],
    };
  });
}

export async function describeStatus(b: QuorumBootstrap): Promise<QuorumStatus> {
  return parseStatus(await metadataQuorum(b, 'describe', '--status'));
}

export async function describeReplication(b: QuorumBootstrap): Promise<ReplicationRow[]> {
  return parseReplication(await metadataQuorum(b, 'describe', '--replication'));
}
