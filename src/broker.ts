// The broker: config, storage, topic metadata and its listener, wired together. Its handlers see
// it only as a BrokerContext (handlers/context.ts).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { BrokerConfig, type LogConfig } from './config.js';
import type { TopicInfo } from './metadata/topic-store.js';
import type { MetadataImage, TopicsImage } from './metadata/image.js';
import type { ConfigDescriber } from './metadata/config-describer.js';
import type { MetadataLog } from './metadata/metadata-log.js';
import { MetadataManager } from './metadata/manager.js';
import { Server, type ServerOptions } from './network/server.js';
import type { ApiRegistry, RequestInfo } from './network/api.js';
import type { BrokerContext, ControllerOperations, ReplicaAccess } from './handlers/context.js';
import type { RequestContext } from './handlers/handler.js';
import { HANDLERS } from './handlers/registry.js';
import type { PartitionLog, StorageEngine } from './storage/types.js';
import { FileStorageEngine, type FileStorageOptions } from './storage/file-engine.js';
import { MemoryStorageEngine } from './storage/memory-engine.js';
import type { LogDirsView } from './storage/log-dirs.js';
import { LogCleaner } from './storage/cleaner.js';
import { GroupCoordinator } from './coordinator/group/coordinator.js';
import { TransactionCoordinator } from './coordinator/transaction/coordinator.js';
import { TxnMarkerChannel } from './coordinator/transaction/marker-channel.js';
import { brokerMarkerHost } from './coordinator/transaction/local-markers.js';
import { TxnVerifier } from './coordinator/transaction/produce-verification.js';
import { SharePartitionManager } from './share/share-partition-manager.js';
import { groupShareSettings } from './share/settings.js';
import { GROUP_RESOURCE_TYPE, GroupConfigs } from './coordinator/group/group-config.js';
import type { Persister } from './share/persister.js';
import { log } from './log.js';
import { ShareCoordinator } from './coordinator/share/coordinator.js';
import { listenerSecurity, type SecurityProtocol } from './security/listener-security.js';
import { securityFingerprint } from './security/reload.js';
import { delegationTokenSecretKey, imageCredentialStore } from './security/image-credentials.js';
import { AuthorizerCache } from './security/acl/authorizer-cache.js';
import type { StandardAuthorizer } from './security/acl/authorizer.js';
import { SharePersister } from './coordinator/share/persister.js';
import { QuotaManagers } from './quota/quota-managers.js';
import { FaultRegistry } from './faults/registry.js';
import type { ClusterControl } from './faults/cluster-control.js';
import type { RaftStatus } from './raft/messages.js';
import { HttpServer } from './http/server.js';
import { registerRoutes } from './http/routes.js';
import type { HttpContext } from './http/context.js';
import { BrokerMetrics } from './metrics/broker-metrics.js';
import { committedOffsets } from './metrics/committed-offsets.js';
import { inProcessRequests } from './http/console/source.js';
import type { RemoteRequest } from './http/console/remote.js';
import { clientTelemetry } from './telemetry/client-metrics.js';

/** One of the broker's listeners (Kafka's `listeners` entry, with its `advertised.listeners` one). */
export interface BrokerListener {
  name: string;
  host: string;
  /** 0: any free port. */
  port: number;
  advertisedHost?: string;
  advertisedPort?: number;
  /** The listener's protocol (listener.security.protocol.map); default PLAINTEXT. Its ssl.* and sasl.* settings come from the broker config. */
  securityProtocol?: SecurityProtocol;
}

export interface BrokerOptions {
  host?: string;
  port?: number;
  /** The broker's listeners, the first one advertised; default one PLAINTEXT listener on host:port. */
  listeners?: BrokerListener[];
  /** Directory for the log; ignored when `memory` is true. */
  dataDir?: string;
  /** Kafka's log.dirs, when there are several: partitions spread over them (the first one takes dataDir's place). */
  logDirs?: string[];
  memory?: boolean;
  advertisedHost?: string;
  advertisedPort?: number;
  /** Kafka-style broker settings (`num.partitions`, `message.max.bytes`, ...). */
  config?: Record<string, string>;
  /** For the file engine: its file system (tests inject faults through it) and other knobs. */
  storage?: FileStorageOptions;
  /**
   * Cluster mode (process.roles set, src/node/node.ts): the node's raft driver writes the metadata
   * log and its lifecycle manager registers the broker with the active controller.
   */
  cluster?: boolean;
  /** The share-partition state's Persister in place of the share coordinator's (tests). */
  sharePersister?: Persister;
  /** The HTTP port (/metrics, faults, console) in place of samsa.http.port; 0: a free port. */
  httpPort?: number;
  /**
   * Cluster mode: the broker's line to the active controller. The admin APIs Kafka forwards go
   * there (`registry` wraps the listeners' one, src/node/forwarded-apis.ts), and so do the topics
   * and producer ids the broker asks for itself (`operations`, src/node/remote-controller.ts).
   */
  remoteController?: {
    operations: ControllerOperations & Pick<BrokerContext, 'createTopic'>;
    registry(base: ApiRegistry<RequestContext>): ApiRegistry<RequestContext>;
  };
}

