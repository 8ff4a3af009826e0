// The core's rules one input at a time: one vote per epoch, persisted before the grant is sent;
// a pre-vote persists nothing; a leader's fetch answers (diverging epoch, parking, HW gated on
// the epoch-start entry).
import t from 'tap';
import { raftCoreConfig } from '../../src/raft/core/config.js';
import { RaftCore } from '../../src/raft/core/raft-core.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const cfg = (nodeId: number) => raftCoreConfig({ nodeId, voters: [1, 2, 3], random: () => 0.5 });
const empty = { logStartOffset: 0, endOffset: 0, epochs: [] };
const vote = (candidateId: number, epoch: number, preVote = false) => ({ type: 'VoteRequest' as const, candidateEpoch: epoch, candidateId, lastOffsetEpoch: 0, lastOffset: 0, preVote });

t.test('one vote per epoch, on file before the grant', async (t) => {
  const core = new RaftCore(cfg(1), undefined, empty, 0);
  core.takeReady();
  core.receive(2, vote(2, 1), 10, 1);
  const r = core.takeReady();
  t.same(r.quorumState, { leaderEpoch: 1, leaderId: -1, votedId: 2 });
  t.match(r.messages, [{ to: 2, correlationId: 10, message: { type: 'VoteResponse', voteGranted: true } }]);
  core.receive(3, vote(3, 1), 11, 2);
  t.match(core.takeReady().messages, [{ message: { voteGranted: false } }]);
  core.receive(3, vote(3, 0, true), 12, 3);
  t.match(core.takeReady().messages, [{ message: { voteGranted: false, errorCode: ErrorCode.FENCED_LEADER_EPOCH } }], 'an older epoch is fenced');
  core.receive(3, vote(3, 0), 13, 4);
  t.match(core.takeReady().messages, [{ message: { voteGranted: false, errorCode: ErrorCode.INVALID_REQUEST } }], 'a candidate that did not bump its epoch past its log is invalid');
});

t.test('a pre-vote (in the prospective\'s own epoch) persists nothing; a candidate behind us is refused', async (t) => {
  const core = new RaftCore(cfg(1), { leaderEpoch: 2, leaderId: -1, votedId: -1 }, { logStartOffset: 0, endOffset: 5, epochs: [{ epoch: 1, startOffset: 0 }] }, 0);
  core.takeReady();
  core.receive(2, vote(2, 2, true), 1, 1);
  const r = core.takeReady();
  t.equal(r.quorumState, undefined);
  t.match(r.messages, [{ message: { voteGranted: false, preVote: true } }], 'its log is behind ours');
  core.receive(2, { ...vote(2, 2, true), lastOffsetEpoch: 1, lastOffset: 5 }, 2, 2);
  const r2 = core.takeReady();
  t.match(r2.messages, [{ message: { voteGranted: true } }]);
  t.equal(r2.quorumState, undefined);
  t.equal(core.status().epoch, 2);
  t.equal(core.status().votedId, -1);
});

t.test('a leader: diverging epoch, parked fetch, HW after the epoch start', async (t) => {
  const core = new RaftCore(raftCoreConfig({ nodeId: 1, voters: [1], random: () => 0.5 }), { leaderEpoch: 1, leaderId: -1, votedId: -1 }, { logStartOffset: 0, endOffset: 3, epochs: [{ epoch: 1, startOffset: 0 }] }, 0);
  core.tick(5000);
  t.equal(core.status().role, 'Leader');
  const r = core.takeReady();
  t.match(r.append, [{ baseOffset: 3, lastOffset: 3, epoch: 2, data: { type: 'LeaderChange' } }]);
  t.equal(r.highWatermark, undefined, 'no HW before the epoch start is durable');
  core.appended(4, 5001);
  t.equal(core.takeReady().highWatermark, 4);
  core.receive(9, { type: 'FetchRequest', replicaId: 9, currentLeaderEpoch: 2, fetchOffset: 5, lastFetchedEpoch: 1, maxWaitMs: 500 }, 1, 5002);
  t.match(core.takeReady().messages, [{ message: { divergingEpoch: { epoch: 1, endOffset: 3 } } }]);
  core.receive(9, { type: 'FetchRequest', replicaId: 9, currentLeaderEpoch: 2, fetchOffset: 4, lastFetchedEpoch: 2, maxWaitMs: 500 }, 2, 5003);
  t.same(core.takeReady().messages, [], 'caught up: parked');
  core.propose('x', 2, 5004);
  t.match(core.takeReady().messages, [{ correlationId: 2, message: { readFrom: 4 } }]);
});

