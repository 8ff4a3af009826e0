// The one place the coordinator looks inside a classic member's protocol metadata: for protocol
// type "consumer", the subscribed topics, to decide offset expiration and OffsetDelete as Kafka does.
// Layout (every version starts with v0's): int16 version | topics [string] | ... (ignored).
import { Reader } from '../../protocol/reader.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** The topics a consumer subscription names, or null when the bytes do not parse. */
export function subscribedTopics(metadata: Buffer): string[] | null {
  try {
    const r = new Reader(metadata);
    r.int16();
    const n = r.arrayLength();
    const topics: string[] = [];
    for (let i = 0; i < n; i++) topics.push(r.string());
    return topics;
  } catch {
    return null;
  }
}
