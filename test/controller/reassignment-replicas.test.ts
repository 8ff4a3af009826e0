// The replica sets of a reassignment (src/controller/reassignment-replicas.ts), case by case as
// Kafka 4.4's PartitionReassignmentReplicasTest and PartitionReassignmentRevertTest check them:
// the merged list (target, then the removing replicas in id order), adding in id order, when the
// ISR completes a reassignment, and what a cancel reverts to (unclean when only adding replicas
// are in the ISR).
import t from 'tap';
import { completeReassignment, reassignmentInProgress, reassignmentReplicas, revertReassignment } from '../../src/controller/reassignment-replicas.js';
import type { PartitionRegistration } from '../../src/metadata/image.js';

t.test('the sets a move starts with', async (t) => {
  t.same(reassignmentReplicas([3, 2, 1], [3, 2, 1]), { replicas: [3, 2, 1], adding: [], removing: [] }, 'none added or removed');
  t.same(reassignmentReplicas([3, 2, 1], [3, 6, 2, 1, 5]), { replicas: [3, 6, 2, 1, 5], adding: [5, 6], removing: [] }, 'additions');
  t.same(reassignmentReplicas([3, 2, 1, 0], [3, 1]), { replicas: [3, 1, 0, 2], adding: [], removing: [0, 2] }, 'removals');
  t.same(reassignmentReplicas([3, 2, 1, 0], [7, 3, 1, 9]), { replicas: [7, 3, 1, 9, 0, 2], adding: [7, 9], removing: [0, 2] }, 'both');
  t.same(reassignmentReplicas([3, 2, 1, 0], [0, 1, 3, 2]), { replicas: [0, 1, 3, 2], adding: [], removing: [] }, 'a rearrangement');
});

t.test('completion by the ISR', async (t) => {
  t.equal(completeReassignment(reassignmentReplicas([0, 1, 2], [3, 4, 5]), [0, 1, 2, 3, 4]), null, 'an adding replica out of the ISR');
  t.equal(completeReassignment({ replicas: [0, 1, 2], adding: [], removing: [] }, [0, 1, 2]), null, 'none in progress');
  t.same(completeReassignment(reassignmentReplicas([0, 1, 2], [3, 4, 5]), [0, 1, 2, 3, 4, 5]), { replicas: [3, 4, 5], isr: [3, 4, 5] }, 'all new replicas');
  t.same(completeReassignment(reassignmentReplicas([0, 1, 2], [0, 1, 3]), [0, 1, 2, 3]), { replicas: [0, 1, 3], isr: [0, 1, 3] }, 'some new replicas');
  t.equal(completeReassignment(reassignmentReplicas([0, 1, 2], [0, 1, 3]), [3]), null, 'the ISR lacks replicas that stay');
  t.equal(completeReassignment(reassignmentReplicas([0, 1], [2]), [0, 1]), null, 'nothing would be left of the ISR');
});

t.test('in progress', async (t) => {
  t.ok(reassignmentInProgress({ addingReplicas: [3], removingReplicas: [2] }));
  t.ok(reassignmentInProgress({ addingReplicas: [], removingReplicas: [2] }));
  t.ok(reassignmentInProgress({ addingReplicas: [3], removingReplicas: [] }));
  t.notOk(reassignmentInProgress({ addingReplicas: [], removingReplicas: [] }));
});

const reg = (replicas: number[], isr: number[], adding: number[] = [], removing: number[] = []): PartitionRegistration => ({
  replicas, isr, addingReplicas: adding, removingReplicas: removing, leader: 3, leaderRecoveryState: 0, leaderEpoch: 100, partitionEpoch: 200, directories: [],
});

t.test('what a cancel reverts to', async (t) => {
  t.same(revertReassignment(reg([3, 2, 1], [3, 2])), { replicas: [3, 2, 1], isr: [3, 2], unclean: false }, 'none added or removed');
  t.same(revertReassignment(reg([3, 2, 1], [3, 2], [], [2, 1])), { replicas: [3, 2, 1], isr: [3, 2], unclean: false }, 'some removing');
  t.same(revertReassignment(reg([4, 5, 3, 2, 1], [4, 5, 2], [4, 5])), { replicas: [3, 2, 1], isr: [2], unclean: false }, 'some adding');
  t.same(revertReassignment(reg([4, 5, 3, 2, 1], [4, 5, 2], [4, 5], [2])), { replicas: [3, 2, 1], isr: [2], unclean: false }, 'both');
  t.same(revertReassignment(reg([4, 5, 3, 2, 1], [4, 5], [4, 5], [2])), { replicas: [3, 2, 1], isr: [3], unclean: true }, 'only adding replicas in the ISR: the first original one, unclean');
});
