// Network partitions through the fault layer of an in-process cluster (startCluster): the leader
// cut off from the other two never commits again (its high watermark stays, a change sent to it is
// never applied anywhere), the majority elects a leader in a later epoch and commits, no epoch ever
// has two leaders, and after healing every node's log and image are the same. Repeated a few
// rounds here; test/cluster/torture.ts runs the same checks for as long as asked.
import t from 'tap';
import { startCluster } from '../../src/node/cluster.js';
import { partitionRound, QuorumWatch } from './partition-round.js';
import { ImageLedger } from '../helpers/cluster-images.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(240_000);

t.test('a minority leader never commits; one leader per epoch; logs agree after healing', async (t) => {
  const ledger = new ImageLedger();
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t), publishers: (id) => [ledger.publisher(id)] });
  t.teardown(() => c.close());
  const watch = new QuorumWatch(c);
  t.teardown(() => watch.stop());
  const rounds = Number(process.env.SAMSA_PARTITION_ROUNDS ?? 3);
  for (let round = 0; round < rounds; round++) {
    const r = await partitionRound(c, `r${round}`);
    t.ok(r.minorityHighWatermarkAfter <= r.minorityEndOffsetAtCut, `round ${round}: the isolated leader committed nothing appended after the cut (HW ${r.minorityHighWatermarkAfter} <= ${r.minorityEndOffsetAtCut})`);
    t.not(r.minorityCreateError, 0, `round ${round}: the change sent to the isolated leader was not acknowledged (${r.minorityCreateError})`);
    t.ok(r.newEpoch > r.oldEpoch, `round ${round}: the majority elected node ${r.newLeader} in epoch ${r.newEpoch} > ${r.oldEpoch}`);
    t.same(r.minorityTopicSeenOn, [], `round ${round}: the minority's change reached no node`);
    t.same(r.logDifferences, [], `round ${round}: every node's metadata log is the same after healing (${r.batchesCompared} batches)`);
    t.ok(r.batchesCompared > 0, `round ${round}: batches compared`);
  }
  t.same(watch.doubleLeaders(), [], 'no epoch had two leaders');
  t.ok(watch.samples > 0, `${watch.samples} quorum samples`);
  t.same(ledger.disagreements(), [], 'no two nodes published different images at one offset');
});
