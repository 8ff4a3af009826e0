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
  core.receive(3, vote(3, 0), 12, 3);
  t.match(core.takeReady().messages, [{ message: { voteGranted: false, errorCode: ErrorCode.FENCED_LEADER_EPOCH } }]);
});

t.test('a pre-vote persists nothing and a candidate behind us is refused', async (t) => {
  const core = new RaftCore(cfg(1), undefined, { logStartOffset: 0, endOffset: 5, epochs: [{ epoch: 1, startOffset: 0 }] }, 0);
  core.takeReady();
  core.receive(2, vote(2, 2, true), 1, 1);
  const r = core.takeReady();
  t.equal(r.quorumState, undefined);
  t.match(r.messages, [{ message: { voteGranted: false } }]);
  core.receive(2, { ...vote(2, 2, true), lastOffsetEpoch: 1, lastOffset: 5 }, 2, 2);
  t.match(core.takeReady().messages, [{ message: { voteGranted: true } }]);
  t.equal(core.status().epoch, 0);
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
