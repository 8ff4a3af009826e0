// The broker side of KIP-858 (Kafka's AssignmentsManager): a broker with several log dirs tells
// the active controller which dir holds each of its replicas, with AssignReplicasToDirs. Whenever
// the image names another dir for a replica here than the one its log is in (new partitions are
// UNASSIGNED on a broker with several dirs; a log moved by AlterReplicaLogDirs), the assignment is
// queued; queued assignments go in one request at a time, and what failed is sent again after a
// second. With one log dir the controller assigns it itself and nothing is ever sent.
import { log } from '../log.js';
import type { MetadataDelta } from '../metadata/delta.js';
import type { MetadataImage } from '../metadata/image.js';
import type { MetadataPublisher } from '../metadata/loader.js';
import { ErrorCode } from '../protocol/errors.js';
import type { AssignReplicasToDirsRequest } from '../protocol/generated/assign-replicas-to-dirs-request.js';
import type { AssignReplicasToDirsResponse } from '../protocol/generated/assign-replicas-to-dirs-response.js';

const RETRY_MS = 1000;

export interface DirectoryAssignmentsOptions {
  nodeId: number;
  brokerEpoch(): number;
  /** The directory id of the dir holding the partition's log here, or undefined when there is none. */
  dirIdOf(topic: string, partition: number): string | undefined;
  send(req: AssignReplicasToDirsRequest): Promise<AssignReplicasToDirsResponse>;
}

interface Assignment {
  topicId: string;
  partition: number;
  dirId: string;
}

export class DirectoryAssignments implements MetadataPublisher {
  readonly name = 'DirectoryAssignments';
  private image: MetadataImage | null = null;
  private readonly pending = new Map<string, Assignment>();
  private sending = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly o: DirectoryAssignmentsOptions) {}

  onMetadataUpdate(delta: MetadataDelta, image: MetadataImage): void {
    const first = this.image === null;
    this.image = image;
    if (first) {
      for (const t of image.topics.all()) for (const p of t.registrations.keys()) this.check(t.name, p);
    } else {
      for (const d of delta.topicsDelta?.changedTopics.values() ?? []) for (const p of d.partitionChanges.keys()) this.check(d.name, p);
    }
    this.flush();
  }

  /** A log was created or moved here: its dir may differ from the image's. */
  placed(topic: string, partition: number): void {
    this.check(topic, partition);
    this.flush();
  }

  private check(topic: string, partition: number): void {
    const t = this.image?.topics.get(topic);
    const reg = t?.registrations.get(partition);
    const at = reg?.replicas.indexOf(this.o.nodeId) ?? -1;
    if (!t || !reg || at < 0) return;
    const dirId = this.o.dirIdOf(topic, partition);
    const key = `${t.topicId}:${partition}`;
    if (dirId === undefined || reg.directories[at] === dirId) {
      if (this.pending.get(key)?.dirId === reg.directories[at]) this.pending.delete(key);
      return;
    }
    this.pending.set(key, { topicId: t.topicId, partition, dirId });
  }

  private flush(): void {
    if (this.closed || this.sending || this.timer || this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    const byDir = new Map<string, Map<string, number[]>>();
    for (const a of batch) {
      let topics = byDir.get(a.dirId);
      if (!topics) byDir.set(a.dirId, (topics = new Map()));
      let parts = topics.get(a.topicId);
      if (!parts) topics.set(a.topicId, (parts = []));
      parts.push(a.partition);
    }
    const req: AssignReplicasToDirsRequest = {
      brokerId: this.o.nodeId,
      brokerEpoch: this.o.brokerEpoch(),
      directories: [...byDir].map(([id, topics]) => ({ id, topics: [...topics].map(([topicId, ps]) => ({ topicId, partitions: ps.map((partitionIndex) => ({ partitionIndex })) })) })),
    };
    this.sending = true;
    let retry = false;
    this.o
      .send(req)
      .then(
        (res) => {
          if (res.errorCode !== ErrorCode.NONE) {
            retry = true;
            return;
          }
          for (const d of res.directories) {
            for (const t of d.topics) {
              for (const p of t.partitions) {
                const key = `${t.topicId}:${p.partitionIndex}`;
                if (p.errorCode === ErrorCode.NONE || p.errorCode === ErrorCode.UNKNOWN_TOPIC_ID || p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER) {
                  // Done, or nothing to assign any more; a newer assignment queued meanwhile stays.
                  if (this.pending.get(key)?.dirId === d.id) this.pending.delete(key);
                } else retry = true;
              }
            }
          }
        },
        (e) => {
          retry = true;
          log.debug(`AssignReplicasToDirs failed: ${(e as Error)?.message ?? e}`);
        },
      )
      .finally(() => {
        this.sending = false;
        if (retry) {
          this.timer = setTimeout(() => {
            this.timer = null;
            this.flush();
          }, RETRY_MS);
          this.timer.unref();
        } else this.flush();
      });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
