// A samsa node of a KRaft cluster (process.roles set), composed of its roles as Kafka's
// KafkaRaftServer composes them. Shared: the formatted dirs, the metadata log with its loader and
// publishers, one NodeClient, and the raft driver (a voter on a controller, an observer on a
// broker-only node) whose commits the loader replays. Controller role: the controller, active
// while this node leads the quorum, and the controller listeners. Broker role: the existing Broker
// (storage, groups, broker listeners) in cluster mode and its lifecycle manager. A lone node (no
// process.roles) never comes here: it stays startBroker's single Broker.
import path from 'node:path';
import { Broker, type BrokerListener } from '../broker.js';
import { BrokerConfig } from '../config.js';
import { ControllerActivation } from '../controller/activation.js';
import type { MetadataProposer } from '../controller/raft-committer.js';
import { ControllerBrokerContext } from '../controller/controller-broker-context.js';
import { ControllerRegistrationManager } from '../controller/controller-registration-manager.js';
import { CONTROLLER_HANDLERS, type ControllerListenerContext } from '../handlers/controller/registry.js';
import { ForwardingManager } from '../network/forwarding.js';
import { log } from '../log.js';
import { apiVersionsFeatures } from '../metadata/features.js';
import type { MetadataPublisher } from '../metadata/loader.js';
import { MetadataManager } from '../metadata/manager.js';
import { METADATA_TOPIC } from '../metadata/metadata-log.js';
import { isInternalTopic } from '../metadata/topic-name.js';
import { encodeMetadataRecord, type MetadataRecord } from '../metadata/records.js';
import type { Controller } from '../metadata/controller.js';
import type { RequestInfo } from '../network/api.js';
import { NodeClient } from '../network/node-client.js';
import { remoteRequests } from '../http/console/remote.js';
import type { NodeFaults } from '../network/node-faults.js';
import { Server } from '../network/server.js';
import { clientSecurity, listenerSecurity } from '../security/listener-security.js';
import { delegationTokenSecretKey, imageCredentialStore } from '../security/image-credentials.js';
import { RaftDriver } from '../raft/driver.js';
import { AlterPartitionRequest } from '../protocol/generated/alter-partition-request.js';
import { AlterPartitionResponse } from '../protocol/generated/alter-partition-response.js';
import { WriteTxnMarkersRequest } from '../protocol/generated/write-txn-markers-request.js';
import { WriteTxnMarkersResponse } from '../protocol/generated/write-txn-markers-response.js';
import { WRITE_TXN_MARKERS_VERSION } from '../coordinator/transaction/marker-channel.js';
import { AddPartitionsToTxnRequest } from '../protocol/generated/add-partitions-to-txn-request.js';
import { AddPartitionsToTxnResponse } from '../protocol/generated/add-partitions-to-txn-response.js';
import { ADD_PARTITIONS_TO_TXN_VERSION } from '../coordinator/transaction/produce-verification.js';
import { ReplicaManager } from '../replica/replica-manager.js';
import type { RaftStatus } from '../raft/messages.js';
import { FileStorageEngine } from '../storage/file-engine.js';
import { DirectoryAssignments } from './directory-assignments.js';
import { AssignReplicasToDirsRequest } from '../protocol/generated/assign-replicas-to-dirs-request.js';
import { AssignReplicasToDirsResponse } from '../protocol/generated/assign-replicas-to-dirs-response.js';
import type { StorageEngine } from '../storage/types.js';
import { BrokerLifecycleManager } from './broker-lifecycle.js';
import { resolveNodeConfig, type NodeConfig } from './config.js';
import { ControllerChannel } from './controller-channel.js';
import { withForwarding } from './forwarded-apis.js';
import { RemoteController } from './remote-controller.js';
import { ensureFormatted, readBootstrapQuorum, type BootstrapQuorum } from './format.js';
import type { VotersRecord } from '../protocol/generated/voters-record.js';
import { MetadataLogCleaner } from './metadata-log-cleaner.js';
import { FaultRegistry } from '../faults/registry.js';
import type { ClusterControl } from '../faults/cluster-control.js';
import { HttpServer } from '../http/server.js';
import { registerControllerRoutes } from '../http/controller-routes.js';

