// Client telemetry (KIP-714) as Kafka's ClientMetricsManager serves it: a subscription per client
// instance, push timing and validation with Kafka's error codes, and, when samsa's telemetry is on,
// the latest metrics each client pushed (OTLP bytes, decompressed), kept for a metrics endpoint.
// samsa has no CLIENT_METRICS config resources: one subscription from samsa.client.telemetry.*
// matches every client. Kafka forgets a client instance when its connection closes; samsa sees no
// closes, so a request from another connection than the instance's last one starts it afresh.
import { crc32c } from '@node-rs/crc32';
import type { BrokerConfig } from '../config.js';
import { ErrorCode } from '../protocol/errors.js';
import { CODECS } from '../protocol/records/batch.js';
import { decompress } from '../protocol/records/compression.js';
import { randomUuid, ZERO_UUID } from '../metadata/uuid.js';

/** Kafka's Uuid.METADATA_TOPIC_ID: reserved, never a client instance id. */
const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
/** Kafka's accepted compression types, in its order: zstd, lz4, gzip, snappy. */
const ACCEPTED_COMPRESSION_TYPES = [4, 3, 1, 2];
/** Kafka's client instance cache: at most 16k instances, each kept max(60 s, 3 push intervals) after its last request. */
const MAX_INSTANCES = 16384;
const MIN_EXPIRY_MS = 60_000;

export interface TelemetrySubscription {
  errorCode: number;
  clientInstanceId: string;
  subscriptionId: number;
  acceptedCompressionTypes: number[];
  pushIntervalMs: number;
  telemetryMaxBytes: number;
  deltaTemporality: boolean;
  requestedMetrics: string[];
}

/** The latest metrics one client instance pushed. */
export interface PushedMetrics {
  clientInstanceId: string;
  clientId: string | null;
  peer: string;
  receivedAtMs: number;
  terminating: boolean;
  /** OTLP MetricsData, decompressed. */
  metrics: Buffer;
}

interface Instance {
  id: string;
  peer: string;
  subscriptionId: number;
  lastGetMs: number;
  lastPushMs: number;
  lastSeenMs: number;
  terminating: boolean;
  lastKnownError: number;
}

export interface PushRequest {
  clientInstanceId: string;
  subscriptionId: number;
  terminating: boolean;
  compressionType: number;
  metrics: Buffer;
}

export class ClientTelemetry {
  /** Advertised and storing pushes (Kafka: a ClientTelemetry metrics reporter is configured). */
  readonly enabled: boolean;
  private readonly requestedMetrics: string[];
  private readonly pushIntervalMs: number;
  private readonly maxBytes: number;
  private readonly maxClients: number;
  private readonly instances = new Map<string, Instance>();
  private readonly pushed = new Map<string, PushedMetrics>();