/** Kafka's listener name when `listeners` is unset (PLAINTEXT://:9092). */
export const DEFAULT_LISTENER_NAME = 'PLAINTEXT';

export class Broker implements BrokerContext {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly storage: StorageEngine;
  /** The one log dir, absolute (what DescribeLogDirs reports); null for the memory engine. */
  readonly logDir: string | null;
  /** The metadata log, its image and the controller. */
  readonly metadata: MetadataManager;
  readonly groups: GroupCoordinator;
  /** The transaction coordinator (__transaction_state), writing markers through txnMarkers. */
  readonly transactions: TransactionCoordinator;
  /** Transaction markers to partition leaders (this broker's, or WriteTxnMarkers to others once the node wires its client in). */
  readonly txnMarkers: TxnMarkerChannel;
  /** Produce's transaction verification (the coordinator here, or AddPartitionsToTxn to its broker once the node wires its client in). */
  readonly txnVerifier: TxnVerifier;
  /** The share coordinator (__share_group_state, KIP-932). */
  readonly shareCoordinator: ShareCoordinator;
  /** The share-partition state as share partitions and share groups reach it: the local share coordinator, or its broker once the node wires its client in. */
  readonly sharePersister: SharePersister;
  /** The share partitions this broker leads and their share sessions (KIP-932). */
  readonly shares: SharePartitionManager;
  /** Retention and compaction in the background. */
  readonly cleaner: LogCleaner;
  /** Cluster mode: the replica layer the node installs (src/replica/replica-manager.ts); null on a lone node. */
  replicas: ReplicaAccess | null = null;
  private servers: Server<RequestContext>[] = [];
  /** Each listener's advertised endpoint, in the order of `listeners`. */
  private endpoints: { name: string; host: string; port: number }[] = [];
  private advertised = { host: '127.0.0.1', port: 0 };
  private http: HttpServer | null = null;
  /** Cluster mode: the console's requests to other brokers (src/http/console/remote.ts), set by the node. */
  consoleRemote: RemoteRequest | null = null;
  /** The HTTP port bound (samsa.http.port), once started; null without one. */
  httpPort: number | null = null;
  /** The host the HTTP server listens on (the first listener's; 0.0.0.0 for an empty one). */
  httpHost: string | null = null;
  /** Topic and request counters the client listeners keep (/metrics). */
  readonly metrics = new BrokerMetrics(
    (id) => this.metadata.image.topics.getById(id)?.name,
    // Kafka's API names (ApiKeys): the request schema's name without "Request".
    (apiKey) => HANDLERS.get(apiKey)?.request.name.replace(/Request$/, '') ?? String(apiKey),
  );
  /** Whether this node is the active controller: a lone node is; a cluster node sets its own. */
  activeController: () => boolean = () => !this.options.cluster;
  /** Cluster mode: the node's quorum view (set by the node), for /metrics. */
  raftStatus: () => RaftStatus | null = () => null;
  /** Group-level settings for the coordinators: a group's GROUP config override, else the broker's group.* value. */
  readonly groupConfigs: GroupConfigs;
  private quotaManagers: QuotaManagers | null = null;

  /** Client quotas' rates (src/quota/quota-managers.ts), made on first use. */
  get quotas(): QuotaManagers {
    return (this.quotaManagers ??= QuotaManagers.fromConfig(this.config));
  }
  /** Injected faults and request/response hooks (issue #19), consulted before each handler of every client listener. */
  readonly faults = new FaultRegistry({ apis: HANDLERS, topicName: (id) => this.metadata.image.topics.getById(id)?.name });
  /** Set by startCluster() on its nodes: the cluster faults their HTTP port offers. */
  clusterControl: ClusterControl | null = null;