export interface NodeOptions {
  /** The node's Kafka properties (server.properties merged with --config). */
  properties: Record<string, string>;
  /** The cluster id unformatted dirs are formatted with (formatted dirs must already carry it). */
  clusterId?: string;
  /** The fault layer of an in-process cluster's inter-node connections (tests). */
  faults?: NodeFaults;
  /** Extra metadata publishers, installed before the first image (tests watch every image). */
  publishers?: MetadataPublisher[];
  /**
   * A fatal fault (the raft driver stopped after a failed disk step): Kafka exits the process. By
   * default the node logs it and stops as if killed; the CLI may exit instead.
   */
  onFatal?: (e: Error) => void;
}

/** Kafka's SecurityProtocol ids, as BrokerRegistration carries them. */
const SECURITY_PROTOCOL_IDS: Record<string, number> = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 };

/** AlterPartition as Kafka 4.4's brokers send it (ISR members with their broker epochs, KIP-903). */
const ALTER_PARTITION_VERSION = 3;

/** How long a forwarded admin request or the broker's own controller request may take (Kafka's request.timeout.ms). */
const CONTROLLER_REQUEST_TIMEOUT_MS = 30_000;

/** The controller's view of the raft driver: proposals as encoded metadata records. */
function proposerOf(raft: RaftDriver): MetadataProposer {
  return {
    isLeader: (epoch) => {
      const s = raft.status();
      return s.role === 'Leader' && s.epoch === epoch;
    },
    endOffset: () => raft.status().endOffset,
    propose: (records: MetadataRecord[]) => raft.propose(records.map(encodeMetadataRecord)),
  };
}

export class Node {
  readonly config: NodeConfig;
  readonly nodeId: number;
  private _broker: Broker | null = null;
  private _metadata: MetadataManager | null = null;
  /** A controller-only node's storage (a broker's lives in its Broker). */
  private ownStorage: StorageEngine | null = null;
  /** The raft driver's client. */
  private client: NodeClient | null = null;
  private readonly clients: NodeClient[] = [];
  /** The replica fetchers' connections to partition leaders (apart from the quorum's). */
  private replicaClient: NodeClient | null = null;
  private replicaManager: ReplicaManager | null = null;
  private raft: RaftDriver | null = null;
  private controller: Controller | null = null;
  private activation: ControllerActivation | null = null;
  private controllerServers: Server<ControllerListenerContext>[] = [];
  private channel: ControllerChannel | null = null;
  private adminChannel: ControllerChannel | null = null;
  private lifecycle: BrokerLifecycleManager | null = null;
  /** A broker with several log dirs: tells the controller which dir holds each replica (KIP-858). */
  private directoryAssignments: DirectoryAssignments | null = null;
  private registration: ControllerRegistrationManager | null = null;
  private clusterId = '';
  /** Faults and hooks of the controller listeners (a controller-only node's /api/faults). */
  controllerFaults: FaultRegistry | null = null;
  /** What the controller listeners' admin APIs run against (their authorizer too). */
  private adminContext: ControllerBrokerContext | null = null;
  /** A controller-only node's HTTP port (samsa.http.port); a broker's is the Broker's. */
  private controllerHttp: { server: HttpServer; host: string; port: number } | null = null;
  /** Set by startCluster(): what /api/cluster on a controller-only node's HTTP port offers. */
  clusterControl: ClusterControl | null = null;

  constructor(readonly options: NodeOptions) {
    this.config = resolveNodeConfig(options.properties);
    this.nodeId = this.config.nodeId;
  }

  get isBroker(): boolean {
    return this.config.roles.includes('broker');
  }

  get isController(): boolean {
    return this.config.roles.includes('controller');
  }

