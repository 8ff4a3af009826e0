// One member of a classic group: its protocols (opaque bytes), timeouts, assignment and the
// JoinGroup/SyncGroup responses it is waiting for.
import type { JoinGroupResponse } from '../../../protocol/generated/join-group-response.js';
import type { SyncGroupResponse } from '../../../protocol/generated/sync-group-response.js';

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export const EMPTY_ASSIGNMENT: Buffer = Buffer.alloc(0);

export class ClassicMember {
  assignment: Buffer = EMPTY_ASSIGNMENT;
  /** Completes the member's parked JoinGroup; null when none is parked. */
  awaitingJoin: ((res: JoinGroupResponse) => void) | null = null;
  /** Completes the member's parked SyncGroup; null when none is parked. */
  awaitingSync: ((res: SyncGroupResponse) => void) | null = null;
  /** Joined but has not yet received its first JoinGroup response. */
  isNew = false;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: Protocol[],
  ) {}

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  /** Same protocols, in the same order, with the same metadata bytes. */
  matches(protocols: Protocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    for (let i = 0; i < protocols.length; i++) {
      if (protocols[i].name !== this.protocols[i].name || !protocols[i].metadata.equals(this.protocols[i].metadata)) return false;
    }
    return true;
  }

  /** The member's most preferred protocol among the candidates. */
  vote(candidates: Set<string>): string {
    for (const p of this.protocols) if (candidates.has(p.name)) return p.name;
    throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
  }

  metadata(protocolName: string): Buffer {
    for (const p of this.protocols) if (p.name === protocolName) return p.metadata;
    throw new Error(`member ${this.memberId} does not support protocol ${protocolName}`);
  }

  /** Timed-out heartbeats of members awaiting a rebalance step are forgiven, unless they are new. */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false;
    return this.isAwaitingJoin || this.isAwaitingSync;
  }
}