/** Node 1 wins: every Vote (pre-vote, then vote) it sends is granted. */
function electedLeader(log = empty, voters = [1, 2]): RaftCore {
  const core = new RaftCore(raftCoreConfig({ nodeId: 1, voters, random: () => 0 }), undefined, log, 0);
  core.tick(1_000);
  for (let round = 0; round < 2; round++) {
    for (const m of core.takeReady().messages) {
      if (m.message.type !== 'VoteRequest') continue;
      // The voter answers in its own epoch: before the real vote, the one before the candidate's.
      const leaderEpoch = m.message.preVote ? m.message.candidateEpoch - 1 : m.message.candidateEpoch;
      core.receive(m.to, { type: 'VoteResponse', errorCode: ErrorCode.NONE, leaderId: -1, leaderEpoch, voteGranted: true, preVote: m.message.preVote }, m.correlationId, 1_000);
    }
  }
  return core;
}

t.test('DescribeQuorum: end offsets, fetch and caught-up times as Kafka computes them', async (t) => {
  const core = electedLeader();
  t.equal(core.status().role, 'Leader');
  t.equal(core.describeQuorum(1_000)?.highWatermark, -1, 'no HW before the epoch start is on a majority');
  core.takeReady();
  core.appended(1, 1_000);
  core.propose('a', 4, 1_100);
  core.appended(5, 1_100);
  // The follower fetches behind the leader's end (5) at 2000, then reaches 5 at 3000.
  core.receive(2, { type: 'FetchRequest', replicaId: 2, currentLeaderEpoch: 1, fetchOffset: 1, lastFetchedEpoch: 1, maxWaitMs: 0 }, 1, 2_000);
  let d = core.describeQuorum(2_000)!;
  t.same(d.currentVoters.find((r) => r.replicaId === 2), { replicaId: 2, logEndOffset: 1, lastFetchTimestamp: 2_000, lastCaughtUpTimestamp: -1 });
  t.equal(d.highWatermark, 1);
  core.receive(2, { type: 'FetchRequest', replicaId: 2, currentLeaderEpoch: 1, fetchOffset: 5, lastFetchedEpoch: 1, maxWaitMs: 0 }, 2, 3_000);
  d = core.describeQuorum(3_500)!;
  t.same(d.currentVoters.find((r) => r.replicaId === 2), { replicaId: 2, logEndOffset: 5, lastFetchTimestamp: 3_000, lastCaughtUpTimestamp: 3_000 });
  t.same(d.currentVoters.find((r) => r.replicaId === 1), { replicaId: 1, logEndOffset: 5, lastFetchTimestamp: 3_500, lastCaughtUpTimestamp: 3_500 }, 'the leader reports now');
  t.equal(d.highWatermark, 5);
  t.same(d.observers, []);
  // A leader that appended more: a fetch reaching the end as of the previous fetch was caught up at that fetch's time.
  core.propose('b', 2, 3_600);
  core.appended(7, 3_600);
  core.receive(2, { type: 'FetchRequest', replicaId: 2, currentLeaderEpoch: 1, fetchOffset: 5, lastFetchedEpoch: 1, maxWaitMs: 0 }, 3, 4_000);
  core.propose('c', 1, 4_100);
  core.appended(8, 4_100);
  core.receive(2, { type: 'FetchRequest', replicaId: 2, currentLeaderEpoch: 1, fetchOffset: 7, lastFetchedEpoch: 1, maxWaitMs: 0 }, 4, 5_000);
  t.match(core.describeQuorum(5_000)!.currentVoters.find((r) => r.replicaId === 2), { logEndOffset: 7, lastFetchTimestamp: 5_000, lastCaughtUpTimestamp: 4_000 });
  // An observer is listed once it fetches.
  core.receive(7, { type: 'FetchRequest', replicaId: 7, currentLeaderEpoch: 1, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 0 }, 5, 5_100);
  t.same(core.describeQuorum(5_100)!.observers, [{ replicaId: 7, logEndOffset: 0, lastFetchTimestamp: 5_100, lastCaughtUpTimestamp: -1 }]);
});

