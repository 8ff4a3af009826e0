// The fetch session cache and contexts on their own, with a test clock: Kafka's epochs, shard
// layout (max.incremental.fetch.session.cache.slots over 8 shards, each owning a range of ids),
// eviction (stale after 2 minutes unused; otherwise only a less valuable session: unprivileged before
// privileged, then fewer partitions, and for unprivileged newcomers only sessions older than 2
// minutes), the session errors, and the rule that leaves unchanged partitions out of an incremental
// response. The expectations are Kafka's FetchSession / FetchManager behaviour (KIP-227).
import t from 'tap';
import { FetchSessionCache, FetchSessionCacheShard, FETCH_SESSION_EVICTION_MS } from '../../src/handlers/fetch/session-cache.js';
import { completeContext, contextPartitions, newContext, type ResponsePartition } from '../../src/handlers/fetch/context.js';
import { nextEpoch, partitionKey, type CachedPartition, type FetchPartition } from '../../src/handlers/fetch/session.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const ZERO = 'AAAAAAAAAAAAAAAAAAAAAA';

function parts(n: number, topic = 't'): Map<string, CachedPartition> {
  const m = new Map<string, CachedPartition>();
  for (let i = 0; i < n; i++) {
    m.set(`${topic}:${i}`, { topic, topicId: ZERO, partition: i, fetchOffset: 0, maxBytes: 1024, currentLeaderEpoch: -1, highWatermark: 0, localLogStartOffset: 0 });
  }
  return m;
}

function request(list: [string, number, number][]): Map<string, FetchPartition> {
  const m = new Map<string, FetchPartition>();
  for (const [topic, partition, fetchOffset] of list) {
    const p = { topic, topicId: ZERO, partition, fetchOffset, maxBytes: 1024, currentLeaderEpoch: -1 };
    m.set(partitionKey(false, p), p);
  }
  return m;
}

function answer(key: string, p: FetchPartition, o: { hw: number; lso?: number; size?: number; error?: number }): ResponsePartition<string> {
  return { key, partition: p, data: key, recordsSize: o.size ?? 0, errorCode: o.error ?? 0, highWatermark: o.hw, logStartOffset: o.lso ?? 0, preferredReadReplica: -1, divergingEpoch: false };
}

const byName = (sessionId: number, epoch: number) => ({ sessionId, epoch, usesTopicIds: false, privileged: false });

t.test('epochs: a session starts at 1 and wraps from 2^31-1 to 1; a full epoch never follows', async (t) => {
  t.equal(nextEpoch(0), 1);
  t.equal(nextEpoch(41), 42);
  t.equal(nextEpoch(0x7fffffff), 1);
  t.equal(nextEpoch(-1), -1);
});

t.test('slots are split over 8 shards; new sessions go to the shards in turn, each id inside its shard range', async (t) => {
  const cache = new FetchSessionCache(1000);
  t.equal(cache.shards.length, 8);
  t.same(cache.shards.map((s) => s.maxEntries), Array(8).fill(125));
  const ids = [];
  for (let i = 0; i < 16; i++) ids.push(cache.nextShard().maybeCreateSession(0, false, 1, false, () => parts(1)));
  const range = Math.floor(0x7fffffff / 8);
  ids.forEach((id, i) => {
    t.ok(id >= Math.max(1, (i % 8) * range) && id < ((i % 8) + 1) * range, `session ${i} (${id}) in shard ${i % 8}'s range`);
    t.equal(cache.get(id)?.epoch, 1, 'a new session expects epoch 1');
  });
  t.equal(cache.size, 16);
  t.equal(cache.get(-5), undefined, 'a negative id names no session');
  t.equal(cache.get(0x7fffffff), undefined, 'an id past the last shard names no session');
  // Fewer slots than shards: Kafka's integer division leaves every shard without room.
  const tiny = new FetchSessionCache(7);
  t.equal(tiny.nextShard().maybeCreateSession(0, false, 5, false, () => parts(5)), 0, 'no session when each shard has 0 slots');
});