  /** The broker role (null on a controller-only node). */
  get broker(): Broker | null {
    return this._broker;
  }

  /** The metadata log, its loader's image and (on a controller) the controller. */
  get metadata(): MetadataManager {
    if (!this._metadata) throw new Error('the node is not started');
    return this._metadata;
  }

  /** This node's quorum view; null before start. */
  raftStatus(): RaftStatus | null {
    return this.raft?.status() ?? null;
  }

  /** The HTTP port bound (samsa.http.port): the broker's, or a controller-only node's own; null without one. */
  get httpPort(): number | null {
    return this._broker ? this._broker.httpPort : (this.controllerHttp?.port ?? null);
  }

  get httpHost(): string | null {
    return this._broker ? this._broker.httpHost : (this.controllerHttp?.host ?? null);
  }

  /** The broker role's lifecycle state (Kafka's BrokerState); null on a controller-only node. */
  get brokerState(): string | null {
    return this.lifecycle?.state ?? null;
  }

  async start(): Promise<void> {
    const c = this.config;
    const props = this.options.properties;
    const formatted = await ensureFormatted(c, this.options.clusterId);
    this.clusterId = formatted.clusterId;
    const metadataDir = path.resolve(c.metadataLogDir);
    // A dynamic quorum (KIP-853) starts from the voter set the bootstrap checkpoint names.
    const bootstrapQuorum = c.voters.length > 0 ? null : await readBootstrapQuorum(metadataDir);
    const quorumVoters = c.voters.length > 0 ? c.voters : (bootstrapQuorum?.voters?.voters ?? []);

    // Inter-node clients, one per purpose as Kafka's channel managers each have their own network
    // client: a request that times out closes its connection and fails everything in flight on it,
    // so a late raft Fetch must not take a forwarded CreateTopics (or a heartbeat) down with it.
    const q = c.quorum;
    // TLS and SASL towards the controllers' and the other brokers' listeners, when those are secured.
    const settings = new BrokerConfig(props);
    const setting = (name: string) => settings.get(name);
    const controllerName = c.controllerListenerNames[0];
    const controllerSecurity = clientSecurity(setting, controllerName, c.securityProtocolMap.get(controllerName) ?? 'PLAINTEXT', setting('sasl.mechanism.controller.protocol') ?? 'GSSAPI');
    const interBroker = clientSecurity(setting, c.interBrokerListenerName, c.interBrokerSecurityProtocol, setting('sasl.mechanism.inter.broker.protocol') ?? 'GSSAPI');
    const newClient = (purpose: string) => {
      const client = new NodeClient({ nodeId: this.nodeId, clientId: `samsa-${purpose}-${this.nodeId}`, requestTimeoutMs: q.requestTimeoutMs, faults: this.options.faults, security: controllerSecurity });
      for (const v of quorumVoters) client.setEndpoint(v.id, { host: v.host, port: v.port });
      this.clients.push(client);
      return client;
    };
    this.client = newClient('raft');
    const lifecycleClient = newClient('heartbeat');
    const adminClient = newClient('forwarding');
    // The broker role's line to whichever controller is active (the raft driver, started below, says which).
    const activeController = () => {
      const leader = this.raft?.leader();
      const leaderId = leader?.leaderId ?? -1;
      // An observer of a dynamic quorum learns the leader's endpoint only from the quorum's answers.
      if (leaderId >= 0 && leader?.endpoint) for (const cl of [lifecycleClient, adminClient]) cl.setEndpoint(leaderId, { host: leader.endpoint.host, port: leader.endpoint.port });
      return leaderId >= 0 ? leaderId : null;
    };
    // Registration and heartbeats time out at the quorum's request timeout; forwarded admin
    // requests and the broker's own topic/producer-id requests wait for their commit up to Kafka's
    // request.timeout.ms (a shorter wait would retry a CreateTopics that already committed).
    const channel = new ControllerChannel({ client: lifecycleClient, activeController, requestTimeoutMs: q.requestTimeoutMs });
    const adminChannel = new ControllerChannel({ client: adminClient, activeController, requestTimeoutMs: CONTROLLER_REQUEST_TIMEOUT_MS });
    this.channel = channel;
    this.adminChannel = adminChannel;

    // The metadata side: the Broker's own on a broker, else a storage engine of the metadata dir.
    let metadata: MetadataManager;
    if (this.isBroker) {
      if (path.resolve(c.logDirs[0]) !== metadataDir) throw new Error('metadata.log.dir other than the first log dir is not supported yet');
      const remote = new RemoteController({
        channel: adminChannel,
        nodeId: this.nodeId,
        brokerEpoch: () => this.lifecycle?.brokerEpoch ?? -1,
        image: () => this._metadata!.image,
        timeoutMs: CONTROLLER_REQUEST_TIMEOUT_MS,
      });
      const broker = new Broker({
        dataDir: c.logDirs[0],
        logDirs: c.logDirs,
        config: props,
        cluster: true,
        listeners: this.brokerListeners(),
        // The raft driver sets the metadata log's high watermark, the replica layer every other's
        // (the group and transaction coordinators follow their topics' partition leadership).
        storage: { replicated: (topic) => topic === '__consumer_offsets' || topic === '__transaction_state' || topic === '__share_group_state' || !isInternalTopic(topic) },
        // Admin requests are forwarded to the active controller; auto-created topics and producer
        // id blocks are asked of it (Kafka's ForwardingManager, AutoTopicCreationManager, RPCProducerIdManager).
        remoteController: {
          operations: remote,
          registry: (base) => withForwarding(base, new ForwardingManager({ channel: adminChannel, timeoutMs: CONTROLLER_REQUEST_TIMEOUT_MS, retryBackoffMs: q.retryBackoffMs }), this.nodeId),
        },
      });
      this._broker = broker;
      // Its /metrics report the controller gauges while this node is the active controller.
      broker.activeController = () => this.isController && this.raftStatus()?.role === 'Leader';
      broker.raftStatus = () => this.raftStatus();
      // The replica layer follows the image from its first one (after the storage publisher made the logs).
      this.replicaClient = new NodeClient({ nodeId: this.nodeId, requestTimeoutMs: q.requestTimeoutMs, faults: this.options.faults, security: interBroker });
      const replicas = new ReplicaManager({
        nodeId: this.nodeId,
        storage: broker.storage,
        config: broker.config,
        dynamicConfig: broker.metadata.dynamicConfig,
        client: this.replicaClient,
        interBrokerListenerName: c.interBrokerListenerName,
        brokerEpoch: () => this.lifecycle?.brokerEpoch ?? -1,
        alterPartition: (req) => channel.send(AlterPartitionRequest, AlterPartitionResponse, ALTER_PARTITION_VERSION, req),
      });
      this.replicaManager = replicas;
      broker.replicas = replicas;
      // A log moved between log dirs (AlterReplicaLogDirs) keeps its replica state.
      if (broker.storage instanceof FileStorageEngine) broker.storage.onLogReplaced((topic, partition) => replicas.logReplaced(topic, partition));
      broker.groups.followLeadership(replicas);
      broker.transactions.followLeadership(replicas);
      broker.shareCoordinator.followLeadership(replicas);
      broker.shares.followLeadership(replicas, (topic) => broker.topics.get(topic)?.topicId);
      // Share-partition state led elsewhere: the 83-87 requests to that broker on a client of their own.
      const shareStateClient = new NodeClient({ nodeId: this.nodeId, clientId: `samsa-share-state-${this.nodeId}`, requestTimeoutMs: q.requestTimeoutMs, faults: this.options.faults, security: interBroker });
      this.clients.push(shareStateClient);
      broker.sharePersister.useRemote((id, request, response, version, req) => {
        const e = replicas.endpoint(id, c.interBrokerListenerName);
        if (!e) return Promise.reject(new Error(`no ${c.interBrokerListenerName} endpoint known for broker ${id}`));
        shareStateClient.setEndpoint(id, { host: e.host, port: e.port });
        return shareStateClient.send(id, request, response, version, req, broker.config.number('request.timeout.ms'));
      });
      // Transaction markers for partitions led elsewhere: WriteTxnMarkers to their leader on a client of their own.
      const markerClient = new NodeClient({ nodeId: this.nodeId, clientId: `samsa-txn-markers-${this.nodeId}`, requestTimeoutMs: q.requestTimeoutMs, faults: this.options.faults, security: interBroker });
      this.clients.push(markerClient);
      broker.txnMarkers.useRemote((id, req) => {
        const e = replicas.endpoint(id, c.interBrokerListenerName);
        if (!e) return Promise.reject(new Error(`no ${c.interBrokerListenerName} endpoint known for broker ${id}`));
        markerClient.setEndpoint(id, { host: e.host, port: e.port });
        return markerClient.send(id, WriteTxnMarkersRequest, WriteTxnMarkersResponse, WRITE_TXN_MARKERS_VERSION, req, broker.config.number('request.timeout.ms'));
      });
      // Produce's transaction verification asks the coordinator's broker (Kafka's AddPartitionsToTxnManager has its own client too).
      const verifyClient = new NodeClient({ nodeId: this.nodeId, clientId: `samsa-txn-verify-${this.nodeId}`, requestTimeoutMs: q.requestTimeoutMs, faults: this.options.faults, security: interBroker });
      this.clients.push(verifyClient);
      broker.txnVerifier.useRemote((id, req) => {
        const e = replicas.endpoint(id, c.interBrokerListenerName);
        if (!e) return Promise.reject(new Error(`no ${c.interBrokerListenerName} endpoint known for broker ${id}`));
        verifyClient.setEndpoint(id, { host: e.host, port: e.port });
        return verifyClient.send(id, AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, ADD_PARTITIONS_TO_TXN_VERSION, req, broker.config.number('request.timeout.ms'));
      });
      // The web console's requests to other brokers (produce to a leader, groups at their coordinator).
      const consoleClient = new NodeClient({ nodeId: this.nodeId, clientId: `samsa-console-${this.nodeId}`, requestTimeoutMs: q.requestTimeoutMs, faults: this.options.faults, security: interBroker });
      this.clients.push(consoleClient);
      broker.consoleRemote = remoteRequests(consoleClient, (id) => replicas.endpoint(id, c.interBrokerListenerName), () => broker.config.number('request.timeout.ms'));
      broker.metadata.installPublisher(replicas);
      metadata = broker.metadata;
      metadata.installPublisher(remote);
    } else {
      this.ownStorage = new FileStorageEngine(metadataDir, undefined, { replicated: true });
      metadata = new MetadataManager({ storage: this.ownStorage, dataDir: metadataDir, config: new BrokerConfig(props), staticOverrides: props, nodeId: this.nodeId, cluster: true });
    }
    this._metadata = metadata;
    for (const p of this.options.publishers ?? []) metadata.installPublisher(p);
    if (this._broker) {
      await this._broker.start();
    } else {
      await this.ownStorage!.open();
      await metadata.start();
    }

    // The quorum: a voter on a controller, an observer elsewhere; its commits are replayed here.
    const controllerListenerName = c.controllerListenerNames[0];
    const voters = new Map(quorumVoters.map((v) => [v.id, { name: controllerListenerName, host: v.host, port: v.port }]));
    const raft = await RaftDriver.start({
      nodeId: this.nodeId,
      clusterId: this.clusterId,
      voters,
      bootstrapServers: c.voters.length === 0 ? c.bootstrapServers : [],
      votersRecord: bootstrapQuorum && bootstrapQuorum.kraftVersion >= 1 ? votersRecordOf(bootstrapQuorum) : undefined,
      log: metadata.metadataLog.log,
      dir: path.join(metadataDir, `${METADATA_TOPIC}-0`),
      client: this.client,
      fetchMaxBytes: q.fetchMaxBytes,
      core: {
        electionTimeoutMs: q.electionTimeoutMs,
        fetchTimeoutMs: q.fetchTimeoutMs,
        electionBackoffMaxMs: q.electionBackoffMaxMs,
        requestTimeoutMs: q.requestTimeoutMs,
        retryBackoffMs: q.retryBackoffMs,
        fetchSnapshotMaxBytes: q.fetchSnapshotMaxBytes,
      },
    });
    this.raft = raft;
    raft.onFailure((e) => {
      log.error(`node ${this.nodeId}: the metadata quorum stopped: ${e.message}; stopping the node`);
      if (this.options.onFatal) this.options.onFatal(e);
      else void this.kill().catch(() => undefined);
    });
    raft.onCommit((hw) => {
      metadata.applyCommitted(hw).catch((e) => log.error(`replaying the metadata log up to ${hw} failed: ${(e as Error).message}`));
    });
    // A snapshot fetched from the leader (this log fell behind its start) becomes the image.
    raft.onSnapshotInstalled((id) => {
      metadata.installSnapshot(id).catch((e) => log.error(`loading the metadata snapshot at ${id.offset} failed: ${(e as Error).message}`));
    });
    // Snapshots of the committed image tell the quorum (followers behind the log start fetch them),
    // and the log below them goes by Kafka's metadata retention.
    const staticConfig = metadata.dynamicConfig.staticConfig;
    const cleaner = new MetadataLogCleaner({
      retentionBytes: staticConfig.number('metadata.max.retention.bytes'),
      retentionMs: staticConfig.number('metadata.max.retention.ms'),
      deleteBefore: (offset) => raft.deleteLogBefore(offset),
    });
    metadata.installPublisher(cleaner);
    if (metadata.snapshots) {
      metadata.snapshots.onSnapshotWritten = (id) => {
        raft.snapshotCreated(id);
        cleaner.snapshotWritten(id);
      };
    }

    if (this.isController) await this.startControllerRole(raft, metadata);
    if (!this.isBroker) await this.startControllerHttp(raft, metadata);
    raft.onStateChange(() => {
      channel.controllerChanged();
      adminChannel.controllerChanged();
    });
    if (this.isBroker) {
      this.startBrokerRole(metadata, formatted.directoryIds);
      // As Kafka's broker start-up: done once the controller has unfenced it.
      await this.lifecycle!.initialUnfence;
    }
  }