  constructor(readonly options: BrokerOptions) {
    this.config = new BrokerConfig(options.config ?? {});
    this.nodeId = this.config.number(this.config.explicit('node.id') !== undefined ? 'node.id' : 'broker.id');
    const dataDir = options.memory ? null : (options.logDirs?.[0] ?? options.dataDir ?? './samsa-data');
    this.logDir = dataDir === null ? null : path.resolve(dataDir);
    // Log dir moves copy at most replica.alter.log.dirs.io.max.bytes.per.second (a dynamic config).
    const moveRate = () => this.metadata.dynamicConfig.current(this.metadata.image).number('replica.alter.log.dirs.io.max.bytes.per.second');
    this.storage = dataDir ? new FileStorageEngine(options.logDirs?.length ? options.logDirs : dataDir, undefined, { logDirMoveBytesPerSecond: moveRate, ...options.storage }) : new MemoryStorageEngine();
    this.metadata = new MetadataManager({
      storage: this.storage,
      dataDir,
      config: this.config,
      staticOverrides: options.config ?? {},
      nodeId: this.nodeId,
      cluster: options.cluster,
    });
    this.groupConfigs = new GroupConfigs({
      overrides: (groupId) => this.metadata.image.configs.get(GROUP_RESOURCE_TYPE, groupId),
      broker: () => this.metadata.dynamicConfig.current(this.metadata.image),
    });
    this.groups = new GroupCoordinator(this);
    this.transactions = new TransactionCoordinator(
      {
        config: this.config,
        nodeId: this.nodeId,
        topics: { get: (name) => this.topics.get(name) },
        partitionLog: (topic, partition) => this.partitionLog(topic, partition),
        createTopic: (name, partitions, configs, rf) => this.createTopic(name, partitions, configs, rf),
        allocateProducerId: () => this.controller.allocateProducerId(),
        transactionVersion: () => this.image.features.finalized.get('transaction.version') ?? 0,
      },
      // Markers go through txnMarkers (constructed next): local appends, WriteTxnMarkers to other leaders.
      { write: (req) => this.txnMarkers.write(req) },
    );
    this.txnMarkers = new TxnMarkerChannel({
      nodeId: this.nodeId,
      local: brokerMarkerHost(this),
      leaderOf: (topic, partition) => this.metadata.image.topics.get(topic)?.registrations.get(partition)?.leader ?? null,
    });
    this.txnVerifier = new TxnVerifier({
      nodeId: this.nodeId,
      enabled: () => this.config.bool('transaction.partition.verification.enable'),
      coordinatorId: (id) => this.transactions.coordinatorId(id),
      verifyOrAdd: (id, producerId, producerEpoch, partitions, add) => this.transactions.verifyOrAdd(id, producerId, producerEpoch, partitions, add),
    });
    this.shareCoordinator = new ShareCoordinator({
      config: this.config,
      nodeId: this.nodeId,
      topics: { get: (name) => this.topics.get(name) },
      partitionLog: (topic, partition) => this.partitionLog(topic, partition),
      createTopic: (name, partitions, configs, rf) => this.createTopic(name, partitions, configs, rf),
      partitionCount: (topicId) => this.topics.getById(topicId)?.partitions,
    });
    this.sharePersister = new SharePersister({ nodeId: this.nodeId, coordinator: this.shareCoordinator });
    // Share groups initialize and delete share-partition state through the same Persister.
    this.groups.share.persister = options.sharePersister ?? this.sharePersister;
    this.groups.share.settings = this.groupConfigs;
    this.shares = new SharePartitionManager({
      persister: () => options.sharePersister ?? this.sharePersister,
      settings: (groupId) => groupShareSettings(this.groupConfigs, groupId),
      maxSessions: () => this.config.number('group.share.max.share.sessions'),
      now: Date.now,
      scheduler: { setTimeout: (fn, ms) => setTimeout(fn, ms).unref(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
      logError: (m) => log.error(m),
    });
    // Transactional offset commits are verified (TV2: their partition added) the same way.
    this.groups.txnVerifier = this.txnVerifier;
    this.cleaner = new LogCleaner(this.storage, {
      compaction: this.config.bool('log.cleaner.enable'),
      retentionCheckIntervalMs: this.config.number('log.retention.check.interval.ms'),
      backoffMs: this.config.number('log.cleaner.backoff.ms'),
      dedupeBufferSize: this.config.number('log.cleaner.dedupe.buffer.size'),
    });
  }

  get clusterId(): string {
    return this.metadata.image.clusterId;
  }

  /** Topics by name and id, from the current metadata image. */
  get topics(): TopicsImage {
    return this.metadata.image.topics;
  }

  /** The file engine's log dirs; null for the memory engine. */
  get logDirs(): LogDirsView | null {
    return this.storage instanceof FileStorageEngine ? this.storage : null;
  }

  private authorizers: AuthorizerCache | null = null;

  /** The StandardAuthorizer over the current ACLs; null without authorizer.class.name. */
  get authorizer(): StandardAuthorizer | null {
    return (this.authorizers ??= new AuthorizerCache((n) => this.config.get(n))).current(this.metadata.image.acls);
  }

  /** The current metadata image. */
  get image(): MetadataImage {
    return this.metadata.image;
  }

  get metadataLog(): MetadataLog {
    return this.metadata.metadataLog;
  }

  get describer(): ConfigDescriber {
    return this.metadata.describer;
  }

  get controller(): ControllerOperations {
    return this.options.remoteController?.operations ?? this.metadata.controller;
  }

  get advertisedHost(): string {
    return this.advertised.host;
  }

  get advertisedPort(): number {
    return this.advertised.port;
  }

  /** The advertised endpoint of the listener named (a request's own listener), else the first one's. */
  advertisedEndpointOf(listenerName: string): { host: string; port: number } {
    return this.endpoints.find((e) => e.name === listenerName) ?? this.advertised;
  }

  /** Every listener's advertised endpoint (bound ports filled in), once started. */
  get advertisedEndpoints(): readonly { name: string; host: string; port: number }[] {
    return this.endpoints;
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.logDir !== null) await fsp.mkdir(this.logDir, { recursive: true });
    await this.storage.open();
    // Replays the metadata log; creates missing partition logs and removes ones no topic owns.
    await this.metadata.start();
    // Loads __consumer_offsets in the background if it exists; the first group request creates it.
    await this.groups.start();
    // Loads __transaction_state likewise (transactions left prepared are completed).
    await this.transactions.start();
    // Loads __share_group_state likewise.
    await this.shareCoordinator.start();
    this.cleaner.start();
    const o = this.options;
    const host = o.host ?? '127.0.0.1';
    const listeners = o.listeners ?? [
      { name: DEFAULT_LISTENER_NAME, host, port: o.port ?? 9092, advertisedHost: o.advertisedHost, advertisedPort: o.advertisedPort },
    ];
    if (listeners.length === 0) throw new Error('a broker needs at least one listener');
    const bound: { host: string; port: number }[] = [];
    for (const l of listeners) {
      const server = this.listener(l.name, l.securityProtocol);
      this.servers.push(server);
      const port = await server.listen(l.host, l.port);
      bound.push({ host: l.host, port });
      this.endpoints.push({ name: l.name, host: l.advertisedHost ?? l.host, port: l.advertisedPort ?? port });
    }
    this.advertised = { host: this.endpoints[0].host, port: this.endpoints[0].port };
    if (!o.cluster) await this.metadata.controller.registerBroker(this.advertised.host, this.advertised.port, null, [this.metadata.directoryId]);
    await this.startHttp(listeners[0].host || '0.0.0.0');
    return bound[0];
  }

  /** The HTTP server on samsa.http.port (or options.httpPort), on samsa.http.host, else the first listener's host. */
  private async startHttp(host: string): Promise<void> {
    const configured = this.config.get('samsa.http.port');
    const port = this.options.httpPort ?? (configured === null ? null : Number(configured));
    if (port === null) return;
    const server = new HttpServer();
    registerRoutes(server, this.httpContext());
    this.http = server;
    // samsa.http.host binds the port elsewhere than the Kafka listeners (e.g. loopback only).
    const bindHost = this.config.get('samsa.http.host') || host;
    this.httpPort = (await server.listen(port, bindHost)).port;
    this.httpHost = bindHost;
  }

  /** What the HTTP routes see of this broker (src/http/context.ts). */
  private httpContext(): HttpContext {
    return {
      nodeId: this.nodeId,
      config: this.config,
      image: () => this.metadata.image,
      metrics: this.metrics,
      activeController: () => this.activeController(),
      raftStatus: () => this.raftStatus(),
      minInsyncReplicas: (topic) => this.logConfig({ name: topic }).minInsyncReplicas,
      partitionOffsets: (topic, partition) => {
        const log = this.partitionLog(topic, partition);
        return log ? { logStartOffset: log.logStartOffset, highWatermark: log.highWatermark } : null;
      },
      committedOffsets: () => committedOffsets(this.groups),
      faults: this.faults,
      cluster: () => this.clusterControl,
      authorizer: () => this.authorizer,
      listeners: () => (this.options.listeners ?? []).map((l) => ({ name: l.name, securityProtocol: l.securityProtocol ?? 'PLAINTEXT' })),
      console: {
        partitionLog: (topic, partition) => this.partitionLog(topic, partition),
        // The APIs clients reach on the first listener, without injected faults.
        request: inProcessRequests(this, () => this.options.remoteController?.registry(HANDLERS) ?? HANDLERS, () => this.endpoints[0]?.name ?? DEFAULT_LISTENER_NAME),
        clientMetrics: () => clientTelemetry(this).latest(),
        nodeId: this.nodeId,
        brokerIds: () => [...this.metadata.image.cluster.brokers.values()].filter((b) => !b.fenced).map((b) => b.id),
        requestTo: (id, apiKey, version, body) => this.consoleRemote?.(id, apiKey, version, body) ?? Promise.reject(new Error(`broker ${id} is not reachable from this node`)),
      },
    };
  }

  /**
   * Stops the broker. With `drainMs` > 0 (the CLI's SIGTERM), stops accepting and reading first
   * and waits up to that long for the responses to requests already being handled.
   */
  async close(opts: { drainMs?: number } = {}): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close(opts.drainMs ?? 0)));
    this.servers = [];
    await this.http?.close();
    this.http = null;
    this.txnMarkers.close();
    this.shares.close();
    await this.groups.close();
    await this.transactions.close();
    this.sharePersister.close();
    await this.shareCoordinator.close();
    await this.cleaner.stop();
    await this.metadata.close();
    await this.storage.close();
  }

  /** A listener serving the broker's APIs to clients (its handlers see this broker as their context). */
  listener(listenerName: string, securityProtocol: SecurityProtocol = 'PLAINTEXT'): Server<RequestContext> {
    const credentials = imageCredentialStore(() => this.metadata.image, () => delegationTokenSecretKey((n) => this.config.get(n)));
    const security = (config: BrokerConfig) => listenerSecurity((name) => config.get(name), listenerName, securityProtocol, credentials);
    return new Server<RequestContext>({
      listenerName,
      security: security(this.config),
      // Key stores, trust stores and JAAS configs altered per broker apply to new connections.
      reloadSecurity: securityProtocol === 'PLAINTEXT' ? undefined : { fingerprint: (config) => securityFingerprint((n) => config.get(n), listenerName), build: security },
      registry: this.faults.wrap(this.options.remoteController?.registry(HANDLERS) ?? HANDLERS),
      context: (info: RequestInfo): RequestContext => ({ ...info, broker: this }),
      observer: this.metrics.requests,
      config: this.config,
      currentConfig: () => this.metadata.dynamicConfig.current(this.metadata.image),
      connectionThrottleMs: (ip) => this.quotas.connections.throttleMs(this.metadata.image, ip, Date.now()),
      creationRate: this.creationRate(listenerName),
    });
  }

  /** The listener's side of max.connection.creation.rate; the inter-broker one of several listeners is exempt from the broker-wide rate, as Kafka's. */
  private creationRate(listenerName: string): ServerOptions<RequestContext>['creationRate'] {
    const interBroker = this.config.get('inter.broker.listener.name') ?? 'PLAINTEXT';
    const protectedListener = listenerName === interBroker && (this.options.listeners?.length ?? 1) > 1;
    const rate = this.quotas.connectionCreation;
    return {
      throttleMs: () => rate.throttleMs(this.metadata.dynamicConfig.current(this.metadata.image), listenerName, protectedListener, Date.now()),
      unrecord: () => rate.unrecord(listenerName, protectedListener, Date.now()),
    };
  }

  /** The topic's effective settings: its overrides over the (dynamic, then static) broker defaults. */
  logConfig(topic: { name: string }): LogConfig {
    return this.metadata.dynamicConfig.logConfig(this.metadata.image, topic.name);
  }

  partitionLog(topic: string, partition: number): PartitionLog | undefined {
    return this.storage.get(topic, partition);
  }

  /** Creates a topic and its logs, or returns the existing one (the controller runs one change at a time). */
  createTopic(name: string, partitions: number, configs: Record<string, string>, replicationFactor?: number): Promise<TopicInfo> {
    return (this.options.remoteController?.operations ?? this.metadata.controller).createTopic(name, partitions, configs, replicationFactor);
  }
}