t.test('a follower truncates to the diverging epoch, then fetches from there', async (t) => {
  const log = { logStartOffset: 0, endOffset: 6, epochs: [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 3 }] };
  const core = new RaftCore(cfg(2), { leaderEpoch: 3, leaderId: 1, votedId: -1 }, log, 0);
  const first = core.takeReady().messages[0];
  t.match(first, { to: 1, message: { type: 'FetchRequest', fetchOffset: 6, lastFetchedEpoch: 2, currentLeaderEpoch: 3 } });
  core.receive(1, { type: 'FetchResponse', errorCode: ErrorCode.NONE, leaderId: 1, leaderEpoch: 3, highWatermark: 2, logStartOffset: 0, divergingEpoch: { epoch: 1, endOffset: 4 } }, first.correlationId, 10);
  const r = core.takeReady();
  t.equal(r.truncateTo, 3, 'to the end of our epoch 1 (3), below the leader\'s (4)');
  t.match(r.messages, [{ message: { type: 'FetchRequest', fetchOffset: 3, lastFetchedEpoch: 1 } }]);
});

t.test('a follower fetches a snapshot in chunks and starts its log there', async (t) => {
  const core = new RaftCore(cfg(2), { leaderEpoch: 3, leaderId: 1, votedId: -1 }, empty, 0);
  const first = core.takeReady().messages[0];
  core.receive(1, { type: 'FetchResponse', errorCode: ErrorCode.NONE, leaderId: 1, leaderEpoch: 3, highWatermark: 50, logStartOffset: 40, snapshotId: { offset: 40, epoch: 2 } }, first.correlationId, 10);
  const req = core.takeReady().messages[0];
  t.match(req.message, { type: 'FetchSnapshotRequest', snapshotId: { offset: 40, epoch: 2 }, position: 0 });
  core.receive(1, { type: 'FetchSnapshotResponse', errorCode: ErrorCode.NONE, leaderId: 1, leaderEpoch: 3, snapshotId: { offset: 40, epoch: 2 }, chunk: { size: 10, position: 0, length: 6, bytes: 'x' } }, req.correlationId, 20);
  const r1 = core.takeReady();
  t.equal(r1.snapshotWrites.length, 1);
  t.equal(r1.installSnapshot, undefined);
  t.match(r1.messages, [{ message: { type: 'FetchSnapshotRequest', position: 6 } }]);
  core.receive(1, { type: 'FetchSnapshotResponse', errorCode: ErrorCode.NONE, leaderId: 1, leaderEpoch: 3, snapshotId: { offset: 40, epoch: 2 }, chunk: { size: 10, position: 6, length: 4, bytes: 'y' } }, r1.messages[0].correlationId, 30);
  const r2 = core.takeReady();
  t.same(r2.installSnapshot, { offset: 40, epoch: 2 });
  t.equal(r2.highWatermark, 40);
  t.match(r2.messages, [{ message: { type: 'FetchRequest', fetchOffset: 40, lastFetchedEpoch: 2 } }]);
});

t.test('a parked fetch is answered empty at maxWait, with no polling in between', async (t) => {
  const core = electedLeader();
  core.takeReady();
  core.appended(1, 1_000);
  core.takeReady();
  core.receive(2, { type: 'FetchRequest', replicaId: 2, currentLeaderEpoch: 1, fetchOffset: 1, lastFetchedEpoch: 1, maxWaitMs: 500 }, 9, 1_200);
  t.same(core.takeReady().messages, []);
  t.ok(core.nextDeadline() <= 1_700, 'the next timer is the parked fetch');
  core.tick(1_699);
  t.same(core.takeReady().messages, []);
  core.tick(1_700);
  t.match(core.takeReady().messages, [{ to: 2, correlationId: 9, message: { type: 'FetchResponse', errorCode: ErrorCode.NONE, readFrom: undefined, highWatermark: 1 } }]);
});

t.test('a follower hearing from its leader refuses pre-votes until its fetch timeout', async (t) => {
  const core = new RaftCore(cfg(2), { leaderEpoch: 3, leaderId: 1, votedId: -1 }, empty, 0);
  core.takeReady();
  core.receive(3, vote(3, 3, true), 1, 1_000);
  t.match(core.takeReady().messages, [{ message: { voteGranted: false, leaderId: 1, leaderEpoch: 3 } }]);
  core.tick(2_000);
  t.equal(core.status().role, 'Prospective', 'no fetch answered within controller.quorum.fetch.timeout.ms');
  core.takeReady();
  core.receive(3, vote(3, 3, true), 2, 2_001);
  t.match(core.takeReady().messages, [{ message: { voteGranted: true } }]);
  t.equal(core.status().epoch, 3, 'granting a pre-vote changes no epoch');
});