  private brokerListeners(): BrokerListener[] {
    const c = this.config;
    return c.brokerListeners.map((l) => {
      const adv = c.advertisedListeners.find((a) => a.listenerName === l.listenerName);
      return { name: l.listenerName, host: l.host || '0.0.0.0', port: l.port, advertisedHost: adv?.host, advertisedPort: adv?.port, securityProtocol: l.securityProtocol };
    });
  }

  private async startControllerRole(raft: RaftDriver, metadata: MetadataManager): Promise<void> {
    const faults = new FaultRegistry({ apis: CONTROLLER_HANDLERS, topicName: (id) => metadata.image.topics.getById(id)?.name });
    this.controllerFaults = faults;
    const controller = metadata.installController(null);
    this.controller = controller;
    const activation = new ControllerActivation(this.nodeId, controller, proposerOf(raft), metadata);
    this.activation = activation;
    const onState = (s: RaftStatus) => activation.onLeaderChange({ leaderId: s.leaderId, epoch: s.epoch, epochStartOffset: s.epochStartOffset, resigned: s.role === 'Resigned' });
    raft.onStateChange(onState);
    onState(raft.status());
    // Announces this controller's listeners to the active controller (DescribeCluster on a
    // controller listener lists the registered ones: how --bootstrap-controller finds them).
    const securityProtocol = (name: string) => SECURITY_PROTOCOL_IDS[this.config.securityProtocolMap.get(name) ?? 'PLAINTEXT'] ?? 0;
    const registration = new ControllerRegistrationManager({
      nodeId: this.nodeId,
      listeners: this.config.advertisedControllerListeners.map((e) => ({ name: e.listenerName, host: e.host, port: e.port, securityProtocol: securityProtocol(e.listenerName) })),
      channel: this.channel!,
    });
    this.registration = registration;
    metadata.installPublisher(registration);
    // The admin APIs on the controller listener run against the controller's own metadata.
    const endpoint = this.config.advertisedControllerListeners[0] ?? this.config.controllerListeners[0];
    const adminContext = new ControllerBrokerContext(metadata, this.nodeId, metadata.dynamicConfig.staticConfig, () => ({ host: endpoint.host, port: endpoint.port }));
    this.adminContext = adminContext;
    for (const l of this.config.controllerListeners) {
      const server = new Server<ControllerListenerContext>({
        listenerName: l.listenerName,
        security: listenerSecurity((name) => metadata.dynamicConfig.staticConfig.get(name), l.listenerName, l.securityProtocol, imageCredentialStore(() => metadata.image, () => delegationTokenSecretKey((n) => metadata.dynamicConfig.staticConfig.get(n)))),
        registry: faults.wrap(CONTROLLER_HANDLERS),
        context: (info: RequestInfo): ControllerListenerContext => ({
          ...info,
          raft,
          apiVersionsFeatures: (v: number) => apiVersionsFeatures(metadata.image, v),
          broker: adminContext,
          clusterControl: controller,
          activeControllerId: () => raft.leader().leaderId,
        }),
        config: metadata.dynamicConfig.staticConfig,
        currentConfig: () => metadata.dynamicConfig.current(metadata.image),
        // max.connection.creation.rate: the controller's listeners have rates of their own, as Kafka's controller SocketServer.
        creationRate: {
          throttleMs: () => adminContext.quotas.connectionCreation.throttleMs(metadata.dynamicConfig.current(metadata.image), l.listenerName, false, Date.now()),
          unrecord: () => adminContext.quotas.connectionCreation.unrecord(l.listenerName, false, Date.now()),
        },
      });
      this.controllerServers.push(server);
      await server.listen(l.host || '0.0.0.0', l.port);
    }
  }

