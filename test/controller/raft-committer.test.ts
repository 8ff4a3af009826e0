// The controller's commit seam in cluster mode: an operation is answered only once the quorum's
// high watermark has passed its batch and the loader replayed it, and fails with NOT_CONTROLLER
// when leadership goes first. The "quorum" here appends to the real metadata log and decides
// when the high watermark moves, as the raft driver does.
import t from 'tap';
import { BrokerConfig } from '../../src/config.js';
import { MetadataManager } from '../../src/metadata/manager.js';
import type { MetadataRecord } from '../../src/metadata/records.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { RaftCommitter, type MetadataProposer } from '../../src/controller/raft-committer.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { registration } from './helpers.js';

async function clusterManager() {
  const storage = new MemoryStorageEngine();
  await storage.open();
  const config = new BrokerConfig({});
  const manager = new MetadataManager({ storage, dataDir: null, config, staticOverrides: {}, nodeId: 1, cluster: true });
  await manager.start();
  let leader = true;
  const proposer: MetadataProposer = {
    isLeader: (epoch) => leader && epoch === 1,
    endOffset: () => manager.metadataLog.endOffset,
    async propose(records: MetadataRecord[]) {
      const b = await manager.metadataLog.append(records);
      return b.lastOffset;
    },
  };
  const committer = new RaftCommitter(proposer, manager, 1);
  const controller = manager.installController(committer);
  return { manager, controller, committer, loseLeadership: () => (leader = false) };
}

t.test('cluster mode writes nothing at start: no bootstrap until a controller activates', async (t) => {
  const { manager } = await clusterManager();
  t.equal(manager.metadataLog.endOffset, 0);
  t.equal(manager.image.features.finalized.size, 0);
});

t.test('an operation is answered once the high watermark passes its batch and the image has it', async (t) => {
  const { manager, controller } = await clusterManager();
  let answered = false;
  const bootstrap = controller.bootstrap().then(() => (answered = true));
  // Appended, not committed: no answer, no image change.
  while (manager.metadataLog.endOffset === 0) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 20));
  t.equal(answered, false);
  t.equal(manager.image.features.level('metadata.version'), 0);
  await manager.applyCommitted(manager.metadataLog.endOffset);
  await bootstrap;
  t.equal(answered, true);
  t.ok(manager.image.features.level('metadata.version') > 0);
  t.equal(manager.replayedOffset, manager.metadataLog.endOffset - 1);

  const registered = controller.registerBrokerRequest(registration(manager.image.clusterId, 2));
  while (manager.metadataLog.endOffset === manager.replayedOffset + 1) await new Promise((r) => setImmediate(r));
  t.equal(manager.image.cluster.brokers.has(2), false);
  await manager.applyCommitted(manager.metadataLog.endOffset);
  t.equal(await registered, manager.metadataLog.endOffset - 1, 'the broker epoch is the offset of its registration');
  t.equal(manager.image.cluster.brokers.get(2)?.fenced, true);
});

t.test('leadership lost before the commit: NOT_CONTROLLER, and for every later operation', async (t) => {
  const { manager, controller, committer, loseLeadership } = await clusterManager();
  const pending = controller.bootstrap();
  while (manager.metadataLog.endOffset === 0) await new Promise((r) => setImmediate(r));
  loseLeadership();
  committer.resign();
  await t.rejects(pending, { errorCode: ErrorCode.NOT_CONTROLLER });
  const controllerRegistration = { controllerId: 1, incarnationId: 'q1bDZ0cJQTCJmK1mAFI8Lw', zkMigrationReady: false, listeners: [], features: [] };
  await t.rejects(controller.registerController(controllerRegistration), { errorCode: ErrorCode.NOT_CONTROLLER });
});
