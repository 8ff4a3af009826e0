// Broker and controller registrations as the active controller handles them (Kafka's
// ClusterControlManager and the broker parts of ReplicationControlManager): each request is
// checked against the image and the heartbeat sessions and turned into records. Sans-IO: the
// caller passes the time and commits the records.
import { ErrorCode } from '../protocol/errors.js';
import { KafkaError } from '../storage/types.js';
import type { BrokerRegistrationRequest } from '../protocol/generated/broker-registration-request.js';
import type { BrokerHeartbeatRequest } from '../protocol/generated/broker-heartbeat-request.js';
import type { ControllerRegistrationRequest } from '../protocol/generated/controller-registration-request.js';
import type { MetadataImage } from '../metadata/image.js';
import { REGISTER_BROKER_RECORD_VERSION } from '../metadata/image-records.js';
import { METADATA_VERSION } from '../metadata/features.js';
import { RecordType, type MetadataRecord } from '../metadata/records.js';
import type { ControllerResult } from '../metadata/replication-control.js';
import { BrokerControlState, BrokerHeartbeats, isFencedState } from './broker-heartbeats.js';
import { electLeaderlessFor, hasLeaderships, removeFromIsrAndLeadership } from './partition-leadership.js';
import type { ElectionOptions } from './partition-change.js';

export const UNREGISTER_BROKER_RECORD = 1;
export const BROKER_REGISTRATION_CHANGE_RECORD = 17;
export const REGISTER_CONTROLLER_RECORD = 27;
/** BrokerRegistrationChangeRecord's fenced field: 1 fence, -1 unfence (Kafka's BrokerRegistrationFencingChange). */
const FENCE = 1;
const UNFENCE = -1;
const IN_CONTROLLED_SHUTDOWN = 1;

export interface HeartbeatReply {
  isCaughtUp: boolean;
  isFenced: boolean;
  inControlledShutdown: boolean;
  shouldShutDown: boolean;
}

/** A Kafka DirectoryId.reserved id: the top 64 bits zero and the low ones below 100 (UNASSIGNED, LOST, MIGRATING...). */
export function reservedDirectoryId(id: string): boolean {
  const b = Buffer.from(id, 'base64url');
  if (b.length !== 16 || b.readBigUInt64BE(0) !== 0n) return false;
  return b.readBigUInt64BE(8) < 100n;
}

export class ClusterControl {
  private _heartbeats: BrokerHeartbeats;
  /** Offset of each broker's latest RegisterBrokerRecord as this controller committed it (this term). */
  private readonly registrationOffsets = new Map<number, number>();

  constructor(
    private readonly clusterId: () => string,
    private readonly sessionTimeoutMs: number,
    /** Whose unclean.leader.election.enable fencing and unfencing consult (none: never unclean). */
    private readonly elections: () => ElectionOptions = () => ({ nodeId: -1, uncleanDefault: false }),
  ) {
    this._heartbeats = new BrokerHeartbeats(sessionTimeoutMs);
  }

  get heartbeats(): BrokerHeartbeats {
    return this._heartbeats;
  }

  /**
   * A new term as active controller (Kafka's activate()): sessions start afresh, every registered
   * broker's now; what an earlier term knew may be stale (brokers re-registered or left since).
   */
  activate(image: MetadataImage, nowMs: number): void {
    this._heartbeats = new BrokerHeartbeats(this.sessionTimeoutMs);
    this.registrationOffsets.clear();
    for (const b of image.cluster.brokers.values()) this._heartbeats.register(b.id, b.fenced, nowMs);
  }

  /**
   * The registration record's offset a heartbeat must reach to be unfenced. A controller that
   * did not commit it (one elected since) uses the broker epoch: the offset of the batch the
   * registration opened, which holds it first.
   */
  registrationOffset(image: MetadataImage, brokerId: number): number | undefined {
    const reg = image.cluster.brokers.get(brokerId);
    if (!reg) return undefined;
    return this.registrationOffsets.get(brokerId) ?? reg.epoch;
  }

  /** The commit of a registration landed at `offset`. */
  registered(brokerId: number, offset: number): void {
    this.registrationOffsets.set(brokerId, offset);
  }