t.test('eviction within a full shard', async (t) => {
  const E = FETCH_SESSION_EVICTION_MS;
  t.test('the least recently used session is evicted once stale', async (t) => {
    const shard = new FetchSessionCacheShard(2, E);
    const a = shard.maybeCreateSession(0, false, 3, false, () => parts(3));
    const b = shard.maybeCreateSession(10, false, 3, false, () => parts(3));
    t.equal(shard.maybeCreateSession(E, false, 100, false, () => parts(100)), 0, 'nothing is stale yet, and young sessions cannot be evicted by consumers');
    const c = shard.maybeCreateSession(E + 1, false, 1, false, () => parts(1));
    t.not(c, 0, 'created after 2 minutes without use');
    t.equal(shard.get(a), undefined, 'the stale one went');
    t.ok(shard.get(b), 'the other stays');
  });
  t.test('a consumer session evicts a smaller one only if that one is older than 2 minutes at its last use', async (t) => {
    const shard = new FetchSessionCacheShard(1, E);
    const a = shard.maybeCreateSession(0, false, 5, false, () => parts(5));
    shard.touch(shard.get(a)!, E + 1000);
    t.equal(shard.maybeCreateSession(E + 2000, false, 5, false, () => parts(5)), 0, 'same size: not more valuable');
    t.equal(shard.maybeCreateSession(E + 2000, false, 4, false, () => parts(4)), 0, 'smaller: not more valuable');
    const b = shard.maybeCreateSession(E + 2000, false, 6, false, () => parts(6));
    t.not(b, 0, 'larger: evicts it');
    t.equal(shard.get(a), undefined);
    t.equal(shard.maybeCreateSession(E + 3000, false, 600, false, () => parts(600)), 0, 'the new session is young: not evictable by consumers');
  });
  t.test('a follower (privileged) session evicts a young consumer session, but not a young privileged one', async (t) => {
    const shard = new FetchSessionCacheShard(1, E);
    const a = shard.maybeCreateSession(0, false, 50, false, () => parts(50));
    const f = shard.maybeCreateSession(1, true, 1, false, () => parts(1));
    t.not(f, 0, 'privileged outranks unprivileged, whatever the size');
    t.equal(shard.get(a), undefined);
    t.equal(shard.maybeCreateSession(2, true, 100, false, () => parts(100)), 0, 'a young privileged session stays');
  });
});

