// The followers a leader may name as a consumer's preferred read replica (Kafka's
// findPreferredReadReplica): in the ISR, holding the fetch offset between their log start (as their
// fetches said) and their log end; with the time since each was last caught up.
import t from 'tap';
import type { PartitionRegistration } from '../../src/metadata/image.js';
import { Partition } from '../../src/replica/partition.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { batch, logConfig } from '../storage/helpers.js';

function reg(over: Partial<PartitionRegistration> = {}): PartitionRegistration {
  return { replicas: [1, 2, 3], isr: [1, 2, 3], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0, directories: [], ...over };
}

t.test('in-sync followers holding the offset', async (t) => {
  const engine = new MemoryStorageEngine(true);
  await engine.open();
  t.teardown(() => engine.close());
  const log = await engine.create('t', 0, logConfig({}));
  const p = new Partition(1, 'id', log);
  await p.makeLeader(reg({ isr: [1, 2] }), 0);
  await log.append(batch(10), { now: 0 });
  t.same(p.readReplicaCandidates(0, 5), [], 'no follower fetched yet');
  p.updateFollowerFetchState(2, 10, 7, 100, 0);
  p.updateFollowerFetchState(3, 10, 7, 100, 0);
  t.same(p.readReplicaCandidates(4, 150), [{ id: 2, logEndOffset: 10, timeSinceLastCaughtUpMs: 50 }], 'broker 3 is out of the ISR');
  t.same(p.readReplicaCandidates(11, 150), [], 'past the follower\'s log end');
  p.updateFollowerFetchState(2, 10, 7, 200, 6);
  t.same(p.readReplicaCandidates(4, 250), [], 'below the follower\'s log start');
  t.same(p.readReplicaCandidates(6, 250).map((c) => c.id), [2]);
});
