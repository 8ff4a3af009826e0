// A controller on a quorum of one, for the controller tests: proposals go to the real metadata
// log and are committed (high watermark moved, loader replayed) at once, as a lone voter's are.
// The clock is virtual, so sessions expire when the test says.
import { BrokerConfig } from '../../src/config.js';
import { MetadataManager } from '../../src/metadata/manager.js';
import type { MetadataRecord } from '../../src/metadata/records.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { RaftCommitter, type MetadataProposer } from '../../src/controller/raft-committer.js';
import { SUPPORTED_FEATURES } from '../../src/metadata/features.js';
import type { BrokerRegistrationRequest } from '../../src/protocol/generated/broker-registration-request.js';
import { randomUuid } from '../../src/metadata/uuid.js';

export class VirtualClock {
  now = 1_000_000;
  advance(ms: number): void {
    this.now += ms;
  }
}

export async function quorumOfOne(config: Record<string, string> = {}) {
  const storage = new MemoryStorageEngine();
  await storage.open();
  const clock = new VirtualClock();
  const manager = new MetadataManager({ storage, dataDir: null, config: new BrokerConfig(config), staticOverrides: {}, nodeId: 1, cluster: true });
  await manager.start();
  const committed: MetadataRecord[][] = [];
  const proposer: MetadataProposer = {
    isLeader: () => true,
    endOffset: () => manager.metadataLog.endOffset,
    async propose(records) {
      const b = await manager.metadataLog.append(records);
      committed.push(records);
      void manager.applyCommitted(b.lastOffset + 1);
      return b.lastOffset;
    },
  };
  const controller = manager.installController(null, () => clock.now);
  controller.activate(new RaftCommitter(proposer, manager, 1));
  await controller.bootstrap();
  return { manager, controller, clock, committed, clusterId: manager.image.clusterId };
}

/** A registration as a Kafka 4.4 broker sends it (BrokerLifecycleManager), for broker `id`. */
export function registration(clusterId: string, id: number, overrides: Partial<BrokerRegistrationRequest> = {}): BrokerRegistrationRequest {
  return {
    brokerId: id,
    clusterId,
    incarnationId: randomUuid(),
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9090 + id, securityProtocol: 0 }],
    features: SUPPORTED_FEATURES.map((f) => ({ name: f.name, minSupportedVersion: f.minVersion, maxSupportedVersion: f.maxVersion })),
    rack: null,
    isMigratingZkBroker: false,
    logDirs: [randomUuid()],
    previousBrokerEpoch: -1,
    ...overrides,
  };
}

export function heartbeat(id: number, brokerEpoch: number, currentMetadataOffset: number, more: { wantFence?: boolean; wantShutDown?: boolean } = {}) {
  return { brokerId: id, brokerEpoch, currentMetadataOffset, wantFence: more.wantFence ?? false, wantShutDown: more.wantShutDown ?? false, offlineLogDirs: [] };
}