t.test('contexts: full, sessionless, incremental and the session errors', async (t) => {
  const cache = new FetchSessionCache(8, FETCH_SESSION_EVICTION_MS, 1);
  let now = 1000;
  const full = newContext(cache, now, byName(0, 0), request([['t', 0, 0], ['t', 1, 0], ['u', 0, 0]]), []);
  t.equal(full.kind, 'full');
  const fullParts = [...contextPartitions(full)].map(([k, p]) => answer(k, p, { hw: 10 }));
  const opened = completeContext(full, cache, now, fullParts);
  t.not(opened.sessionId, 0, 'a full fetch opens a session');
  t.equal(opened.partitions.length, 3, 'and answers every partition');
  const id = opened.sessionId;

  t.same(newContext(cache, now, byName(id + 1, 1), new Map(), []), { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND }, 'unknown id');
  t.same(newContext(cache, now, byName(id, 2), new Map(), []), { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH }, 'epoch ahead');
  t.same(newContext(cache, now, { ...byName(id, 1), usesTopicIds: true }, new Map(), []), { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR }, 'a v13+ request on a by-name session');
  t.equal(cache.get(id)?.epoch, 1, 'errors leave the session as it was');

  // Epoch 1: nothing listed, one partition forgotten that the session never had (ignored).
  now += 10;
  const inc = newContext(cache, now, byName(id, 1), new Map(), ['t:7']);
  t.equal(inc.kind, 'incremental');
  t.equal(cache.get(id)?.epoch, 2, 'the session now expects epoch 2');
  t.equal(cache.get(id)?.size, 3, 'forgetting a partition the session lacks changes nothing');
  const seen = [...contextPartitions(inc)];
  t.same(seen.map(([k]) => k), ['t:0', 't:1', 'u:0'], 'an incremental fetch reads every partition of its session');
  const res = completeContext(inc, cache, now, [
    answer('t:0', seen[0][1], { hw: 10 }),
    answer('t:1', seen[1][1], { hw: 12, size: 100 }),
    answer('u:0', seen[2][1], { hw: 10, lso: 3 }),
  ]);
  t.equal(res.sessionId, id);
  t.same(res.partitions.map((p) => p.key), ['t:1', 'u:0'], 'unchanged partitions are left out; new records and a moved log start offset go out');
  t.same([...cache.get(id)!.partitions.keys()], ['t:0', 'u:0', 't:1'], 'a partition that returned records moves to the end');

  // Epoch 2: an error always goes out, and the partition goes out again once the error is gone.
  const inc2 = newContext(cache, now, byName(id, 2), request([['t', 0, 10]]), []);
  t.equal(cache.get(id)!.partitions.get('t:0')!.fetchOffset, 10, 'a listed partition takes its new fetch offset');
  const s2 = [...contextPartitions(inc2)];
  const res2 = completeContext(inc2, cache, now, s2.map(([k, p]) => answer(k, p, k === 't:0' ? { hw: 10, error: ErrorCode.NOT_LEADER_OR_FOLLOWER } : { hw: k === 't:1' ? 12 : 10, lso: k === 'u:0' ? 3 : 0 })));
  t.same(res2.partitions.map((p) => p.key), ['t:0'], 'only the partition with an error');
  const inc3 = newContext(cache, now, byName(id, 3), new Map(), []);
  const s3 = [...contextPartitions(inc3)];
  const res3 = completeContext(inc3, cache, now, s3.map(([k, p]) => answer(k, p, { hw: k === 't:1' ? 12 : 10, lso: k === 'u:0' ? 3 : 0 })));
  t.same(res3.partitions.map((p) => p.key), ['t:0'], 'the partition is sent again once its error is gone');

  // A duplicate of a fetch that is still waiting: the session moved on.
  const dup = newContext(cache, now, byName(id, 4), new Map(), []);
  t.equal(dup.kind, 'incremental');
  const again = newContext(cache, now, byName(id, 5), new Map(), []);
  t.equal(again.kind, 'incremental');
  t.same(completeContext(dup, cache, now, []), { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: id, partitions: [] }, 'the older one answers INVALID_FETCH_SESSION_EPOCH');

  // Forgetting every partition closes the session: the fetch is answered sessionless.
  const emptied = newContext(cache, now, byName(id, 6), new Map(), ['t:0', 't:1', 'u:0']);
  t.equal(emptied.kind, 'sessionless');
  t.equal(cache.get(id), undefined, 'the session is gone');

  // Epoch -1 with a session id closes that session and fetches sessionless.
  const other = completeContext(newContext(cache, now, byName(0, 0), request([['t', 0, 0]]), []), cache, now, [answer('t:0', request([['t', 0, 0]]).get('t:0')!, { hw: 1 })]);
  t.not(other.sessionId, 0);
  const closing = newContext(cache, now, byName(other.sessionId, -1), request([['t', 0, 0]]), []);
  t.equal(closing.kind, 'sessionless');
  t.equal(cache.get(other.sessionId), undefined, 'closed');
  t.equal(completeContext(closing, cache, now, []).sessionId, 0, 'a sessionless response has session id 0');

  // A full fetch (epoch 0) naming an old session replaces it.
  const first = completeContext(newContext(cache, now, byName(0, 0), request([['t', 0, 0]]), []), cache, now, []).sessionId;
  const second = completeContext(newContext(cache, now, byName(first, 0), request([['t', 0, 0]]), []), cache, now, []).sessionId;
  t.equal(cache.get(first), undefined, 'the named session is closed');
  t.ok(cache.get(second), 'a new one is opened');
});
