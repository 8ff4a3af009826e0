// The cluster's committer: the active controller proposes its records to the KRaft quorum and
// answers once the high watermark has passed them and the loader has replayed them. Leadership
// lost before that fails the operation with NOT_CONTROLLER (the client retries elsewhere, as
// Kafka's controller fails its in-flight operations when it renounces).
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import type { MetadataRecord } from '../metadata/records.js';
import type { CommittedBatch, MetadataCommitter } from './metadata-committer.js';

/** What the committer needs of the raft driver. */
export interface MetadataProposer {
  /** Whether this node leads the quorum in `epoch` (the epoch this controller activated in). */
  isLeader(epoch: number): boolean;
  /** The offset the next proposal would get (the leader's log end). */
  endOffset(): number;
  /** Leader only: appends the records as one batch; resolves with its last offset (rejects if not leader). */
  propose(records: MetadataRecord[]): Promise<number>;
}

/** What the committer needs of the metadata loader side (MetadataManager in cluster mode). */
export interface ReplayProgress {
  whenReplayed(offset: number): Promise<void>;
}

export function notController(): KafkaError {
  return new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.');
}

export class RaftCommitter implements MetadataCommitter {
  private readonly pending = new Set<(e: Error) => void>();
  private resigned = false;

  constructor(
    private readonly raft: MetadataProposer,
    private readonly replay: ReplayProgress,
    /** The leader epoch this controller is active in. */
    readonly epoch: number,
  ) {}

  nextOffset(): number {
    return this.raft.endOffset();
  }

  async commit(records: MetadataRecord[]): Promise<CommittedBatch> {
    if (this.resigned || !this.raft.isLeader(this.epoch)) throw notController();
    const baseOffset = this.raft.endOffset();
    let lastOffset: number;
    try {
      lastOffset = await this.raft.propose(records);
    } catch (e) {
      if (e instanceof KafkaError) throw e;
      throw notController();
    }
    await new Promise<void>((resolve, reject) => {
      this.pending.add(reject);
      this.replay.whenReplayed(lastOffset).then(
        () => {
          this.pending.delete(reject);
          resolve();
        },
        (e) => {
          this.pending.delete(reject);
          reject(e);
        },
      );
    });
    return { baseOffset, lastOffset };
  }

  /** Leadership is gone: every operation still waiting fails with NOT_CONTROLLER, and so does every later one. */
  resign(): void {
    this.resigned = true;
    for (const reject of this.pending) reject(notController());
    this.pending.clear();
  }
}
