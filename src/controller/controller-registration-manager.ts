// A controller announces itself to the active controller (Kafka's ControllerRegistrationManager):
// once its image holds a metadata.version and no registration of this incarnation, it sends
// ControllerRegistration (its controller listeners and supported features), retrying with
// backoff, until the RegisterControllerRecord shows up in its image. This is how brokers and
// admin tools (DescribeCluster on a controller, KIP-919) learn the controllers' endpoints.
import { log } from '../log.js';
import { ErrorCode } from '../protocol/errors.js';
import { ControllerRegistrationRequest, type ControllerRegistrationRequestListener } from '../protocol/generated/controller-registration-request.js';
import { ControllerRegistrationResponse } from '../protocol/generated/controller-registration-response.js';
import type { Codec } from '../protocol/generated/codec.js';
import { METADATA_VERSION, SUPPORTED_FEATURES } from '../metadata/features.js';
import type { MetadataImage } from '../metadata/image.js';
import type { MetadataPublisher } from '../metadata/loader.js';
import type { MetadataDelta } from '../metadata/delta.js';
import { randomUuid } from '../metadata/uuid.js';

const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1000;

export interface ControllerRegistrationOptions {
  nodeId: number;
  incarnationId?: string;
  listeners: ControllerRegistrationRequestListener[];
  /** Sends to the active controller (a ControllerChannel). */
  channel: { send<Req, Res>(requestCodec: Codec<Req>, responseCodec: Codec<Res>, version: number, request: Req): Promise<Res> };
}

export class ControllerRegistrationManager implements MetadataPublisher {
  readonly name = 'controller-registration';
  readonly incarnationId: string;
  private inFlight = false;
  private failures = 0;
  private retry: NodeJS.Timeout | null = null;
  private latest: MetadataImage | null = null;
  private closed = false;
  /** Accepted by the controller: committed, so it reaches this image in time; not sent again. */
  private accepted = false;

  constructor(private readonly o: ControllerRegistrationOptions) {
    this.incarnationId = o.incarnationId ?? randomUuid();
  }

  onMetadataUpdate(_delta: MetadataDelta, image: MetadataImage): void {
    this.latest = image;
    this.maybeSend();
  }

  /** Registered: the image holds this incarnation's RegisterControllerRecord. */
  get registered(): boolean {
    return this.latest?.cluster.controllers.get(this.o.nodeId)?.incarnationId === this.incarnationId;
  }

  private maybeSend(): void {
    const image = this.latest;
    if (this.closed || this.inFlight || this.retry || !image) return;
    // Before a metadata.version is finalized the controller cannot take registrations.
    if (this.accepted || image.features.level(METADATA_VERSION) === 0 || this.registered) return;
    this.inFlight = true;
    this.send().finally(() => (this.inFlight = false));
  }

  private async send(): Promise<void> {
    try {
      const res = await this.o.channel.send(ControllerRegistrationRequest, ControllerRegistrationResponse, 0, {
        controllerId: this.o.nodeId,
        incarnationId: this.incarnationId,
        zkMigrationReady: false,
        listeners: this.o.listeners,
        features: SUPPORTED_FEATURES.map((f) => ({ name: f.name, minSupportedVersion: f.minVersion, maxSupportedVersion: f.maxVersion })),
      });
      if (res.errorCode !== ErrorCode.NONE) throw new Error(`error ${res.errorCode}${res.errorMessage ? `: ${res.errorMessage}` : ''}`);
      this.failures = 0;
      this.accepted = true;
      log.info(`controller ${this.o.nodeId}: registered incarnation ${this.incarnationId}`);
    } catch (e) {
      const delay = Math.min(INITIAL_BACKOFF_MS * 2 ** this.failures++, MAX_BACKOFF_MS);
      log.debug(`controller ${this.o.nodeId}: registration failed (${(e as Error).message}); retrying in ${delay} ms`);
      this.retry = setTimeout(() => {
        this.retry = null;
        this.maybeSend();
      }, delay);
    }
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }
}
