// The controller follows the quorum's leadership: it takes operations only while this node
// leads, after replaying the log up to the epoch's start; writes the bootstrap records into an
// empty log; fences brokers whose session expires with one timer armed at the earliest expiry;
// and on losing the leadership fails what is pending and everything after with NOT_CONTROLLER.
// Virtual clock and timers.
import t from 'tap';
import { BrokerConfig } from '../../src/config.js';
import { MetadataManager } from '../../src/metadata/manager.js';
import { MemoryStorageEngine } from '../../src/storage/memory-engine.js';
import { ControllerActivation, type Timers } from '../../src/controller/activation.js';
import type { MetadataProposer } from '../../src/controller/raft-committer.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { heartbeat, registration, VirtualClock } from './helpers.js';

class VirtualTimers implements Timers {
  armed = new Map<number, { at: number; fn: () => void }>();
  private next = 0;
  constructor(private readonly clock: VirtualClock) {}
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.armed.set(id, { at: this.clock.now + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.armed.delete(h as number);
  }
  /** Moves the clock and runs the timers now due. */
  advance(ms: number): void {
    this.clock.advance(ms);
    for (const [id, tm] of [...this.armed]) {
      if (tm.at <= this.clock.now) {
        this.armed.delete(id);
        tm.fn();
      }
    }
  }
}

async function node() {
  const storage = new MemoryStorageEngine();
  await storage.open();
  const clock = new VirtualClock();
  const timers = new VirtualTimers(clock);
  const manager = new MetadataManager({ storage, dataDir: null, config: new BrokerConfig({ 'broker.session.timeout.ms': '9000' }), staticOverrides: {}, nodeId: 1, cluster: true });
  await manager.start();
  const quorum = { leaderId: -1, epoch: 0 };
  // A quorum whose high watermark follows this node's appends at once while it leads.
  const raft: MetadataProposer = {
    isLeader: (epoch) => quorum.leaderId === 1 && quorum.epoch === epoch,
    endOffset: () => manager.metadataLog.endOffset,
    async propose(records) {
      if (quorum.leaderId !== 1) throw new Error('not the leader');
      const b = await manager.metadataLog.append(records);
      void manager.applyCommitted(b.lastOffset + 1);
      return b.lastOffset;
    },
  };
  const controller = manager.installController(null, () => clock.now);
  const activation = new ControllerActivation(1, controller, raft, manager, () => clock.now, timers);
  const lead = (leaderId: number, epoch: number) => {
    quorum.leaderId = leaderId;
    quorum.epoch = epoch;
    activation.onLeaderChange({ leaderId, epoch, epochStartOffset: manager.replayedOffset });
    return activation.activated;
  };
  return { manager, controller, activation, timers, clock, lead };
}

t.test('inactive until it leads; activation bootstraps an empty log', async (t) => {
  const { manager, controller, lead } = await node();
  await t.rejects(controller.createTopics([], false), { errorCode: ErrorCode.NOT_CONTROLLER });
  await lead(2, 1);
  t.equal(controller.active, false, 'another node leads');
  await lead(1, 2);
  t.equal(controller.active, true);
  t.equal(manager.image.features.level('metadata.version'), 33);
  const end = manager.metadataLog.endOffset;
  await lead(2, 3);
  await lead(1, 4);
  t.equal(manager.metadataLog.endOffset, end, 'a log already bootstrapped is not bootstrapped again');
});

t.test('an expired session is fenced by the timer; a new leader elsewhere stops it all', async (t) => {
  const { manager, controller, timers, lead } = await node();
  await lead(1, 1);
  const epoch = await controller.registerBrokerRequest(registration(manager.image.clusterId, 2));
  await controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  t.equal(timers.armed.size, 1, 'one timer, at the session expiry');
  timers.advance(4000);
  await controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  timers.advance(8999);
  await new Promise((r) => setImmediate(r));
  t.equal(manager.image.cluster.brokers.get(2)!.fenced, false, 'the heartbeat moved the expiry');
  timers.advance(1);
  while (!manager.image.cluster.brokers.get(2)!.fenced) await new Promise((r) => setImmediate(r));
  t.pass('fenced once its session expired');
  await new Promise((r) => setImmediate(r));
  t.equal(timers.armed.size, 0, 'no unfenced broker left to watch');

  await controller.brokerHeartbeat(heartbeat(2, epoch, manager.replayedOffset));
  t.equal(manager.image.cluster.brokers.get(2)!.fenced, false);
  t.equal(timers.armed.size, 1);
  await lead(3, 2);
  t.equal(timers.armed.size, 0, 'the fence timer stops with the leadership');
  await t.rejects(controller.brokerHeartbeat(heartbeat(2, epoch, 0)), { errorCode: ErrorCode.NOT_CONTROLLER });
});

t.test('a new term forgets the sessions of an earlier one', async (t) => {
  const { manager, controller, timers, lead } = await node();
  await lead(1, 1);
  const epoch = await controller.registerBrokerRequest(registration(manager.image.clusterId, 2));
  await controller.brokerHeartbeat(heartbeat(2, epoch, epoch));
  // Another leader's term: broker 2 leaves (its UnregisterBrokerRecord committed there).
  await lead(3, 2);
  await manager.metadataLog.append([{ type: 1, version: 0, data: { brokerId: 2, brokerEpoch: epoch } }]);
  await manager.applyCommitted(manager.metadataLog.endOffset);
  t.equal(manager.image.cluster.brokers.has(2), false);
  await lead(1, 3);
  t.equal(controller.nextFenceCheckMs(), null, 'no session left for a broker that is gone');
  t.equal(timers.armed.size, 0);
});