  registerBroker(image: MetadataImage, req: BrokerRegistrationRequest, newBrokerEpoch: number, nowMs: number): ControllerResult<{ brokerEpoch: number }> {
    if (req.clusterId !== this.clusterId()) {
      throw new KafkaError(ErrorCode.INCONSISTENT_CLUSTER_ID, `Expected cluster ID ${this.clusterId()}, but got cluster ID ${req.clusterId}`);
    }
    const brokerId = req.brokerId;
    const existing = image.cluster.brokers.get(brokerId);
    if (existing && this.heartbeats.hasValidSession(brokerId, nowMs) && existing.incarnationId !== req.incarnationId) {
      throw new KafkaError(
        ErrorCode.DUPLICATE_BROKER_REGISTRATION,
        "Another broker is registered with that broker id. If the broker was recently restarted this should self-resolve once the heartbeat manager expires the broker's session.",
      );
    }
    if (req.isMigratingZkBroker) throw new KafkaError(ErrorCode.BROKER_ID_NOT_REGISTERED, 'Controller does not support registering ZK brokers.');
    const logDirs = req.logDirs ?? [];
    if (logDirs.length === 0) throw new KafkaError(ErrorCode.INVALID_REGISTRATION, 'No directories specified in request');
    if (logDirs.some(reservedDirectoryId)) throw new KafkaError(ErrorCode.INVALID_REGISTRATION, 'Reserved directory ID in request');
    if (new Set(logDirs).size !== logDirs.length) throw new KafkaError(ErrorCode.INVALID_REGISTRATION, 'Duplicate directory ID in request');
    for (const dir of logDirs) {
      for (const other of image.cluster.brokers.values()) {
        if (other.id !== brokerId && other.logDirs.includes(dir)) {
          throw new KafkaError(ErrorCode.INVALID_REGISTRATION, `Broker ${other.id} is already registered with directory ${dir}`);
        }
      }
    }
    const finalized = image.features.finalized;
    for (const f of req.features) checkFeature(finalized, f.name, f.minSupportedVersion, f.maxSupportedVersion);
    if (!req.features.some((f) => f.name === METADATA_VERSION)) {
      throw new KafkaError(ErrorCode.INVALID_REGISTRATION, "Request features do not contain 'metadata.version'");
    }
    // A finalized feature the broker does not name is one it supports only at level 0.
    for (const [name, level] of finalized) {
      if (level !== 0 && !req.features.some((f) => f.name === name)) checkFeature(finalized, name, 0, 0);
    }
    const sameIncarnation = existing?.incarnationId === req.incarnationId;
    const brokerEpoch = sameIncarnation ? existing!.epoch : newBrokerEpoch;
    const record: MetadataRecord = {
      type: RecordType.REGISTER_BROKER,
      version: REGISTER_BROKER_RECORD_VERSION,
      data: {
        brokerId,
        isMigratingZkBroker: false,
        incarnationId: req.incarnationId,
        brokerEpoch,
        endPoints: req.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol })),
        features: req.features.map((f) => ({ name: f.name, minSupportedVersion: f.minSupportedVersion, maxSupportedVersion: f.maxSupportedVersion })),
        rack: req.rack,
        // A new incarnation starts fenced; the same one re-registering keeps its state (Kafka amends it).
        fenced: sameIncarnation ? existing!.fenced : true,
        inControlledShutdown: sameIncarnation ? existing!.inControlledShutdown : false,
        logDirs,
      },
    };
    if (!sameIncarnation) this.heartbeats.remove(brokerId);
    this.heartbeats.register(brokerId, record.data.fenced, nowMs);
    return { records: [record], response: { brokerEpoch } };
  }

  /** Kafka's checkBrokerEpoch: requests from a broker must carry its current registration's epoch. */
  checkBrokerEpoch(image: MetadataImage, brokerId: number, brokerEpoch: number): void {
    const reg = image.cluster.brokers.get(brokerId);
    if (!reg) throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `No broker registration found for broker id ${brokerId}`);
    if (reg.epoch !== brokerEpoch) throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `Expected broker epoch ${reg.epoch}, but got broker epoch ${brokerEpoch}`);
  }

  brokerHeartbeat(image: MetadataImage, req: BrokerHeartbeatRequest, nowMs: number): ControllerResult<HeartbeatReply> {
    const brokerId = req.brokerId;
    const registrationOffset = this.registrationOffset(image, brokerId);
    if (registrationOffset === undefined) {
      throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `Receive a heartbeat from broker ${brokerId} before registration`);
    }
    this.checkBrokerEpoch(image, brokerId, req.brokerEpoch);
    const [current, next] = this.heartbeats.nextState(brokerId, req, registrationOffset, () => hasLeaderships(image, brokerId));
    const records: MetadataRecord[] = [];
    if (current !== next) {
      const epoch = req.brokerEpoch;
      switch (next) {
        case BrokerControlState.FENCED:
        case BrokerControlState.SHUTDOWN_NOW:
          records.push(...this.fence(image, brokerId));
          break;
        case BrokerControlState.UNFENCED:
          records.push(registrationChange(brokerId, epoch, { fenced: UNFENCE }), ...electLeaderlessFor(image, brokerId, this.elections()));
          break;
        case BrokerControlState.CONTROLLED_SHUTDOWN:
          if (!image.cluster.brokers.get(brokerId)?.inControlledShutdown) {
            records.push(registrationChange(brokerId, epoch, { inControlledShutdown: IN_CONTROLLED_SHUTDOWN }));
          }
          records.push(...removeFromIsrAndLeadership(image, brokerId, this.elections()));
          break;
      }
    }
    this.heartbeats.touch(brokerId, isFencedState(next), req.currentMetadataOffset, nowMs);
    return {
      records,
      response: {
        isCaughtUp: req.currentMetadataOffset >= registrationOffset,
        isFenced: isFencedState(next),
        inControlledShutdown: next === BrokerControlState.CONTROLLED_SHUTDOWN,
        shouldShutDown: next === BrokerControlState.SHUTDOWN_NOW,
      },
    };
  }

  /** Kafka's handleBrokerFenced: out of ISRs and leaderships, then the fence itself. */
  private fence(image: MetadataImage, brokerId: number): MetadataRecord[] {
    const reg = image.cluster.brokers.get(brokerId)!;
    return [...removeFromIsrAndLeadership(image, brokerId, this.elections()), registrationChange(brokerId, reg.epoch, { fenced: FENCE })];
  }

  /** Fences one unfenced broker whose session expired (null: none is stale). */
  fenceStaleBroker(image: MetadataImage, nowMs: number): ControllerResult<number | null> {
    const brokerId = this.heartbeats.findOneStaleBroker(nowMs);
    if (brokerId === null) return { records: [], response: null };
    const reg = image.cluster.brokers.get(brokerId);
    // Expired, not renewed: another incarnation of the broker may register at once (no DUPLICATE_BROKER_REGISTRATION).
    this.heartbeats.expire(brokerId);
    // Already fenced in the image (e.g. by another controller term): the session only catches up.
    if (!reg || reg.fenced) return { records: [], response: null };
    return { records: this.fence(image, brokerId), response: brokerId };
  }

  unregisterBroker(image: MetadataImage, brokerId: number): ControllerResult<void> {
    const reg = image.cluster.brokers.get(brokerId);
    if (!reg) throw new KafkaError(ErrorCode.BROKER_ID_NOT_REGISTERED, `Broker ID ${brokerId} is not currently registered`);
    this.heartbeats.remove(brokerId);
    this.registrationOffsets.delete(brokerId);
    return {
      records: [...removeFromIsrAndLeadership(image, brokerId, this.elections()), { type: UNREGISTER_BROKER_RECORD, version: 0, data: { brokerId, brokerEpoch: reg.epoch } }],
      response: undefined,
    };
  }

  /** Kafka's registerController: a RegisterControllerRecord as the controller describes itself. */
  registerController(req: ControllerRegistrationRequest): ControllerResult<void> {
    return {
      records: [
        {
          type: REGISTER_CONTROLLER_RECORD,
          version: 0,
          data: {
            controllerId: req.controllerId,
            incarnationId: req.incarnationId,
            zkMigrationReady: false,
            endPoints: req.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol })),
            features: req.features.map((f) => ({ name: f.name, minSupportedVersion: f.minSupportedVersion, maxSupportedVersion: f.maxSupportedVersion })),
          },
        },
      ],
      response: undefined,
    };
  }
}

/** Kafka's processRegistrationFeature: the broker's range must hold the finalized level (metadata.version must be finalized). */
function checkFeature(finalized: ReadonlyMap<string, number>, name: string, min: number, max: number): void {
  const level = finalized.get(name) ?? 0;
  if (level < min || level > max) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_VERSION,
      `Unable to register because the broker does not support finalized version ${level} of ${name}. The broker wants a version between ${min} and ${max}, inclusive.`,
    );
  }
}

function registrationChange(brokerId: number, brokerEpoch: number, fields: { fenced?: number; inControlledShutdown?: number }): MetadataRecord {
  // Kafka writes v0 to fence or unfence and v1 (which has InControlledShutdown) to start a controlled shutdown.
  return { type: BROKER_REGISTRATION_CHANGE_RECORD, version: fields.inControlledShutdown ? 1 : 0, data: { brokerId, brokerEpoch, ...fields } };
}