  /** A controller-only node's HTTP port: /metrics, /api/faults (src/http/controller-routes.ts). */
  private async startControllerHttp(raft: RaftDriver, metadata: MetadataManager): Promise<void> {
    const config = metadata.dynamicConfig.staticConfig;
    const configured = config.get('samsa.http.port');
    if (configured === null || configured === undefined) return;
    const server = new HttpServer();
    const admin = this.adminContext!;
    registerControllerRoutes(server, {
      nodeId: this.nodeId,
      config,
      authorizer: () => admin.authorizer,
      listeners: () => this.config.controllerListeners.map((l) => ({ name: l.listenerName, securityProtocol: l.securityProtocol })),
      image: () => metadata.image,
      activeController: () => raft.status().role === 'Leader',
      raftStatus: () => raft.status(),
      faults: this.controllerFaults!,
      cluster: () => this.clusterControl,
    });
    const host = this.config.controllerListeners[0]?.host || '0.0.0.0';
    const { port } = await server.listen(Number(configured), host);
    this.controllerHttp = { server, host, port };
  }

  private startBrokerRole(metadata: MetadataManager, directoryIds: Map<string, string>): void {
    const c = this.config;
    const channel = this.channel!;
    const advertised = this._broker!.advertisedEndpoints;
    const lifecycle = new BrokerLifecycleManager({
      nodeId: this.nodeId,
      clusterId: this.clusterId,
      listeners: advertised.map((e) => ({
        name: e.name,
        host: e.host,
        port: e.port,
        securityProtocol: SECURITY_PROTOCOL_IDS[c.securityProtocolMap.get(e.name) ?? 'PLAINTEXT'] ?? 0,
      })),
      rack: c.rack,
      logDirs: c.logDirs.map((d) => directoryIds.get(path.resolve(d))!).filter((id) => id !== undefined),
      channel,
      metadataOffset: () => metadata.replayedOffset,
      heartbeatIntervalMs: c.brokerHeartbeatIntervalMs,
      sessionTimeoutMs: c.brokerSessionTimeoutMs,
    });
    this.lifecycle = lifecycle;
    lifecycle.start();
    // Partitions are led and followed once the metadata replayed is the cluster's current one.
    const replicas = this.replicaManager;
    if (replicas) void lifecycle.initialCatchUp.then(() => replicas.start());
    // Logs are recovered by the time the broker started: nothing holds the unfencing back.
    lifecycle.setReadyToUnfence();
    const storage = this._broker!.storage;
    if (storage instanceof FileStorageEngine && c.logDirs.length > 1) {
      const assignments = new DirectoryAssignments({
        nodeId: this.nodeId,
        brokerEpoch: () => lifecycle.brokerEpoch,
        dirIdOf: (topic, partition) => {
          const dir = storage.dirOf(topic, partition);
          return dir === null ? undefined : directoryIds.get(dir);
        },
        send: (req) => channel.send(AssignReplicasToDirsRequest, AssignReplicasToDirsResponse, 0, req),
      });
      this.directoryAssignments = assignments;
      storage.onLogPlaced((topic, partition) => assignments.placed(topic, partition));
      metadata.installPublisher(assignments);
    }
  }

