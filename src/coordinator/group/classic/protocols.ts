// Which protocol a classic group's members can agree on (Kafka's vote), and the topics a "consumer" group subscribes to.
import { CONSUMER_PROTOCOL_TYPE, subscribedTopics } from '../consumer-protocol.js';
import type { ClassicMember, Protocol } from './member.js';

/** Protocol name -> number of members supporting it. */
export class SupportedProtocols {
  private readonly counts = new Map<string, number>();

  add(member: ClassicMember): void {
    this.count(member, 1);
  }

  remove(member: ClassicMember): void {
    this.count(member, -1);
  }

  /** True when one of the protocols is supported by all `memberCount` members. */
  includesOneOf(protocols: Protocol[], memberCount: number): boolean {
    return protocols.some((p) => (this.counts.get(p.name) ?? 0) === memberCount);
  }

  /** The protocol supported by every member that most members prefer. */
  select(members: Iterable<ClassicMember>, memberCount: number): string {
    const candidates = new Set<string>();
    for (const [name, count] of this.counts) if (count === memberCount) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of members) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let most = -1;
    for (const [name, n] of votes) {
      if (n > most) {
        best = name;
        most = n;
      }
    }
    return best;
  }

  private count(member: ClassicMember, delta: number): void {
    for (const p of member.protocols) this.counts.set(p.name, (this.counts.get(p.name) ?? 0) + delta);
  }
}

/** The topics "consumer" members subscribe to; null when the type differs or metadata is malformed. */
export function consumerSubscribedTopics(
  protocolType: string | null,
  protocolName: string | null,
  members: ReadonlyMap<string, ClassicMember>,
): Set<string> | null {
  if (protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
  if (members.size === 0) return new Set();
  if (protocolName === null) return null;
  const all = new Set<string>();
  for (const m of members.values()) {
    const topics = subscribedTopics(m.metadata(protocolName));
    if (topics === null) return null;
    for (const t of topics) all.add(t);
  }
  return all;
}