  constructor(config: { get(name: string): string | null }) {
    this.enabled = config.get('samsa.client.telemetry.enable') === 'true';
    const metrics = (config.get('samsa.client.telemetry.metrics') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    // A subscription asking for all metrics is sent as "*" alone, as Kafka does.
    this.requestedMetrics = metrics.includes('*') ? ['*'] : [...new Set(metrics)].sort();
    this.pushIntervalMs = Number(config.get('samsa.client.telemetry.push.interval.ms'));
    this.maxBytes = Number(config.get('telemetry.max.bytes'));
    this.maxClients = Number(config.get('samsa.client.telemetry.max.clients'));
  }

  getSubscription(requestedId: string, peer: string, now = Date.now()): TelemetrySubscription {
    let id = requestedId;
    if (id === ZERO_UUID) do id = randomUuid(); while (this.live(id, now));
    const inst = this.instance(id, peer, now);
    // A client told its subscription or compression was wrong may ask again at once.
    const retry = inst.lastKnownError === ErrorCode.UNKNOWN_SUBSCRIPTION_ID || inst.lastKnownError === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    if (now - Math.max(inst.lastGetMs, inst.lastPushMs) >= this.pushIntervalMs) inst.lastGetMs = now;
    else if (!retry) return { ...NO_SUBSCRIPTION, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED };
    inst.lastKnownError = ErrorCode.NONE;
    return {
      errorCode: ErrorCode.NONE,
      clientInstanceId: id,
      subscriptionId: inst.subscriptionId,
      acceptedCompressionTypes: ACCEPTED_COMPRESSION_TYPES,
      pushIntervalMs: this.pushIntervalMs,
      telemetryMaxBytes: this.maxBytes,
      deltaTemporality: true,
      requestedMetrics: this.requestedMetrics,
    };
  }

  /** Validates a push as Kafka does and keeps its metrics; returns the error code. */
  push(req: PushRequest, clientId: string | null, peer: string, now = Date.now()): number {
    if (req.clientInstanceId === ZERO_UUID || req.clientInstanceId === METADATA_TOPIC_ID) return ErrorCode.INVALID_REQUEST;
    const inst = this.instance(req.clientInstanceId, peer, now);
    const error = this.validatePush(inst, req, now);
    inst.terminating = req.terminating;
    if (error !== ErrorCode.NONE) return (inst.lastKnownError = error);
    if (req.metrics.length > 0) {
      let metrics: Buffer;
      try {
        metrics = decompress(CODECS[req.compressionType], req.metrics);
      } catch {
        // Kafka decompresses every push, telemetry reporter or not, and answers INVALID_RECORD when it cannot.
        return (inst.lastKnownError = ErrorCode.INVALID_RECORD);
      }
      if (!this.enabled) return (inst.lastKnownError = ErrorCode.NONE);
      this.pushed.delete(inst.id);
      this.pushed.set(inst.id, { clientInstanceId: inst.id, clientId, peer, receivedAtMs: now, terminating: req.terminating, metrics });
      if (this.pushed.size > this.maxClients) this.pushed.delete(this.pushed.keys().next().value!);
    }
    return (inst.lastKnownError = ErrorCode.NONE);
  }

  /** The latest push of each client instance, least recent first. */
  latest(): PushedMetrics[] {
    return [...this.pushed.values()];
  }

  private validatePush(inst: Instance, req: PushRequest, now: number): number {
    if (inst.terminating) return ErrorCode.INVALID_REQUEST;
    // The first push after a GetTelemetrySubscriptions may come early: clients jitter the interval.
    const accept = inst.lastGetMs > inst.lastPushMs || now - inst.lastPushMs >= this.pushIntervalMs;
    if (accept) inst.lastPushMs = now;
    else if (!req.terminating) return ErrorCode.THROTTLING_QUOTA_EXCEEDED;
    if (req.subscriptionId !== inst.subscriptionId) return ErrorCode.UNKNOWN_SUBSCRIPTION_ID;
    if (CODECS[req.compressionType] === undefined) return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    if (req.metrics.length > this.maxBytes) return ErrorCode.TELEMETRY_TOO_LARGE;
    return ErrorCode.NONE;
  }

  private live(id: string, now: number): Instance | undefined {
    const inst = this.instances.get(id);
    if (inst && now - inst.lastSeenMs > Math.max(MIN_EXPIRY_MS, 3 * this.pushIntervalMs)) {
      this.instances.delete(id);
      return undefined;
    }
    return inst;
  }

  private instance(id: string, peer: string, now: number): Instance {
    let inst = this.live(id, now);
    if (!inst || inst.peer !== peer) {
      inst = { id, peer, subscriptionId: subscriptionId(this.requestedMetrics, this.pushIntervalMs, id), lastGetMs: 0, lastPushMs: 0, lastSeenMs: now, terminating: false, lastKnownError: ErrorCode.NONE };
    }
    inst.lastSeenMs = now;
    // Most recently used last, so the first key is the one to evict.
    this.instances.delete(id);
    this.instances.set(id, inst);
    if (this.instances.size > MAX_INSTANCES) this.instances.delete(this.instances.keys().next().value!);
    return inst;
  }
}

const NO_SUBSCRIPTION: TelemetrySubscription = {
  errorCode: ErrorCode.NONE,
  clientInstanceId: ZERO_UUID,
  subscriptionId: 0,
  acceptedCompressionTypes: [],
  pushIntervalMs: 0,
  telemetryMaxBytes: 0,
  deltaTemporality: false,
  requestedMetrics: [],
};

/**
 * Kafka's subscription id: CRC-32C of the metric set as Java prints it followed by the push
 * interval, XORed with the instance id's hash (Uuid.hashCode: the XOR of its four 32-bit words).
 */
export function subscriptionId(metrics: readonly string[], pushIntervalMs: number, clientInstanceId: string): number {
  const id = Buffer.from(clientInstanceId, 'base64url');
  const hash = id.readInt32BE(0) ^ id.readInt32BE(4) ^ id.readInt32BE(8) ^ id.readInt32BE(12);
  return (crc32c(Buffer.from(`[${metrics.join(', ')}]${pushIntervalMs}`)) | 0) ^ hash;
}

/** What telemetry needs of its broker: its settings (it is kept per broker, keyed by this object). */
export interface TelemetryOwner {
  readonly config: BrokerConfig;
}

const BY_BROKER = new WeakMap<TelemetryOwner, ClientTelemetry>();

/** The broker's client telemetry state, made on first use from its config. */
export function clientTelemetry(broker: TelemetryOwner): ClientTelemetry {
  let t = BY_BROKER.get(broker);
  if (!t) BY_BROKER.set(broker, (t = new ClientTelemetry(broker.config)));
  return t;
}