  /** A clean shutdown: controlled shutdown of the broker, the leader resigns, then everything closes. */
  async close(opts: { drainMs?: number } = {}): Promise<void> {
    if (this.lifecycle) {
      // Bounded: with no controller reachable there is nobody to ask.
      await Promise.race([this.lifecycle.beginControlledShutdown().catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
      this.lifecycle.close();
    }
    this.directoryAssignments?.close();
    this.registration?.close();
    this.channel?.close();
    this.adminChannel?.close();
    await Promise.all(this.controllerServers.map((s) => s.close(opts.drainMs ?? 0)));
    this.controllerServers = [];
    await this.closeControllerHttp();
    this.activation?.close();
    await this.raft?.close();
    for (const client of this.clients) client.close();
    this.replicaManager?.close();
    this.replicaClient?.close();
    if (this._broker) await this._broker.close(opts);
    else {
      await this._metadata?.close();
      await this.ownStorage?.close();
    }
  }

  private async closeControllerHttp(): Promise<void> {
    const h = this.controllerHttp;
    this.controllerHttp = null;
    await h?.server.close();
  }

  /** As close as a process can get to a crash: nothing resigns, nothing says goodbye, sockets drop. */
  async kill(): Promise<void> {
    this.lifecycle?.close();
    this.directoryAssignments?.close();
    this.registration?.close();
    this.channel?.close();
    this.adminChannel?.close();
    this.raft?.kill();
    this.activation?.close();
    for (const client of this.clients) client.close();
    this.replicaManager?.close();
    this.replicaClient?.close();
    await Promise.all(this.controllerServers.map((s) => s.close(0)));
    this.controllerServers = [];
    await this.closeControllerHttp();
    // Files are closed so the same process can open them again; nothing unflushed is forced out first
    // beyond what closing does.
    if (this._broker) await this._broker.close().catch(() => undefined);
    else await this.ownStorage?.close().catch(() => undefined);
  }
}

/** The bootstrap checkpoint's voter set as the VotersRecord it was read from (none written: empty). */
function votersRecordOf(q: BootstrapQuorum): VotersRecord {
  const voters = q.voters?.voters ?? [];
  const name = q.voters?.listenerName ?? '';
  return {
    version: 0,
    voters: voters.map((v) => ({ voterId: v.id, voterDirectoryId: v.directoryId ?? 'AAAAAAAAAAAAAAAAAAAAAA', endpoints: [{ name, host: v.host, port: v.port }], kRaftVersionFeature: { minSupportedVersion: 0, maxSupportedVersion: 1 } })),
  };
}
