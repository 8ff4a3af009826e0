// Voter changes in the core (KIP-853, kraft.version 1): a VotersRecord in the log is the voter set
// from the moment it is appended, committed or not; a truncation below it restores the set before;
// a leader changes one voter at a time, only once its epoch has committed an entry, no earlier
// change is pending and the new voter has caught up; the high watermark counts the new set.
import t from 'tap';
import { ErrorCode } from '../../src/protocol/errors.js';
import { raftCoreConfig } from '../../src/raft/core/config.js';
import { RaftCore } from '../../src/raft/core/raft-core.js';
import { singleChange, VoterHistory } from '../../src/raft/core/voters.js';

t.test('the latest VotersRecord applies; a truncation restores the earlier set', async (t) => {
  const h = new VoterHistory([1]);
  t.same(h.latest(), [1]);
  t.ok(h.add(5, [2, 1]));
  t.notOk(h.add(5, [1, 2, 3]), 'a record already read (same offset) is not a new change');
  t.ok(h.add(9, [1, 2, 3]));
  t.same(h.latest(), [1, 2, 3]);
  t.notOk(h.truncateTo(10), 'a truncation above the latest record changes nothing');
  t.ok(h.truncateTo(9));
  t.same(h.latest(), [1, 2]);
  t.ok(h.truncateTo(0));
  t.same(h.latest(), [1], 'back to the bootstrap set');
  t.same(singleChange([1, 2], [1, 2, 3]), { added: 3 });
  t.same(singleChange([1, 2], [1]), { removed: 2 });
  t.equal(singleChange([1, 2], [1, 3]), null, 'two changes at once');
  t.equal(singleChange([1], [1]), null, 'no change');
});

t.test('an observer becomes a voter when a VotersRecord naming it reaches its log, and stops being one when it is truncated away', async (t) => {
  const log = { logStartOffset: 0, endOffset: 6, epochs: [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 3 }] };
  const core = new RaftCore(raftCoreConfig({ nodeId: 4, voters: [1, 2, 3], random: () => 0.5 }), { leaderEpoch: 3, leaderId: 1, votedId: -1 }, log, 0);
  t.equal(core.status().isVoter, false);
  core.votersChanged(4, [1, 2, 3, 4], 1);
  t.equal(core.status().isVoter, true, 'uncommitted, the record already applies');
  const fetch = core.takeReady().messages.find((m) => m.message.type === 'FetchRequest')!;
  core.receive(1, { type: 'FetchResponse', errorCode: ErrorCode.NONE, leaderId: 1, leaderEpoch: 3, highWatermark: 2, logStartOffset: 0, divergingEpoch: { epoch: 1, endOffset: 3 } }, fetch.correlationId, 10);
  t.equal(core.takeReady().truncateTo, 3);
  t.equal(core.status().isVoter, false, 'the record was truncated away: the earlier set applies');
  core.votersChanged(7, [1, 2, 3, 4], 11);
  t.equal(core.status().isVoter, false, 'a record beyond the log end is not in the log');
});

t.test('a leader adds a caught-up observer, then removes it, one change at a time', async (t) => {
  const core = new RaftCore(raftCoreConfig({ nodeId: 1, voters: [1], random: () => 0.5 }), undefined, { logStartOffset: 0, endOffset: 0, epochs: [] }, 0);
  core.tick(5_000);
  t.equal(core.status().role, 'Leader');
  core.takeReady();
  t.match(core.changeVoters([1, 2], 'v', 5_000), { error: ErrorCode.REQUEST_TIMED_OUT }, 'nothing committed in the epoch yet');
  core.appended(1, 5_001);
  t.equal(core.takeReady().highWatermark, 1);
  t.match(core.changeVoters([1, 2], 'v', 5_002), { error: ErrorCode.REQUEST_TIMED_OUT, message: /not caught up/ }, 'node 2 never fetched');
  core.receive(2, { type: 'FetchRequest', replicaId: 2, currentLeaderEpoch: 1, fetchOffset: 1, lastFetchedEpoch: 1, maxWaitMs: 0 }, 1, 5_010);
  core.takeReady();
  t.match(core.changeVoters([1, 2, 3], 'v', 5_020), { error: ErrorCode.INVALID_REQUEST }, 'two voters at once');
  const added = core.changeVoters([1, 2], 'v', 5_020);
  t.same(added, { baseOffset: 1, lastOffset: 1, epoch: 1 });
  const r = core.takeReady();
  t.match(r.append, [{ baseOffset: 1, lastOffset: 1, epoch: 1, data: 'v' }], 'the VotersRecord batch is appended like a proposal');
  t.same(core.describeQuorum(5_020)!.currentVoters.map((v) => v.replicaId).sort(), [1, 2], 'the new set applies at once');
  t.match(core.changeVoters([1], 'v', 5_021), { error: ErrorCode.REQUEST_TIMED_OUT, message: /not committed/ }, 'one pending change at a time');
  core.appended(2, 5_030);
  t.equal(core.takeReady().highWatermark, undefined, 'the leader alone is no longer a majority of {1, 2}');
  core.receive(2, { type: 'FetchRequest', replicaId: 2, currentLeaderEpoch: 1, fetchOffset: 2, lastFetchedEpoch: 1, maxWaitMs: 0 }, 2, 5_040);
  t.equal(core.takeReady().highWatermark, 2, 'committed once node 2 holds it');
  t.same(core.changeVoters([1], 'v2', 5_050), { baseOffset: 2, lastOffset: 2, epoch: 1 }, 'now node 2 can be removed');
  t.same(core.describeQuorum(5_050)!.currentVoters.map((v) => v.replicaId), [1]);
  t.same(core.describeQuorum(5_050)!.observers.map((v) => v.replicaId), [2], 'a removed voter that still fetches is an observer');
  core.appended(3, 5_060);
  t.equal(core.takeReady().highWatermark, 3, 'the leader alone commits again');
  t.match(core.changeVoters([], 'v3', 5_070), { error: ErrorCode.INVALID_REQUEST }, 'the leader does not remove itself');
  t.same(core.changeVoters([1], 'u', 5_080, true), { baseOffset: 3, lastOffset: 3, epoch: 1 }, 'an update (UpdateRaftVoter) keeps the same voters');
  core.appended(4, 5_090);
  t.match(core.changeVoters([1, 2], 'u2', 5_100, true), { error: ErrorCode.INVALID_REQUEST }, 'an update does not change membership');
});
