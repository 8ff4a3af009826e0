// Share sessions (Kafka's ShareSessionCache and SharePartitionManager.newContext /
// acknowledgeSessionUpdate): epoch 0 opens (replacing the member's session, refusing
// acknowledgements), -1 closes, any other epoch must be the session's next one, partitions are
// added and forgotten, epochs wrap to 1, and the cache holds at most group.share.max.share.sessions.
import t from 'tap';
import { ShareSessionCache, nextEpoch } from '../../src/share/share-session-cache.js';
import { ShareError } from '../../src/share/share-partition.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const T = 'AAAAAAAAAAAAAAAAAAAAAA';

function code(fn: () => unknown): number {
  try {
    fn();
    return 0;
  } catch (e) {
    if (e instanceof ShareError) return e.errorCode;
    throw e;
  }
}

t.test('epochs: open, continue, close', async (t) => {
  let max = 10;
  const c = new ShareSessionCache(() => max, () => 0);
  const open = c.fetchContext('g', 'm', 0, [{ topicId: T, partition: 0 }], [], false);
  t.equal(open.kind, 'session');
  t.equal(open.session.epoch, 1, 'the next request carries epoch 1');
  t.equal(code(() => c.fetchContext('g', 'm', 2, [], [], false)), ErrorCode.INVALID_SHARE_SESSION_EPOCH);
  t.equal(code(() => c.fetchContext('g', 'other', 1, [], [], false)), ErrorCode.SHARE_SESSION_NOT_FOUND);
  t.equal(code(() => c.fetchContext('h', 'm', 1, [], [], false)), ErrorCode.SHARE_SESSION_NOT_FOUND, 'sessions are per group and member');
  const next = c.fetchContext('g', 'm', 1, [{ topicId: T, partition: 1 }], [{ topicId: T, partition: 0 }], true);
  t.same([...next.session.partitions.keys()], [`${T}:1`], 'added and forgotten');
  t.equal(c.acknowledgeContext('g', 'm', 2).epoch, 3, 'an acknowledgement advances the epoch too');
  t.equal(code(() => c.acknowledgeContext('g', 'm', 0)), ErrorCode.INVALID_SHARE_SESSION_EPOCH, 'ShareAcknowledge cannot open one');
  t.equal(code(() => c.acknowledgeContext('g', 'm', 2)), ErrorCode.INVALID_SHARE_SESSION_EPOCH);
  t.equal(c.acknowledgeContext('g', 'm', -1).epoch, 3, 'the final epoch does not advance it');
  t.equal(c.fetchContext('g', 'm', -1, [], [], true).kind, 'final');
  t.equal(code(() => c.fetchContext('g', 'm', 0, [], [], true)), ErrorCode.INVALID_REQUEST, 'acknowledgements in an opening fetch');
  const reopened = c.fetchContext('g', 'm', 0, [], [], false);
  t.equal(reopened.session.partitions.size, 0, 'epoch 0 replaces the session');
  c.remove('g', 'm');
  t.equal(code(() => c.fetchContext('g', 'm', -1, [], [], false)), ErrorCode.SHARE_SESSION_NOT_FOUND);

  max = 1;
  c.fetchContext('g', 'a', 0, [], [], false);
  t.equal(code(() => c.fetchContext('g', 'b', 0, [], [], false)), ErrorCode.SHARE_SESSION_LIMIT_REACHED);
  t.equal(code(() => c.fetchContext('g', 'a', 0, [], [], false)), 0, "a member's own session is replaced even when full");
});

t.test('epochs wrap to 1', async (t) => {
  t.equal(nextEpoch(0x7fffffff), 1);
  t.equal(nextEpoch(5), 6);
});