t.test('a leader resigns: EndQuorumEpoch names the most caught-up voters first', async (t) => {
  const core = electedLeader(empty, [1, 2, 3]);
  t.equal(core.status().role, 'Leader');
  core.appended(1, 1_000);
  core.receive(2, { type: 'FetchRequest', replicaId: 2, currentLeaderEpoch: 1, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 0 }, 1, 1_100);
  core.receive(3, { type: 'FetchRequest', replicaId: 3, currentLeaderEpoch: 1, fetchOffset: 1, lastFetchedEpoch: 1, maxWaitMs: 0 }, 2, 1_100);
  core.takeReady();
  core.resign(1_200);
  t.equal(core.status().role, 'Resigned');
  t.equal(core.propose('x', 1, 1_200), undefined, 'no proposals once resigned');
  const ends = core.takeReady().messages.filter((m) => m.message.type === 'EndQuorumEpochRequest');
  t.same(ends.map((m) => m.to).sort(), [2, 3]);
  t.match(ends[0].message, { leaderId: 1, leaderEpoch: 1, preferredSuccessors: [3, 2] });
});

t.test('check quorum: a leader no majority fetched from for 1.5 fetch timeouts resigns', async (t) => {
  const core = electedLeader(empty, [1, 2, 3]);
  t.equal(core.status().role, 'Leader');
  core.tick(3_999);
  t.equal(core.status().role, 'Leader');
  core.tick(4_000);
  t.equal(core.status().role, 'Resigned');
});

t.test('Fetch validation as Kafka: negative positions or a last fetched epoch past the current one are INVALID_REQUEST; stale or future epochs are fenced or unknown', async (t) => {
  const core = electedLeader();
  core.takeReady();
  const fetch = (o: object) => ({ type: 'FetchRequest' as const, replicaId: 2, currentLeaderEpoch: 1, fetchOffset: 0, lastFetchedEpoch: 0, maxWaitMs: 0, ...o });
  const answer = (o: object) => {
    core.receive(2, fetch(o), 1, 2_000);
    return core.takeReady().messages[0].message;
  };
  t.match(answer({ fetchOffset: -1 }), { errorCode: ErrorCode.INVALID_REQUEST });
  t.match(answer({ lastFetchedEpoch: 2 }), { errorCode: ErrorCode.INVALID_REQUEST });
  t.match(answer({ maxWaitMs: -1 }), { errorCode: ErrorCode.INVALID_REQUEST });
  t.match(answer({ currentLeaderEpoch: 0 }), { errorCode: ErrorCode.FENCED_LEADER_EPOCH, leaderId: 1, leaderEpoch: 1 });
  t.match(answer({ currentLeaderEpoch: 2, lastFetchedEpoch: 0 }), { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH });
  t.match(answer({}), { errorCode: ErrorCode.NONE, readFrom: 0 });
});

t.test('KIP-1166: a fetcher behind on the high watermark is answered at once, not parked', async (t) => {
  const core = electedLeader(empty, [1, 2, 3]);
  core.takeReady();
  core.appended(1, 1_000);
  core.takeReady();
  // Voter 2's fetch of the epoch-start entry's end makes the majority {1, 2}: the HW moves to 1 now.
  core.receive(2, { type: 'FetchRequest', replicaId: 2, currentLeaderEpoch: 1, fetchOffset: 1, lastFetchedEpoch: 1, maxWaitMs: 500, highWatermark: -1 }, 7, 1_100);
  const r = core.takeReady();
  t.equal(r.highWatermark, 1);
  t.match(r.messages, [{ to: 2, correlationId: 7, message: { type: 'FetchResponse', highWatermark: 1 } }], 'the fetch that moved the HW hears of it at once');
  // An observer caught up on data but not on the HW: answered at once too.
  core.receive(9, { type: 'FetchRequest', replicaId: 9, currentLeaderEpoch: 1, fetchOffset: 1, lastFetchedEpoch: 1, maxWaitMs: 500, highWatermark: 0 }, 8, 1_101);
  t.match(core.takeReady().messages, [{ to: 9, correlationId: 8, message: { highWatermark: 1 } }]);
  // One that knows the HW, or does not say (an older fetcher), waits as before.
  core.receive(9, { type: 'FetchRequest', replicaId: 9, currentLeaderEpoch: 1, fetchOffset: 1, lastFetchedEpoch: 1, maxWaitMs: 500, highWatermark: 1 }, 9, 1_102);
  core.receive(3, { type: 'FetchRequest', replicaId: 3, currentLeaderEpoch: 1, fetchOffset: 1, lastFetchedEpoch: 1, maxWaitMs: 500 }, 10, 1_103);
  t.same(core.takeReady().messages, [], 'parked');
});
