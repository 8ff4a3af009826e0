// Broker registrations replayed on top of a ClusterImage (Kafka's ClusterDelta).
import type { BrokerRegistrationChangeRecord } from '../protocol/generated/broker-registration-change-record.js';
import type { RegisterBrokerRecord } from '../protocol/generated/register-broker-record.js';
import type { RegisterControllerRecord } from '../protocol/generated/register-controller-record.js';
import { ClusterImage, type BrokerRegistration, type ControllerRegistration } from './image.js';

export class ClusterDelta {
  /** Broker id -> new registration (null: unregistered). */
  readonly changes = new Map<number, BrokerRegistration | null>();
  /** Controller id -> new registration (null: unregistered). */
  readonly controllerChanges = new Map<number, ControllerRegistration | null>();
  constructor(readonly image: ClusterImage) {}

  private current(id: number): BrokerRegistration | undefined {
    const c = this.changes.get(id);
    return c === null ? undefined : (c ?? this.image.brokers.get(id));
  }

  replayRegister(r: RegisterBrokerRecord): void {
    this.changes.set(r.brokerId, {
      id: r.brokerId,
      epoch: r.brokerEpoch,
      incarnationId: r.incarnationId,
      endpoints: r.endPoints.map((e) => ({ name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
      rack: r.rack,
      fenced: r.fenced,
      inControlledShutdown: r.inControlledShutdown ?? false,
      logDirs: r.logDirs ?? [],
      features: new Map(r.features.map((f) => [f.name, { min: f.minSupportedVersion, max: f.maxSupportedVersion }])),
    });
  }

  unregister(id: number): void {
    this.changes.set(id, null);
  }

  change(id: number, fields: Partial<BrokerRegistration>): void {
    const cur = this.current(id);
    if (cur) this.changes.set(id, { ...cur, ...fields });
  }

  replayChange(r: BrokerRegistrationChangeRecord): void {
    const fields: { -readonly [K in keyof BrokerRegistration]?: BrokerRegistration[K] } = {};
    // fenced / inControlledShutdown: -1 false, 0 no change, 1 true.
    if (r.fenced) fields.fenced = r.fenced === 1;
    if (r.inControlledShutdown) fields.inControlledShutdown = r.inControlledShutdown === 1;
    if (r.logDirs && r.logDirs.length > 0) fields.logDirs = r.logDirs;
    this.change(r.brokerId, fields);
  }

  replayRegisterController(r: RegisterControllerRecord): void {
    this.controllerChanges.set(r.controllerId, {
      id: r.controllerId,
      incarnationId: r.incarnationId,
      endpoints: r.endPoints.map((e) => ({ name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
      features: new Map(r.features.map((f) => [f.name, { min: f.minSupportedVersion, max: f.maxSupportedVersion }])),
    });
  }

  unregisterController(id: number): void {
    this.controllerChanges.set(id, null);
  }

  apply(): ClusterImage {
    const next = new Map(this.image.brokers);
    for (const [id, reg] of this.changes) {
      if (reg === null) next.delete(id);
      else next.set(id, reg);
    }
    if (this.controllerChanges.size === 0) return new ClusterImage(next, this.image.controllers);
    const controllers = new Map(this.image.controllers);
    for (const [id, reg] of this.controllerChanges) {
      if (reg === null) controllers.delete(id);
      else controllers.set(id, reg);
    }
    return new ClusterImage(next, controllers);
  }
}

