// Every broker and topic config samsa knows: Kafka's names, types and defaults, in one table,
// as Apache Kafka 4.4.0 reports them (test/metadata/config-table.test.ts holds it to a fixture
// compat/kafka/capture-configs.ts recorded). Topic configs name the broker config that supplies
// their default (Kafka's "synonym"); dynamic broker configs say where they may be changed.

export type ConfigType = 'boolean' | 'short' | 'int' | 'long' | 'double' | 'string' | 'list' | 'class' | 'password';

export interface ConfigDef {
  name: string;
  type: ConfigType;
  /** Kafka's default, as Kafka prints it (null: no default). */
  default: string | null;
  /** For a topic config: the broker config whose value is the default. */
  brokerSynonym?: string;
  /**
   * For a broker config, whether and where AlterConfigs may change it at run time (Kafka's
   * DynamicBrokerConfig): unset, read-only; true, cluster-wide (on a broker id or as the cluster
   * default); 'per-broker', on a broker id only; 'per-listener', on a broker id and only under a
   * listener prefix (listener.name.NAME.CONFIG), as Kafka's keystore and truststore settings.
   */
  dynamic?: boolean | 'per-broker' | 'per-listener';
  /** A dynamic broker config Kafka checks but DescribeConfigs does not list (quota rates, internal settings). */
  unlisted?: boolean;
  /** Allowed values (Kafka's ValidString / ValidList). */
  validValues?: readonly string[];
  /** Inclusive numeric bounds (Kafka's Range validator). */
  min?: number;
  max?: number;
  /**
   * A rule the fields above cannot state: 'gzip-level' (-1 or 1-9), 'throttled-replicas';
   * 'non-empty-list'; 'thread-pool', a dynamic thread count Kafka changes by at most half or double.
   */
  rule?: 'gzip-level' | 'throttled-replicas' | 'non-empty-list' | 'thread-pool';
  /** One line for DescribeConfigs' documentation. */
  doc?: string;
}

const LONG_MAX = '9223372036854775807';

export const BROKER_CONFIGS: readonly ConfigDef[] = [
  { name: 'node.id', type: 'int', default: '1', min: 0, doc: 'This node\'s id in the cluster.' },
  { name: 'broker.id', type: 'int', default: '1', doc: 'This broker\'s id (same as node.id).' },
  { name: 'num.partitions', type: 'int', default: '1', doc: 'Partition count of topics created without one.' },
  { name: 'auto.create.topics.enable', type: 'boolean', default: 'true', doc: 'Create a topic when a client asks for metadata of one that does not exist.' },
  { name: 'default.replication.factor', type: 'int', default: '1', doc: 'Replication factor of topics created without one.' },
  { name: 'message.max.bytes', type: 'int', default: '1048588', dynamic: true, min: 0, doc: 'Default for max.message.bytes: the largest record batch accepted.' },
  { name: 'log.segment.bytes', type: 'int', default: '1073741824', dynamic: true, min: 1048576, doc: 'Default for segment.bytes.' },
  { name: 'log.roll.ms', type: 'long', default: null, dynamic: true, doc: 'Default for segment.ms (unset: from log.roll.hours).' },
  { name: 'log.roll.hours', type: 'int', default: '168', doc: 'Default segment age in hours (after log.roll.ms).' },
  { name: 'log.retention.ms', type: 'long', default: null, dynamic: true, doc: 'Default for retention.ms (unset: from minutes or hours).' },
  { name: 'log.retention.hours', type: 'int', default: '168', doc: 'Default retention in hours (after log.retention.ms and log.retention.minutes).' },
  { name: 'log.retention.bytes', type: 'long', default: '-1', dynamic: true, doc: 'Default for retention.bytes.' },
  { name: 'log.index.interval.bytes', type: 'int', default: '4096', dynamic: true, min: 0, doc: 'Default for index.interval.bytes.' },
  { name: 'log.index.size.max.bytes', type: 'int', default: '10485760', dynamic: true, min: 4, doc: 'Default for segment.index.bytes.' },
  { name: 'log.flush.interval.messages', type: 'long', default: LONG_MAX, dynamic: true, min: 1, doc: 'Default for flush.messages.' },
  { name: 'log.flush.interval.ms', type: 'long', default: null, dynamic: true, doc: 'Default for flush.ms (unset: log.flush.scheduler.interval.ms).' },
  { name: 'log.message.timestamp.type', type: 'string', default: 'CreateTime', dynamic: true, validValues: ['CreateTime', 'LogAppendTime'], doc: 'Default for message.timestamp.type.' },
  { name: 'log.message.timestamp.before.max.ms', type: 'long', default: LONG_MAX, dynamic: true, min: 0, doc: 'Default for message.timestamp.before.max.ms.' },
  { name: 'log.message.timestamp.after.max.ms', type: 'long', default: '3600000', dynamic: true, min: 0, doc: 'Default for message.timestamp.after.max.ms.' },
  { name: 'log.cleanup.policy', type: 'list', default: 'delete', dynamic: true, validValues: ['compact', 'delete'], doc: 'Default for cleanup.policy.' },
  { name: 'log.cleaner.delete.retention.ms', type: 'long', default: '86400000', dynamic: true, min: 0, doc: 'Default for delete.retention.ms.' },
  { name: 'log.cleaner.min.compaction.lag.ms', type: 'long', default: '0', dynamic: true, min: 0, doc: 'Default for min.compaction.lag.ms.' },
  { name: 'log.cleaner.max.compaction.lag.ms', type: 'long', default: LONG_MAX, dynamic: true, min: 1, doc: 'Default for max.compaction.lag.ms.' },
  { name: 'log.cleaner.min.cleanable.ratio', type: 'double', default: '0.5', dynamic: true, min: 0, max: 1, doc: 'Default for min.cleanable.dirty.ratio.' },
  { name: 'log.cleaner.enable', type: 'boolean', default: 'true', doc: 'Run the log cleaner (needed for compacted topics).' },
  { name: 'log.cleaner.backoff.ms', type: 'long', default: '15000', dynamic: true, min: 0, doc: 'Wait of the log cleaner when nothing needs cleaning.' },
  { name: 'log.cleaner.dedupe.buffer.size', type: 'long', default: '134217728', dynamic: true, doc: 'Memory for the cleaner\'s key deduplication across threads.' },
  { name: 'log.retention.check.interval.ms', type: 'long', default: '300000', doc: 'Interval between retention checks.' },
  { name: 'log.segment.delete.delay.ms', type: 'long', default: '60000', dynamic: true, min: 0, doc: 'Default for file.delete.delay.ms.' },
  { name: 'compression.type', type: 'string', default: 'producer', dynamic: true, validValues: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'], doc: 'Codec batches are stored with; "producer" keeps what the producer sent, "uncompressed" stores none.' },
  { name: 'min.insync.replicas', type: 'int', default: '1', dynamic: true, min: 1, doc: 'Default for min.insync.replicas.' },
  { name: 'socket.request.max.bytes', type: 'int', default: '104857600', doc: 'Largest request accepted.' },
  { name: 'fetch.max.bytes', type: 'int', default: '57671680', doc: 'Most bytes returned by one fetch request.' },
  { name: 'offsets.topic.num.partitions', type: 'int', default: '50', doc: 'Partition count of __consumer_offsets.' },
  { name: 'offsets.retention.minutes', type: 'int', default: '10080', doc: 'How long committed offsets of an empty group are kept.' },
  { name: 'group.initial.rebalance.delay.ms', type: 'int', default: '3000', doc: 'Wait for more members before the first rebalance of a new group.' },
  { name: 'group.min.session.timeout.ms', type: 'int', default: '6000', doc: 'Smallest session timeout a classic group member may ask for.' },
  { name: 'group.max.session.timeout.ms', type: 'int', default: '1800000', doc: 'Largest session timeout a classic group member may ask for.' },
  { name: 'group.max.size', type: 'int', default: '2147483647', doc: 'Most members a classic group may have.' },
  { name: 'offsets.retention.check.interval.ms', type: 'long', default: '600000', doc: 'Interval between checks for expired offsets.' },
  { name: 'offsets.topic.segment.bytes', type: 'int', default: '104857600', doc: 'Segment size of __consumer_offsets.' },
  { name: 'offsets.load.buffer.size', type: 'int', default: '5242880', doc: 'Read size when loading __consumer_offsets.' },
  { name: 'offset.metadata.max.bytes', type: 'int', default: '4096', doc: 'Largest metadata string an offset commit may carry.' },
  { name: 'transactional.id.expiration.ms', type: 'int', default: '604800000', doc: 'How long an idle transactional id is kept.' },
  { name: 'producer.id.expiration.ms', type: 'int', default: '86400000', dynamic: true, min: 1, doc: 'How long an idle producer id\'s state is kept.' },
  { name: 'add.partitions.to.txn.retry.backoff.max.ms', type: 'int', default: '100', doc: 'Longest wait between retries of AddPartitionsToTxn from the broker.' },
  { name: 'add.partitions.to.txn.retry.backoff.ms', type: 'int', default: '20', doc: 'Initial wait between retries of AddPartitionsToTxn from the broker.' },
  { name: 'advertised.listeners', type: 'list', default: null, doc: 'Addresses the broker hands to clients in metadata.' },
  { name: 'alter.config.policy.class.name', type: 'class', default: null, doc: 'Policy class that vets AlterConfigs requests.' },
  { name: 'alter.log.dirs.replication.quota.window.num', type: 'int', default: '11', doc: 'Samples kept for the log dir move quota.' },
  { name: 'alter.log.dirs.replication.quota.window.size.seconds', type: 'int', default: '1', doc: 'Length of each log dir move quota sample.' },
  { name: 'authorizer.class.name', type: 'string', default: '', doc: 'Authorizer used for ACL checks (empty: none).' },
  { name: 'super.users', type: 'string', default: null, unlisted: true, doc: 'Principals (User:alice;User:bob) the StandardAuthorizer allows everything.' },
  { name: 'allow.everyone.if.no.acl.found', type: 'boolean', default: 'false', unlisted: true, doc: 'StandardAuthorizer: allow a resource no ACL covers.' },
  { name: 'auto.leader.rebalance.enable', type: 'boolean', default: 'true', doc: 'Move leadership back to preferred replicas periodically.' },
  { name: 'background.threads', type: 'int', default: '10', dynamic: true, min: 1, rule: 'thread-pool', doc: 'Threads for background work.' },
  { name: 'broker.heartbeat.interval.ms', type: 'int', default: '2000', doc: 'Interval between broker heartbeats to the controller.' },
  { name: 'broker.rack', type: 'string', default: null, doc: 'Rack of the broker, for rack-aware placement.' },
  { name: 'broker.session.timeout.ms', type: 'int', default: '9000', doc: 'How long a broker may go without heartbeating before it is fenced.' },
  { name: 'client.quota.callback.class', type: 'class', default: null, doc: 'Class that computes client quotas.' },
  { name: 'compression.gzip.level', type: 'int', default: '-1', dynamic: true, rule: 'gzip-level', doc: 'gzip level used when the broker compresses with gzip (-1: codec default).' },
  { name: 'compression.lz4.level', type: 'int', default: '9', dynamic: true, min: 1, max: 17, doc: 'lz4 level used when the broker compresses with lz4.' },
  { name: 'compression.zstd.level', type: 'int', default: '3', dynamic: true, min: -131072, max: 22, doc: 'zstd level used when the broker compresses with zstd.' },
  { name: 'config.providers', type: 'list', default: '', dynamic: true, doc: 'Config providers that resolve ${provider:path:key} references in config values.' },
  { name: 'connection.failed.authentication.delay.ms', type: 'int', default: '100', doc: 'Delay before closing a connection that failed authentication.' },
  { name: 'connections.max.idle.ms', type: 'long', default: '600000', doc: 'Idle time after which a connection is closed.' },
  { name: 'connections.max.reauth.ms', type: 'long', default: '0', doc: 'Longest session lifetime before re-authentication (0: off).' },
  { name: 'controlled.shutdown.enable', type: 'boolean', default: 'true', doc: 'Move leadership away before shutting down.' },
  { name: 'controller.listener.names', type: 'list', default: null, doc: 'Listeners the controller uses.' },
  { name: 'controller.quorum.append.linger.ms', type: 'int', default: '25', min: 0, doc: 'How long the controller waits to batch metadata writes.' },
  { name: 'controller.quorum.auto.join.enable', type: 'boolean', default: 'false', doc: 'Let a controller add itself to the voter set on start.' },
  { name: 'controller.quorum.bootstrap.servers', type: 'list', default: '', doc: 'Addresses used to find the controller quorum.' },
  { name: 'controller.quorum.election.backoff.max.ms', type: 'int', default: '1000', min: 0, doc: 'Longest backoff before a new controller election.' },
  { name: 'controller.quorum.election.timeout.ms', type: 'int', default: '1000', min: 0, doc: 'Time without a leader before an election starts.' },
  { name: 'controller.quorum.fetch.max.bytes', type: 'int', default: '1048576', min: 1, doc: 'Most bytes a controller fetches from the leader at once.' },
  { name: 'controller.quorum.fetch.snapshot.max.bytes', type: 'int', default: '1048576', min: 1, doc: 'Most snapshot bytes a controller fetches at once.' },
  { name: 'controller.quorum.fetch.timeout.ms', type: 'int', default: '2000', min: 0, doc: 'Time without a successful fetch before a voter seeks a new leader.' },
  { name: 'controller.quorum.request.timeout.ms', type: 'int', default: '2000', min: 0, doc: 'Timeout of requests between controllers.' },
  { name: 'controller.quorum.retry.backoff.ms', type: 'int', default: '20', min: 0, doc: 'Wait before retrying a failed quorum request.' },
  { name: 'controller.quorum.voters', type: 'list', default: '', doc: 'Static controller quorum as id@host:port entries.' },
  { name: 'controller.quota.window.num', type: 'int', default: '11', min: 1, doc: 'Samples kept for controller mutation quotas.' },
  { name: 'controller.quota.window.size.seconds', type: 'int', default: '1', min: 1, doc: 'Length of each controller mutation quota sample.' },
  { name: 'controller.socket.timeout.ms', type: 'int', default: '30000', doc: 'Socket timeout for controller-to-broker channels.' },
  { name: 'cordoned.log.dirs', type: 'list', default: '', dynamic: 'per-broker', doc: 'Log dirs that get no new partitions.' },
  { name: 'create.topic.policy.class.name', type: 'class', default: null, doc: 'Policy class that vets CreateTopics requests.' },
  { name: 'delegation.token.expiry.check.interval.ms', type: 'long', default: '3600000', doc: 'Interval between checks for expired delegation tokens.' },
  { name: 'delegation.token.expiry.time.ms', type: 'long', default: '86400000', doc: 'Default lifetime of a delegation token before renewal.' },
  { name: 'delegation.token.max.lifetime.ms', type: 'long', default: '604800000', doc: 'Longest lifetime of a delegation token.' },
  { name: 'delegation.token.secret.key', type: 'password', default: null, doc: 'Secret used to sign delegation tokens.' },
  { name: 'delete.records.purgatory.purge.interval.requests', type: 'int', default: '1', doc: 'DeleteRecords requests between purgatory purges.' },
  { name: 'delete.topic.enable', type: 'boolean', default: 'true', doc: 'Allow DeleteTopics.' },
  { name: 'early.start.listeners', type: 'list', default: null, doc: 'Listeners started before the broker finishes starting.' },
  { name: 'errors.deadletterqueue.auto.create.topics.enable', type: 'boolean', default: 'false', dynamic: true, doc: 'Create a missing dead-letter topic of a streams group.' },
  { name: 'errors.deadletterqueue.topic.name.prefix', type: 'string', default: 'dlq.', dynamic: true, doc: 'Prefix of dead-letter topic names.' },
  { name: 'fetch.purgatory.purge.interval.requests', type: 'int', default: '1000', doc: 'Fetch requests between purgatory purges.' },
  { name: 'follower.fetch.last.tiered.offset.enable', type: 'boolean', default: 'false', dynamic: true, doc: 'A new follower starts fetching from the last tiered offset.' },
  { name: 'group.consumer.assignment.interval.ms', type: 'int', default: '1000', dynamic: true, min: 0, doc: 'Least time between two server-side assignments of a consumer group.' },
  { name: 'group.consumer.assignors', type: 'list', default: 'uniform,range', doc: 'Server-side assignors for consumer groups (KIP-848).' },
  { name: 'group.consumer.heartbeat.interval.ms', type: 'int', default: '5000', doc: 'Heartbeat interval for consumer group members.' },
  { name: 'group.consumer.max.assignment.interval.ms', type: 'int', default: '15000', doc: 'Largest assignment interval a consumer group may use.' },
  { name: 'group.consumer.max.heartbeat.interval.ms', type: 'int', default: '15000', doc: 'Largest heartbeat interval a consumer group may use.' },
  { name: 'group.consumer.max.session.timeout.ms', type: 'int', default: '60000', doc: 'Largest session timeout a consumer group may use.' },
  { name: 'group.consumer.max.size', type: 'int', default: '2147483647', doc: 'Most members a consumer group may have.' },
  { name: 'group.consumer.migration.policy', type: 'string', default: 'bidirectional', doc: 'Whether groups may move between the classic and consumer protocols.' },
  { name: 'group.consumer.min.assignment.interval.ms', type: 'int', default: '0', doc: 'Smallest assignment interval a consumer group may use.' },
  { name: 'group.consumer.min.heartbeat.interval.ms', type: 'int', default: '5000', doc: 'Smallest heartbeat interval a consumer group may use.' },
  { name: 'group.consumer.min.session.timeout.ms', type: 'int', default: '45000', doc: 'Smallest session timeout a consumer group may use.' },
  { name: 'group.consumer.session.timeout.ms', type: 'int', default: '45000', doc: 'Session timeout for consumer group members.' },
  { name: 'group.coordinator.append.linger.ms', type: 'int', default: '-1', doc: 'How long the group coordinator waits to batch writes.' },
  { name: 'group.coordinator.background.threads', type: 'int', default: '2', doc: 'Threads for the group coordinator\'s background work.' },
  { name: 'group.coordinator.cached.buffer.max.bytes', type: 'int', default: '1048588', dynamic: true, min: 524288, doc: 'Largest write buffer the group coordinator keeps for reuse.' },
  { name: 'group.coordinator.rebalance.protocols', type: 'list', default: 'classic,consumer,streams', doc: 'Group protocols the coordinator accepts.' },
  { name: 'group.coordinator.threads', type: 'int', default: '4', doc: 'Threads of the group coordinator.' },
  { name: 'group.share.assignment.interval.ms', type: 'int', default: '1000', dynamic: true, min: 0, doc: 'Least time between two assignments of a share group.' },
  { name: 'group.share.assignors', type: 'list', default: 'simple', doc: 'Server-side assignors for share groups.' },
  { name: 'group.share.delivery.count.limit', type: 'int', default: '5', doc: 'Deliveries of a record to a share group before it is archived.' },
  { name: 'group.share.heartbeat.interval.ms', type: 'int', default: '5000', doc: 'Heartbeat interval for share group members.' },
  { name: 'group.share.max.assignment.interval.ms', type: 'int', default: '15000', doc: 'Largest assignment interval a share group may use.' },
  { name: 'group.share.max.delivery.count.limit', type: 'int', default: '10', doc: 'Largest delivery count limit a share group may use.' },
  { name: 'group.share.max.heartbeat.interval.ms', type: 'int', default: '15000', doc: 'Largest heartbeat interval a share group may use.' },
  { name: 'group.share.max.partition.max.record.locks', type: 'int', default: '4000', doc: 'Largest per-partition record lock limit a share group may use.' },
  { name: 'group.share.max.record.lock.duration.ms', type: 'int', default: '60000', doc: 'Longest a share group may hold a record lock.' },
  { name: 'group.share.max.session.timeout.ms', type: 'int', default: '60000', doc: 'Largest session timeout a share group may use.' },
  { name: 'group.share.max.share.sessions', type: 'int', default: '2000', doc: 'Most share sessions the broker keeps.' },
  { name: 'group.share.max.size', type: 'int', default: '200', doc: 'Most members a share group may have.' },
  { name: 'group.share.min.assignment.interval.ms', type: 'int', default: '0', doc: 'Smallest assignment interval a share group may use.' },
  { name: 'group.share.min.delivery.count.limit', type: 'int', default: '2', doc: 'Smallest delivery count limit a share group may use.' },
  { name: 'group.share.min.heartbeat.interval.ms', type: 'int', default: '5000', doc: 'Smallest heartbeat interval a share group may use.' },
  { name: 'group.share.min.partition.max.record.locks', type: 'int', default: '100', doc: 'Smallest per-partition record lock limit a share group may use.' },
  { name: 'group.share.min.record.lock.duration.ms', type: 'int', default: '15000', doc: 'Shortest a share group may hold a record lock.' },
  { name: 'group.share.min.session.timeout.ms', type: 'int', default: '45000', doc: 'Smallest session timeout a share group may use.' },
  { name: 'group.share.partition.max.record.locks', type: 'int', default: '2000', doc: 'Most records locked at once per share partition.' },
  { name: 'group.share.record.lock.duration.ms', type: 'int', default: '30000', doc: 'How long a share group holds a record lock.' },
  { name: 'group.share.session.timeout.ms', type: 'int', default: '45000', doc: 'Session timeout for share group members.' },
  { name: 'group.streams.assignment.interval.ms', type: 'int', default: '1000', dynamic: true, min: 0, doc: 'Least time between two assignments of a streams group.' },
  { name: 'group.streams.assignors', type: 'list', default: 'sticky', doc: 'Server-side assignors for streams groups.' },
  { name: 'group.streams.heartbeat.interval.ms', type: 'int', default: '5000', doc: 'Heartbeat interval for streams group members.' },
  { name: 'group.streams.initial.rebalance.delay.ms', type: 'int', default: '3000', doc: 'Wait for more members before the first assignment of a new streams group.' },
  { name: 'group.streams.max.assignment.interval.ms', type: 'int', default: '15000', doc: 'Largest assignment interval a streams group may use.' },
  { name: 'group.streams.max.heartbeat.interval.ms', type: 'int', default: '15000', doc: 'Largest heartbeat interval a streams group may use.' },
  { name: 'group.streams.max.session.timeout.ms', type: 'int', default: '60000', doc: 'Largest session timeout a streams group may use.' },
  { name: 'group.streams.max.size', type: 'int', default: '2147483647', doc: 'Most members a streams group may have.' },
  { name: 'group.streams.max.standby.replicas', type: 'int', default: '2', doc: 'Most standby replicas a streams group may ask for.' },
  { name: 'group.streams.min.assignment.interval.ms', type: 'int', default: '0', doc: 'Smallest assignment interval a streams group may use.' },
  { name: 'group.streams.min.heartbeat.interval.ms', type: 'int', default: '5000', doc: 'Smallest heartbeat interval a streams group may use.' },
  { name: 'group.streams.min.session.timeout.ms', type: 'int', default: '45000', doc: 'Smallest session timeout a streams group may use.' },
  { name: 'group.streams.num.standby.replicas', type: 'int', default: '0', doc: 'Standby replicas per task of a streams group.' },
  { name: 'group.streams.rack.aware.assignment.tags', type: 'list', default: '', doc: 'Client tags the streams assignor spreads standbys over.' },
  { name: 'group.streams.session.timeout.ms', type: 'int', default: '45000', doc: 'Session timeout for streams group members.' },
  { name: 'group.streams.task.offset.interval.ms', type: 'int', default: '60000', unlisted: true, doc: 'How often streams group members report their task changelog offsets.' },
  { name: 'group.streams.min.task.offset.interval.ms', type: 'int', default: '15000', unlisted: true, doc: 'Smallest task offset interval a streams group may use.' },
  { name: 'group.streams.num.warmup.replicas', type: 'int', default: '2', unlisted: true, doc: 'Warm-up replicas a streams group may have at once.' },
  { name: 'group.streams.max.warmup.replicas', type: 'int', default: '20', unlisted: true, doc: 'Most warm-up replicas a streams group may ask for.' },
  { name: 'group.streams.acceptable.recovery.lag', type: 'long', default: '10000', unlisted: true, doc: 'Changelog lag under which a streams client counts as caught up for an active task.' },
  { name: 'group.streams.topology.description.plugin.class', type: 'class', default: null, doc: 'Plugin that receives streams topology descriptions.' },
  { name: 'initial.broker.registration.timeout.ms', type: 'int', default: '60000', doc: 'How long a starting broker waits to register with the controller.' },
  { name: 'inter.broker.listener.name', type: 'string', default: null, doc: 'Listener brokers use to talk to each other.' },
  { name: 'kafka.metrics.polling.interval.secs', type: 'int', default: '10', doc: 'Polling interval for metrics reporters.' },
  { name: 'kafka.metrics.reporters', type: 'list', default: '', doc: 'Yammer metrics reporter classes.' },
  { name: 'leader.imbalance.check.interval.seconds', type: 'long', default: '300', min: 1, doc: 'Interval between leader balance checks.' },
  { name: 'listener.security.protocol.map', type: 'string', default: 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT', dynamic: 'per-broker', doc: 'Security protocol of each listener name.' },
  { name: 'listeners', type: 'list', default: 'PLAINTEXT://:9092', dynamic: 'per-broker', rule: 'non-empty-list', doc: 'Addresses the broker listens on.' },
  { name: 'log.cleaner.io.buffer.load.factor', type: 'double', default: '0.9', dynamic: true, doc: 'Fill ratio of the cleaner\'s dedupe buffer.' },
  { name: 'log.cleaner.io.buffer.size', type: 'int', default: '524288', dynamic: true, min: 0, doc: 'I/O buffer memory of the log cleaner.' },
  { name: 'log.cleaner.io.max.bytes.per.second', type: 'double', default: '1.7976931348623157E308', dynamic: true, doc: 'I/O rate limit of the log cleaner.' },
  { name: 'log.cleaner.threads', type: 'int', default: '1', dynamic: true, min: 0, doc: 'Threads of the log cleaner.' },
  { name: 'log.dir', type: 'list', default: '/tmp/kafka-logs', doc: 'Log directory, used when log.dirs is not set.' },
  { name: 'log.dir.failure.timeout.ms', type: 'long', default: '30000', doc: 'How long a broker with a failed log dir waits before shutting down.' },
  { name: 'log.dirs', type: 'list', default: null, doc: 'Directories that hold the log.' },
  { name: 'log.flush.offset.checkpoint.interval.ms', type: 'int', default: '60000', doc: 'Interval between recovery point checkpoints.' },
  { name: 'log.flush.scheduler.interval.ms', type: 'long', default: '9223372036854775807', doc: 'Interval of the log flusher\'s checks.' },
  { name: 'log.flush.start.offset.checkpoint.interval.ms', type: 'int', default: '60000', doc: 'Interval between log start offset checkpoints.' },
  { name: 'log.local.retention.bytes', type: 'long', default: '-2', dynamic: true, min: -2, doc: 'Default for local.retention.bytes.' },
  { name: 'log.local.retention.ms', type: 'long', default: '-2', dynamic: true, min: -2, doc: 'Default for local.retention.ms.' },
  { name: 'log.preallocate', type: 'boolean', default: 'false', dynamic: true, doc: 'Default for preallocate.' },
  { name: 'log.remote.copy.lag.bytes', type: 'long', default: '-1', dynamic: true, min: -1, doc: 'Default for remote.copy.lag.bytes.' },
  { name: 'log.remote.copy.lag.ms', type: 'long', default: '0', dynamic: true, min: -1, doc: 'Default for remote.copy.lag.ms.' },
  { name: 'log.retention.minutes', type: 'int', default: null, doc: 'Default retention in minutes (after log.retention.ms).' },
  { name: 'log.roll.jitter.hours', type: 'int', default: '0', doc: 'Default segment roll jitter in hours (after log.roll.jitter.ms).' },
  { name: 'log.roll.jitter.ms', type: 'long', default: null, dynamic: true, doc: 'Default for segment.jitter.ms (unset: from hours).' },
  { name: 'max.connection.creation.rate', type: 'int', default: '2147483647', dynamic: true, min: 0, doc: 'New connections per second the broker accepts.' },
  { name: 'max.connections', type: 'int', default: '2147483647', dynamic: true, min: 0, doc: 'Most connections the broker accepts.' },
  { name: 'max.connections.per.ip', type: 'int', default: '2147483647', dynamic: true, min: 0, doc: 'Most connections from one address.' },
  { name: 'max.connections.per.ip.overrides', type: 'string', default: '', dynamic: true, doc: 'Per-address exceptions to max.connections.per.ip.' },
  { name: 'max.decompressed.message.bytes', type: 'int', default: '2147483639', dynamic: true, min: 1, max: 2147483639, doc: 'Default for max.decompressed.message.bytes.' },
  { name: 'max.incremental.fetch.session.cache.slots', type: 'int', default: '1000', doc: 'Most incremental fetch sessions kept.' },
  { name: 'max.request.partition.size.limit', type: 'int', default: '2000', doc: 'Most partitions in one request before it is limited.' },
  { name: 'metadata.log.dir', type: 'string', default: null, doc: 'Directory of the metadata log (unset: the first log dir).' },
  { name: 'metadata.log.max.record.bytes.between.snapshots', type: 'long', default: '20971520', min: 1, doc: 'Metadata log bytes between snapshots.' },
  { name: 'metadata.log.max.snapshot.interval.ms', type: 'long', default: '3600000', min: 0, doc: 'Longest time between metadata snapshots when the log changed.' },
  { name: 'metadata.log.segment.bytes', type: 'int', default: '1073741824', min: 8388608, doc: 'Segment size of the metadata log.' },
  { name: 'metadata.log.segment.ms', type: 'long', default: '604800000', doc: 'Segment age of the metadata log.' },
  { name: 'metadata.max.idle.interval.ms', type: 'int', default: '500', min: 0, doc: 'Interval of no-op records the controller writes when idle.' },
  { name: 'metadata.max.retention.bytes', type: 'long', default: '104857600', doc: 'Metadata log bytes kept behind the newest snapshot.' },
  { name: 'metadata.max.retention.ms', type: 'long', default: '604800000', doc: 'How long metadata log segments are kept behind the newest snapshot.' },
  { name: 'metric.reporters', type: 'list', default: 'org.apache.kafka.common.metrics.JmxReporter', dynamic: true, doc: 'Metrics reporter classes.' },
  { name: 'metrics.num.samples', type: 'int', default: '2', doc: 'Samples kept for each metric.' },
  { name: 'metrics.recording.level', type: 'string', default: 'INFO', doc: 'Level of metrics that are recorded.' },
  { name: 'metrics.sample.window.ms', type: 'long', default: '30000', doc: 'Length of each metrics sample.' },
  { name: 'num.io.threads', type: 'int', default: '8', dynamic: true, min: 1, rule: 'thread-pool', doc: 'Threads that handle requests.' },
  { name: 'num.network.threads', type: 'int', default: '3', dynamic: true, min: 1, rule: 'thread-pool', doc: 'Threads that read and write the network.' },
  { name: 'num.recovery.threads.per.data.dir', type: 'int', default: '2', dynamic: true, min: 1, rule: 'thread-pool', doc: 'Threads per log dir for recovery at start and flush at shutdown.' },
  { name: 'num.replica.alter.log.dirs.threads', type: 'int', default: null, doc: 'Threads that move replicas between log dirs.' },
  { name: 'num.replica.fetchers', type: 'int', default: '1', dynamic: true, min: 1, rule: 'thread-pool', doc: 'Threads that fetch from leaders.' },
  { name: 'offsets.commit.timeout.ms', type: 'int', default: '5000', doc: 'How long an offset commit waits for replication.' },
  { name: 'offsets.topic.compression.codec', type: 'int', default: '0', doc: 'Codec for writes to __consumer_offsets.' },
  { name: 'offsets.topic.replication.factor', type: 'short', default: '3', doc: 'Replication factor of __consumer_offsets.' },
  { name: 'principal.builder.class', type: 'class', default: 'org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder', dynamic: 'per-broker', doc: 'Class that builds the principal of a connection.' },
  { name: 'process.roles', type: 'list', default: null, validValues: ['broker', 'controller'], doc: 'Roles this node plays: broker, controller or both.' },
  { name: 'producer.purgatory.purge.interval.requests', type: 'int', default: '1000', doc: 'Produce requests between purgatory purges.' },
  { name: 'queued.max.request.bytes', type: 'long', default: '-1', doc: 'Most bytes of queued requests (-1: no limit).' },
  { name: 'queued.max.requests', type: 'int', default: '500', doc: 'Most queued requests before the network threads stop reading.' },
  { name: 'quota.window.num', type: 'int', default: '11', doc: 'Samples kept for client quotas.' },
  { name: 'quota.window.size.seconds', type: 'int', default: '1', doc: 'Length of each client quota sample.' },
  { name: 'remote.fetch.max.wait.ms', type: 'int', default: '500', dynamic: true, min: 1, doc: 'Longest wait of a fetch served from tiered storage.' },
  { name: 'remote.list.offsets.request.timeout.ms', type: 'long', default: '30000', dynamic: true, min: 1, doc: 'Timeout of ListOffsets served from tiered storage.' },
  { name: 'remote.log.index.file.cache.total.size.bytes', type: 'long', default: '1073741824', dynamic: true, min: 1, doc: 'Disk for cached tiered storage index files.' },
  { name: 'remote.log.manager.copier.thread.pool.size', type: 'int', default: '10', dynamic: true, min: 1, rule: 'thread-pool', doc: 'Threads that copy segments to tiered storage.' },
  { name: 'remote.log.manager.copy.max.bytes.per.second', type: 'long', default: '9223372036854775807', dynamic: true, min: 1, doc: 'Copy rate limit to tiered storage.' },
  { name: 'remote.log.manager.copy.quota.window.num', type: 'int', default: '11', doc: 'Samples kept for the tiered storage copy quota.' },
  { name: 'remote.log.manager.copy.quota.window.size.seconds', type: 'int', default: '1', doc: 'Length of each tiered storage copy quota sample.' },
  { name: 'remote.log.manager.expiration.thread.pool.size', type: 'int', default: '10', dynamic: true, min: 1, rule: 'thread-pool', doc: 'Threads that expire tiered storage segments.' },
  { name: 'remote.log.manager.fetch.max.bytes.per.second', type: 'long', default: '9223372036854775807', dynamic: true, min: 1, doc: 'Fetch rate limit from tiered storage.' },
  { name: 'remote.log.manager.fetch.quota.window.num', type: 'int', default: '11', doc: 'Samples kept for the tiered storage fetch quota.' },
  { name: 'remote.log.manager.fetch.quota.window.size.seconds', type: 'int', default: '1', doc: 'Length of each tiered storage fetch quota sample.' },
  { name: 'remote.log.manager.follower.thread.pool.size', type: 'int', default: '2', dynamic: true, min: 1, rule: 'thread-pool', doc: 'Threads that build follower state from tiered storage.' },
  { name: 'remote.log.manager.task.interval.ms', type: 'long', default: '30000', doc: 'Interval of tiered storage tasks.' },
  { name: 'remote.log.manager.thread.pool.size', type: 'int', default: '2', doc: 'Threads for tiered storage tasks.' },
  { name: 'remote.log.metadata.custom.metadata.max.bytes', type: 'int', default: '128', doc: 'Largest custom metadata of a tiered segment.' },
  { name: 'remote.log.metadata.manager.class.name', type: 'string', default: 'org.apache.kafka.server.log.remote.metadata.storage.TopicBasedRemoteLogMetadataManager', doc: 'Class that keeps tiered storage metadata.' },
  { name: 'remote.log.metadata.manager.class.path', type: 'string', default: null, doc: 'Class path of the tiered storage metadata manager.' },
  { name: 'remote.log.metadata.manager.impl.prefix', type: 'string', default: 'rlmm.config.', doc: 'Config prefix passed to the tiered storage metadata manager.' },
  { name: 'remote.log.metadata.manager.listener.name', type: 'string', default: null, doc: 'Listener the tiered storage metadata manager uses.' },
  { name: 'remote.log.reader.max.pending.tasks', type: 'int', default: '100', doc: 'Most queued tiered storage reads.' },
  { name: 'remote.log.reader.threads', type: 'int', default: '10', dynamic: true, min: 1, rule: 'thread-pool', doc: 'Threads that read from tiered storage.' },
  { name: 'remote.log.storage.manager.class.name', type: 'string', default: null, doc: 'Class that stores tiered segments.' },
  { name: 'remote.log.storage.manager.class.path', type: 'string', default: null, doc: 'Class path of the tiered storage manager.' },
  { name: 'remote.log.storage.manager.impl.prefix', type: 'string', default: 'rsm.config.', doc: 'Config prefix passed to the tiered storage manager.' },
  { name: 'remote.log.storage.system.enable', type: 'boolean', default: 'false', doc: 'Turn on tiered storage on the broker.' },
  { name: 'replica.fetch.backoff.ms', type: 'int', default: '1000', min: 0, doc: 'Wait after a failed replica fetch.' },
  { name: 'replica.fetch.max.bytes', type: 'int', default: '1048576', min: 0, doc: 'Bytes fetched per partition by a follower.' },
  { name: 'replica.fetch.min.bytes', type: 'int', default: '1', doc: 'Least bytes a follower fetch waits for.' },
  { name: 'replica.fetch.response.max.bytes', type: 'int', default: '10485760', min: 0, doc: 'Most bytes of a follower fetch response.' },
  { name: 'replica.fetch.wait.max.ms', type: 'int', default: '500', doc: 'Longest wait of a follower fetch.' },
  { name: 'replica.high.watermark.checkpoint.interval.ms', type: 'long', default: '5000', doc: 'Interval between high watermark checkpoints.' },
  { name: 'replica.lag.time.max.ms', type: 'long', default: '30000', doc: 'How long a follower may lag before it leaves the ISR.' },
  { name: 'replica.selector.class', type: 'string', default: null, doc: 'Class that picks a replica for consumers to read from.' },
  { name: 'replica.socket.receive.buffer.bytes', type: 'int', default: '65536', doc: 'Socket receive buffer of replica fetchers.' },
  { name: 'replica.socket.timeout.ms', type: 'int', default: '30000', doc: 'Socket timeout of replica fetchers.' },
  { name: 'replication.quota.window.num', type: 'int', default: '11', doc: 'Samples kept for replication quotas.' },
  { name: 'replication.quota.window.size.seconds', type: 'int', default: '1', doc: 'Length of each replication quota sample.' },
  { name: 'request.timeout.ms', type: 'int', default: '30000', doc: 'Timeout of requests the broker sends.' },
  { name: 'sasl.client.callback.handler.class', type: 'class', default: null, doc: 'SASL client callback handler class.' },
  { name: 'sasl.enabled.mechanisms', type: 'list', default: 'GSSAPI', dynamic: 'per-broker', doc: 'SASL mechanisms the broker accepts.' },
  { name: 'sasl.jaas.config', type: 'password', default: null, dynamic: 'per-broker', doc: 'JAAS login configuration for SASL.' },
  { name: 'sasl.kerberos.kinit.cmd', type: 'string', default: '/usr/bin/kinit', dynamic: 'per-broker', doc: 'kinit command for Kerberos.' },
  { name: 'sasl.kerberos.min.time.before.relogin', type: 'long', default: '60000', dynamic: 'per-broker', doc: 'Least time between Kerberos relogins.' },
  { name: 'sasl.kerberos.principal.to.local.rules', type: 'list', default: 'DEFAULT', dynamic: 'per-broker', doc: 'Rules mapping Kerberos principals to short names.' },
  { name: 'sasl.kerberos.service.name', type: 'string', default: null, dynamic: 'per-broker', doc: 'Kerberos service name.' },
  { name: 'sasl.kerberos.ticket.renew.jitter', type: 'double', default: '0.05', dynamic: 'per-broker', doc: 'Jitter added to the Kerberos renewal time.' },
  { name: 'sasl.kerberos.ticket.renew.window.factor', type: 'double', default: '0.8', dynamic: 'per-broker', doc: 'Share of a Kerberos ticket\'s lifetime before renewal.' },
  { name: 'sasl.login.callback.handler.class', type: 'class', default: null, doc: 'SASL login callback handler class.' },
  { name: 'sasl.login.class', type: 'class', default: null, doc: 'SASL login class.' },
  { name: 'sasl.login.connect.timeout.ms', type: 'int', default: null, doc: 'Connect timeout of the SASL login provider.' },
  { name: 'sasl.login.read.timeout.ms', type: 'int', default: null, doc: 'Read timeout of the SASL login provider.' },
  { name: 'sasl.login.refresh.buffer.seconds', type: 'short', default: '300', dynamic: 'per-broker', doc: 'Time before credential expiry to refresh it.' },
  { name: 'sasl.login.refresh.min.period.seconds', type: 'short', default: '60', dynamic: 'per-broker', doc: 'Least time between credential refreshes.' },
  { name: 'sasl.login.refresh.window.factor', type: 'double', default: '0.8', dynamic: 'per-broker', doc: 'Share of a credential\'s lifetime before refresh.' },
  { name: 'sasl.login.refresh.window.jitter', type: 'double', default: '0.05', dynamic: 'per-broker', doc: 'Jitter added to the credential refresh time.' },
  { name: 'sasl.login.retry.backoff.max.ms', type: 'long', default: '10000', doc: 'Longest wait between SASL login retries.' },
  { name: 'sasl.login.retry.backoff.ms', type: 'long', default: '100', doc: 'Initial wait between SASL login retries.' },
  { name: 'sasl.mechanism.controller.protocol', type: 'string', default: 'GSSAPI', doc: 'SASL mechanism for controller traffic.' },
  { name: 'sasl.mechanism.inter.broker.protocol', type: 'string', default: 'GSSAPI', dynamic: 'per-broker', doc: 'SASL mechanism between brokers.' },
  { name: 'sasl.oauthbearer.allow.unverified.audience', type: 'boolean', default: 'false', doc: 'Accept OAuth tokens without checking their audience.' },
  { name: 'sasl.oauthbearer.allow.unverified.issuer', type: 'boolean', default: 'false', doc: 'Accept OAuth tokens without checking their issuer.' },
  { name: 'sasl.oauthbearer.assertion.algorithm', type: 'string', default: 'RS256', doc: 'Signing algorithm of OAuth client assertions.' },
  { name: 'sasl.oauthbearer.assertion.claim.aud', type: 'string', default: null, doc: 'Audience claim of OAuth client assertions.' },
  { name: 'sasl.oauthbearer.assertion.claim.exp.seconds', type: 'int', default: '300', doc: 'Lifetime of OAuth client assertions.' },
  { name: 'sasl.oauthbearer.assertion.claim.iss', type: 'string', default: null, doc: 'Issuer claim of OAuth client assertions.' },
  { name: 'sasl.oauthbearer.assertion.claim.jti.include', type: 'boolean', default: 'false', doc: 'Put a unique id claim in OAuth client assertions.' },
  { name: 'sasl.oauthbearer.assertion.claim.nbf.seconds', type: 'int', default: '60', doc: 'Not-before offset of OAuth client assertions.' },
  { name: 'sasl.oauthbearer.assertion.claim.sub', type: 'string', default: null, doc: 'Subject claim of OAuth client assertions.' },
  { name: 'sasl.oauthbearer.assertion.file', type: 'string', default: null, doc: 'File holding a ready-made OAuth client assertion.' },
  { name: 'sasl.oauthbearer.assertion.private.key.file', type: 'string', default: null, doc: 'Private key that signs OAuth client assertions.' },
  { name: 'sasl.oauthbearer.assertion.private.key.passphrase', type: 'password', default: null, doc: 'Passphrase of that private key.' },
  { name: 'sasl.oauthbearer.assertion.template.file', type: 'string', default: null, doc: 'Template of OAuth client assertion claims.' },
  { name: 'sasl.oauthbearer.client.credentials.client.id', type: 'string', default: null, doc: 'OAuth client id for the client credentials grant.' },
  { name: 'sasl.oauthbearer.client.credentials.client.secret', type: 'password', default: null, doc: 'OAuth client secret for the client credentials grant.' },
  { name: 'sasl.oauthbearer.clock.skew.seconds', type: 'int', default: '30', doc: 'Clock skew allowed when checking OAuth tokens.' },
  { name: 'sasl.oauthbearer.expected.audience', type: 'list', default: '', doc: 'Audiences an OAuth token must name.' },
  { name: 'sasl.oauthbearer.expected.issuer', type: 'string', default: null, doc: 'Issuer an OAuth token must name.' },
  { name: 'sasl.oauthbearer.jwks.endpoint.refresh.ms', type: 'long', default: '3600000', doc: 'Interval between JWKS refreshes.' },
  { name: 'sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms', type: 'long', default: '10000', doc: 'Longest wait between JWKS fetch retries.' },
  { name: 'sasl.oauthbearer.jwks.endpoint.retry.backoff.ms', type: 'long', default: '100', doc: 'Initial wait between JWKS fetch retries.' },
  { name: 'sasl.oauthbearer.jwks.endpoint.url', type: 'string', default: null, doc: 'Where OAuth signing keys are fetched from.' },
  { name: 'sasl.oauthbearer.jwt.retriever.class', type: 'class', default: 'org.apache.kafka.common.security.oauthbearer.DefaultJwtRetriever', doc: 'Class that obtains OAuth tokens.' },
  { name: 'sasl.oauthbearer.jwt.validator.class', type: 'class', default: 'org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator', doc: 'Class that checks OAuth tokens.' },
  { name: 'sasl.oauthbearer.scope', type: 'string', default: null, doc: 'Scope asked for with OAuth tokens.' },
  { name: 'sasl.oauthbearer.scope.claim.name', type: 'string', default: 'scope', doc: 'Token claim that holds the scope.' },
  { name: 'sasl.oauthbearer.sub.claim.name', type: 'string', default: 'sub', doc: 'Token claim that holds the subject.' },
  { name: 'sasl.oauthbearer.token.endpoint.url', type: 'string', default: null, doc: 'Where OAuth tokens are requested.' },
  { name: 'sasl.server.callback.handler.class', type: 'class', default: null, doc: 'SASL server callback handler class.' },
  { name: 'sasl.server.max.receive.size', type: 'int', default: '524288', doc: 'Largest SASL message accepted before authentication.' },
  { name: 'security.inter.broker.protocol', type: 'string', default: 'PLAINTEXT', validValues: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'], doc: 'Security protocol between brokers.' },
  { name: 'security.providers', type: 'string', default: null, doc: 'Security provider creator classes.' },
  { name: 'share.coordinator.append.linger.ms', type: 'int', default: '-1', doc: 'How long the share coordinator waits to batch writes.' },
  { name: 'share.coordinator.cached.buffer.max.bytes', type: 'int', default: '1048588', dynamic: true, min: 524288, doc: 'Largest write buffer the share coordinator keeps for reuse.' },
  { name: 'share.coordinator.cold.partition.snapshot.interval.ms', type: 'int', default: '300000', min: 1, unlisted: true, doc: 'How often the share coordinator snapshots share partitions not being updated.' },
  { name: 'share.coordinator.load.buffer.size', type: 'int', default: '5242880', doc: 'Read size when loading share group state.' },
  { name: 'share.coordinator.snapshot.update.records.per.snapshot', type: 'int', default: '500', doc: 'Share state updates between snapshots.' },
  { name: 'share.coordinator.state.topic.compression.codec', type: 'int', default: '0', doc: 'Codec for writes to the share group state topic.' },
  { name: 'share.coordinator.state.topic.min.isr', type: 'short', default: '2', doc: 'min.insync.replicas of the share group state topic.' },
  { name: 'share.coordinator.state.topic.num.partitions', type: 'int', default: '50', doc: 'Partition count of the share group state topic.' },
  { name: 'share.coordinator.state.topic.prune.interval.ms', type: 'int', default: '300000', min: 1, unlisted: true, doc: 'How often the share coordinator prunes records no state needs from its topic.' },
  { name: 'share.coordinator.state.topic.replication.factor', type: 'short', default: '3', doc: 'Replication factor of the share group state topic.' },
  { name: 'share.coordinator.state.topic.segment.bytes', type: 'int', default: '104857600', doc: 'Segment size of the share group state topic.' },
  { name: 'share.coordinator.threads', type: 'int', default: '1', doc: 'Threads of the share coordinator.' },
  { name: 'share.coordinator.write.timeout.ms', type: 'int', default: '5000', doc: 'How long a share state write waits for replication.' },
  { name: 'share.fetch.purgatory.purge.interval.requests', type: 'int', default: '1000', doc: 'Share fetch requests between purgatory purges.' },
  { name: 'socket.connection.setup.timeout.max.ms', type: 'long', default: '30000', doc: 'Longest connection setup timeout of the broker\'s clients.' },
  { name: 'socket.connection.setup.timeout.ms', type: 'long', default: '10000', doc: 'Initial connection setup timeout of the broker\'s clients.' },
  { name: 'socket.listen.backlog.size', type: 'int', default: '50', doc: 'Pending connection backlog of each listener.' },
  { name: 'socket.receive.buffer.bytes', type: 'int', default: '102400', doc: 'Socket receive buffer (-1: OS default).' },
  { name: 'socket.send.buffer.bytes', type: 'int', default: '102400', doc: 'Socket send buffer (-1: OS default).' },
  { name: 'ssl.allow.dn.changes', type: 'boolean', default: 'false', doc: 'Allow a keystore update to change the certificate\'s DN.' },
  { name: 'ssl.allow.san.changes', type: 'boolean', default: 'false', doc: 'Allow a keystore update to change the certificate\'s SANs.' },
  { name: 'ssl.cipher.suites', type: 'list', default: '', dynamic: 'per-broker', doc: 'Allowed TLS cipher suites (empty: all).' },
  { name: 'ssl.client.auth', type: 'string', default: 'none', dynamic: 'per-broker', validValues: ['required', 'requested', 'none'], doc: 'Whether clients must present certificates.' },
  { name: 'ssl.enabled.protocols', type: 'list', default: 'TLSv1.2,TLSv1.3', dynamic: 'per-broker', doc: 'TLS protocol versions accepted.' },
  { name: 'ssl.endpoint.identification.algorithm', type: 'string', default: 'https', dynamic: 'per-broker', doc: 'Host name check on peer certificates.' },
  { name: 'ssl.engine.factory.class', type: 'class', default: null, dynamic: 'per-broker', doc: 'Class that creates TLS engines.' },
  { name: 'ssl.key.password', type: 'password', default: null, dynamic: 'per-listener', doc: 'Password of the private key.' },
  { name: 'ssl.keymanager.algorithm', type: 'string', default: 'SunX509', dynamic: 'per-broker', doc: 'Key manager algorithm.' },
  { name: 'ssl.keystore.certificate.chain', type: 'password', default: null, dynamic: 'per-listener', doc: 'Certificate chain in PEM form.' },
  { name: 'ssl.keystore.key', type: 'password', default: null, dynamic: 'per-listener', doc: 'Private key in PEM form.' },
  { name: 'ssl.keystore.location', type: 'string', default: null, dynamic: 'per-listener', doc: 'Keystore file.' },
  { name: 'ssl.keystore.password', type: 'password', default: null, dynamic: 'per-listener', doc: 'Keystore password.' },
  { name: 'ssl.keystore.type', type: 'string', default: 'JKS', dynamic: 'per-listener', doc: 'Keystore format.' },
  { name: 'ssl.principal.mapping.rules', type: 'string', default: 'DEFAULT', doc: 'Rules mapping certificate DNs to short names.' },
  { name: 'ssl.protocol', type: 'string', default: 'TLSv1.3', dynamic: 'per-broker', doc: 'TLS protocol used to build the context.' },
  { name: 'ssl.provider', type: 'string', default: null, dynamic: 'per-broker', doc: 'Security provider for TLS.' },
  { name: 'ssl.secure.random.implementation', type: 'string', default: null, dynamic: 'per-broker', doc: 'SecureRandom implementation for TLS.' },
  { name: 'ssl.trustmanager.algorithm', type: 'string', default: 'PKIX', dynamic: 'per-broker', doc: 'Trust manager algorithm.' },
  { name: 'ssl.truststore.certificates', type: 'password', default: null, dynamic: 'per-listener', doc: 'Trusted certificates in PEM form.' },
  { name: 'ssl.truststore.location', type: 'string', default: null, dynamic: 'per-listener', doc: 'Truststore file.' },
  { name: 'ssl.truststore.password', type: 'password', default: null, dynamic: 'per-listener', doc: 'Truststore password.' },
  { name: 'ssl.truststore.type', type: 'string', default: 'JKS', dynamic: 'per-listener', doc: 'Truststore format.' },
  { name: 'telemetry.max.bytes', type: 'int', default: '1048576', doc: 'Largest client telemetry payload accepted.' },
  { name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', type: 'int', default: '10000', doc: 'Interval between aborts of timed-out transactions.' },
  { name: 'transaction.max.timeout.ms', type: 'int', default: '900000', doc: 'Largest transaction timeout a producer may ask for.' },
  { name: 'transaction.partition.verification.enable', type: 'boolean', default: 'true', dynamic: true, doc: 'Verify a partition is in a transaction before writing to it.' },
  { name: 'transaction.remove.expired.transaction.cleanup.interval.ms', type: 'int', default: '3600000', doc: 'Interval between removals of expired transactional ids.' },
  { name: 'transaction.state.log.load.buffer.size', type: 'int', default: '5242880', doc: 'Read size when loading __transaction_state.' },
  { name: 'transaction.state.log.min.isr', type: 'int', default: '2', doc: 'min.insync.replicas of __transaction_state.' },
  { name: 'transaction.state.log.num.partitions', type: 'int', default: '50', doc: 'Partition count of __transaction_state.' },
  { name: 'transaction.state.log.replication.factor', type: 'short', default: '3', doc: 'Replication factor of __transaction_state.' },
  { name: 'transaction.state.log.segment.bytes', type: 'int', default: '104857600', doc: 'Segment size of __transaction_state.' },
  { name: 'transaction.two.phase.commit.enable', type: 'boolean', default: 'false', doc: 'Let producers take part in two-phase commit (KIP-939).' },
  { name: 'unclean.leader.election.enable', type: 'boolean', default: 'false', dynamic: true, doc: 'Allow a replica outside the ISR to become leader, at the risk of data loss.' },
  { name: 'follower.replication.throttled.rate', type: 'long', default: LONG_MAX, dynamic: true, min: 0, unlisted: true, doc: 'Replication rate limit of throttled follower replicas, bytes per second.' },
  { name: 'leader.replication.throttled.rate', type: 'long', default: LONG_MAX, dynamic: true, min: 0, unlisted: true, doc: 'Replication rate limit of throttled leader replicas, bytes per second.' },
  { name: 'replica.alter.log.dirs.io.max.bytes.per.second', type: 'long', default: LONG_MAX, dynamic: true, min: 0, unlisted: true, doc: 'Rate limit of moving replicas between log dirs, bytes per second.' },
  { name: 'group.consumer.assignor.offload.enable', type: 'boolean', default: 'true', dynamic: true, unlisted: true, doc: 'Run the consumer group assignor off the coordinator thread.' },
  { name: 'group.share.assignor.offload.enable', type: 'boolean', default: 'true', dynamic: true, unlisted: true, doc: 'Run the share group assignor off the coordinator thread.' },
  // Internal in Kafka (not listed): how often the controller looks for partitions an unclean election could bring back.
  { name: 'unclean.leader.election.interval.ms', type: 'long', default: '300000', min: 1, unlisted: true, doc: 'Interval between the controller\'s checks for unclean leader elections.' },
  { name: 'group.streams.assignor.offload.enable', type: 'boolean', default: 'true', dynamic: true, unlisted: true, doc: 'Run the streams group assignor off the coordinator thread.' },
];

export const TOPIC_CONFIGS: readonly ConfigDef[] = [
  { name: 'cleanup.policy', type: 'list', default: 'delete', brokerSynonym: 'log.cleanup.policy', validValues: ['compact', 'delete'], doc: 'How old segments go: "delete" by retention, "compact" keeps the latest record per key, or both.' },
  { name: 'compression.type', type: 'string', default: 'producer', brokerSynonym: 'compression.type', validValues: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'], doc: 'Codec batches are stored with; "producer" keeps what the producer sent, "uncompressed" stores none.' },
  { name: 'delete.retention.ms', type: 'long', default: '86400000', brokerSynonym: 'log.cleaner.delete.retention.ms', min: 0, doc: 'How long tombstones stay readable in a compacted topic after compaction.' },
  { name: 'file.delete.delay.ms', type: 'long', default: '60000', brokerSynonym: 'log.segment.delete.delay.ms', min: 0, doc: 'Delay before a deleted segment file is removed from disk.' },
  { name: 'flush.messages', type: 'long', default: LONG_MAX, brokerSynonym: 'log.flush.interval.messages', min: 1, doc: 'Messages written between forced fsyncs of the log.' },
  { name: 'flush.ms', type: 'long', default: LONG_MAX, brokerSynonym: 'log.flush.interval.ms', min: 0, doc: 'Longest time data may wait before a forced fsync of the log.' },
  { name: 'index.interval.bytes', type: 'int', default: '4096', brokerSynonym: 'log.index.interval.bytes', min: 0, doc: 'Bytes of log between offset index entries.' },
  { name: 'max.compaction.lag.ms', type: 'long', default: LONG_MAX, brokerSynonym: 'log.cleaner.max.compaction.lag.ms', min: 1, doc: 'Longest a record may stay uncompacted.' },
  { name: 'max.message.bytes', type: 'int', default: '1048588', brokerSynonym: 'message.max.bytes', min: 0, doc: 'Largest record batch the topic accepts, after compression.' },
  { name: 'message.timestamp.type', type: 'string', default: 'CreateTime', brokerSynonym: 'log.message.timestamp.type', validValues: ['CreateTime', 'LogAppendTime'], doc: 'Whether records keep the producer\'s timestamp (CreateTime) or get the broker\'s (LogAppendTime).' },
  { name: 'message.timestamp.before.max.ms', type: 'long', default: LONG_MAX, brokerSynonym: 'log.message.timestamp.before.max.ms', min: 0, doc: 'How far in the past a CreateTime timestamp may be.' },
  { name: 'message.timestamp.after.max.ms', type: 'long', default: '3600000', brokerSynonym: 'log.message.timestamp.after.max.ms', min: 0, doc: 'How far in the future a CreateTime timestamp may be.' },
  { name: 'min.cleanable.dirty.ratio', type: 'double', default: '0.5', brokerSynonym: 'log.cleaner.min.cleanable.ratio', min: 0, max: 1, doc: 'Share of uncompacted log that makes a partition eligible for compaction.' },
  { name: 'min.compaction.lag.ms', type: 'long', default: '0', brokerSynonym: 'log.cleaner.min.compaction.lag.ms', min: 0, doc: 'Shortest time a record stays uncompacted.' },
  { name: 'min.insync.replicas', type: 'int', default: '1', brokerSynonym: 'min.insync.replicas', min: 1, doc: 'Default for min.insync.replicas.' },
  { name: 'retention.bytes', type: 'long', default: '-1', brokerSynonym: 'log.retention.bytes', doc: 'Largest size a partition may grow to before old segments are deleted (-1: no limit).' },
  { name: 'retention.ms', type: 'long', default: '604800000', brokerSynonym: 'log.retention.ms', min: -1, doc: 'How long records are kept before their segment is deleted (-1: forever).' },
  { name: 'segment.bytes', type: 'int', default: '1073741824', brokerSynonym: 'log.segment.bytes', min: 14, doc: 'Size at which a log segment is rolled.' },
  { name: 'segment.index.bytes', type: 'int', default: '10485760', brokerSynonym: 'log.index.size.max.bytes', min: 4, doc: 'Size of each segment\'s offset index file.' },
  { name: 'segment.ms', type: 'long', default: '604800000', brokerSynonym: 'log.roll.ms', min: 1, doc: 'Age at which a log segment is rolled even if not full.' },
  { name: 'compression.gzip.level', type: 'int', default: '-1', brokerSynonym: 'compression.gzip.level', rule: 'gzip-level', doc: 'gzip level used when the broker compresses with gzip (-1: codec default).' },
  { name: 'compression.lz4.level', type: 'int', default: '9', brokerSynonym: 'compression.lz4.level', min: 1, max: 17, doc: 'lz4 level used when the broker compresses with lz4.' },
  { name: 'compression.zstd.level', type: 'int', default: '3', brokerSynonym: 'compression.zstd.level', min: -131072, max: 22, doc: 'zstd level used when the broker compresses with zstd.' },
  { name: 'follower.replication.throttled.replicas', type: 'list', default: '', rule: 'throttled-replicas', doc: 'Follower replicas whose replication is throttled ("*" for all).' },
  { name: 'leader.replication.throttled.replicas', type: 'list', default: '', rule: 'throttled-replicas', doc: 'Leader replicas whose replication is throttled ("*" for all).' },
  { name: 'local.retention.bytes', type: 'long', default: '-2', brokerSynonym: 'log.local.retention.bytes', min: -2, doc: 'Bytes kept locally when tiered storage is on (-2: use retention.bytes).' },
  { name: 'local.retention.ms', type: 'long', default: '-2', brokerSynonym: 'log.local.retention.ms', min: -2, doc: 'Time data is kept locally when tiered storage is on (-2: use retention.ms).' },
  { name: 'preallocate', type: 'boolean', default: 'false', brokerSynonym: 'log.preallocate', doc: 'Preallocate segment files when they are created.' },
  { name: 'remote.log.copy.disable', type: 'boolean', default: 'false', doc: 'Stop copying segments to tiered storage.' },
  { name: 'remote.log.delete.on.disable', type: 'boolean', default: 'false', doc: 'Delete tiered data when tiered storage is turned off for the topic.' },
  { name: 'remote.storage.enable', type: 'boolean', default: 'false', doc: 'Turn on tiered storage for the topic.' },
  { name: 'segment.jitter.ms', type: 'long', default: '0', brokerSynonym: 'log.roll.jitter.ms', min: 0, doc: 'Random jitter subtracted from segment.ms to spread segment rolls.' },
  { name: 'unclean.leader.election.enable', type: 'boolean', default: 'false', brokerSynonym: 'unclean.leader.election.enable', doc: 'Allow a replica outside the ISR to become leader, at the risk of data loss.' },
  { name: 'max.decompressed.message.bytes', type: 'int', default: '2147483639', brokerSynonym: 'max.decompressed.message.bytes', min: 1, max: 2147483639, doc: 'Largest size a record batch of the topic may decompress to.' },
  { name: 'remote.copy.lag.bytes', type: 'long', default: '-1', brokerSynonym: 'log.remote.copy.lag.bytes', min: -1, doc: 'Bytes a segment may wait before it is copied to tiered storage (-1: none).' },
  { name: 'remote.copy.lag.ms', type: 'long', default: '0', brokerSynonym: 'log.remote.copy.lag.ms', min: -1, doc: 'Time a segment may wait before it is copied to tiered storage.' },
  { name: 'errors.deadletterqueue.group.enable', type: 'boolean', default: 'false', doc: 'Let a streams group write failed records of this topic to a dead-letter topic.' },
];

/**
 * samsa's own settings, with no Kafka name to borrow: accepted at start-up like broker configs but
 * never listed by DescribeConfigs nor changed by AlterConfigs, so a Kafka client sees none of them.
 */
export const SAMSA_CONFIGS: readonly ConfigDef[] = [
  // Kafka serves client telemetry (KIP-714) only with a ClientTelemetry metrics reporter plugin configured.
  { name: 'samsa.client.telemetry.enable', type: 'boolean', default: 'false', doc: 'Advertise GetTelemetrySubscriptions and PushTelemetry and keep the latest metrics each client pushes.' },
  // The one client-metrics subscription every client matches (Kafka's `metrics` and `interval.ms` of a CLIENT_METRICS resource).
  { name: 'samsa.client.telemetry.metrics', type: 'list', default: '*', doc: 'Metric name prefixes clients are asked to push ("*": all, empty: none).' },
  { name: 'samsa.client.telemetry.push.interval.ms', type: 'int', default: '300000', min: 100, max: 3600000, doc: 'How often clients push their metrics.' },
  { name: 'samsa.client.telemetry.max.clients', type: 'int', default: '1000', min: 1, doc: 'Clients whose latest metrics are kept (least recently pushed dropped first).' },
  // The HTTP port (/metrics, /api/faults, the console); unset: none. 0 picks a free port.
  { name: 'samsa.http.port', type: 'int', default: null, min: 0, max: 65535, doc: 'Port of the HTTP server (/metrics, /api/faults, the console); unset: no HTTP server, 0: a free port.' },
  { name: 'samsa.http.host', type: 'string', default: null, doc: "Address the HTTP server binds (127.0.0.1: this machine only); unset: the first listener's host." },
];

const BROKER_BY_NAME = new Map(BROKER_CONFIGS.map((d) => [d.name, d]));
const SETTING_BY_NAME = new Map([...BROKER_CONFIGS, ...SAMSA_CONFIGS].map((d) => [d.name, d]));
const TOPIC_BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

export function brokerConfigDef(name: string): ConfigDef | undefined {
  return BROKER_BY_NAME.get(name);
}
export function topicConfigDef(name: string): ConfigDef | undefined {
  return TOPIC_BY_NAME.get(name);
}

/** Kafka's prefix of per-listener settings. */
const LISTENER_PREFIX = 'listener.name.';

/** Broker settings as given (--config key=value), falling back to the table's defaults. */
export class BrokerConfig {
  private readonly values = new Map<string, string>();

  constructor(overrides: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(overrides)) {
      // Per-listener settings (listener.name.<name>.<config>) are read by the listener that owns them.
      if (k.startsWith(LISTENER_PREFIX)) {
        this.values.set(k, v);
        continue;
      }
      if (!SETTING_BY_NAME.has(k)) throw new Error(`unknown broker config '${k}'`);
      checkValue(SETTING_BY_NAME.get(k)!, v);
      this.values.set(k, v);
    }
  }

  /** The explicitly set value, or undefined. */
  explicit(name: string): string | undefined {
    return this.values.get(name);
  }

  get(name: string): string | null {
    const v = this.values.get(name);
    if (v !== undefined) return v;
    // Kafka derives a few ms settings from their coarser siblings when unset.
    if (name === 'log.retention.ms') {
      const minutes = this.values.get('log.retention.minutes');
      if (minutes !== undefined) return String(Number(minutes) * 60000);
      return String(Number(this.get('log.retention.hours')) * 3600000);
    }
    if (name === 'log.roll.jitter.ms') return String(Number(this.get('log.roll.jitter.hours')) * 3600000);
    if (name === 'log.roll.ms') return String(Number(this.get('log.roll.hours')) * 3600000);
    if (name === 'log.flush.interval.ms') return this.get('log.flush.interval.messages') === LONG_MAX ? LONG_MAX : null;
    return SETTING_BY_NAME.get(name)?.default ?? null;
  }

  number(name: string): number {
    return Number(this.get(name));
  }

  bool(name: string): boolean {
    return this.get(name) === 'true';
  }

  /** The default for a topic config on this broker (its broker synonym's value). */
  topicDefault(name: string): string | null {
    const def = TOPIC_BY_NAME.get(name);
    if (!def) return null;
    const fromBroker = def.brokerSynonym ? this.get(def.brokerSynonym) : null;
    return fromBroker ?? def.default;
  }

  /** The effective LogConfig for a topic with the given per-topic overrides. */
  logConfig(topicOverrides: Record<string, string> = {}): LogConfig {
    const v = (name: string) => topicOverrides[name] ?? this.topicDefault(name) ?? '';
    return {
      segmentBytes: Number(v('segment.bytes')),
      segmentMs: Number(v('segment.ms')),
      indexIntervalBytes: Number(v('index.interval.bytes')),
      maxMessageBytes: Number(v('max.message.bytes')),
      timestampType: v('message.timestamp.type') === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
      timestampBeforeMaxMs: Number(v('message.timestamp.before.max.ms')),
      timestampAfterMaxMs: Number(v('message.timestamp.after.max.ms')),
      flushMessages: Number(v('flush.messages')),
      flushMs: Number(v('flush.ms')),
      retentionMs: Number(v('retention.ms')),
      retentionBytes: Number(v('retention.bytes')),
      cleanupPolicy: v('cleanup.policy').split(',').map((s) => s.trim()),
      compressionType: v('compression.type'),
      minInsyncReplicas: Number(v('min.insync.replicas')),
      deleteRetentionMs: Number(v('delete.retention.ms')),
      minCompactionLagMs: Number(v('min.compaction.lag.ms')),
      maxCompactionLagMs: Number(v('max.compaction.lag.ms')),
      minCleanableDirtyRatio: Number(v('min.cleanable.dirty.ratio')),
      fileDeleteDelayMs: Number(v('file.delete.delay.ms')),
    };
  }
}

/** The per-partition settings the storage engine and produce path act on. */
export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  indexIntervalBytes: number;
  maxMessageBytes: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  /** How far a CreateTime timestamp may lie in the past / future (Kafka 3.6+ configs). */
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  flushMessages: number;
  flushMs: number;
  retentionMs: number;
  retentionBytes: number;
  cleanupPolicy: string[];
  compressionType: string;
  minInsyncReplicas: number;
  /** How long tombstones survive compaction once their batch got a delete horizon. */
  deleteRetentionMs: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
  minCleanableDirtyRatio: number;
  /** How long replaced segment files stay readable before they are unlinked. */
  fileDeleteDelayMs: number;
}

/** Throws a one-line error when `value` does not parse as the config's type. */
export function checkValue(def: ConfigDef, value: string): void {
  const bad = () => new Error(`invalid value '${value}' for config '${def.name}' (${def.type})`);
  switch (def.type) {
    case 'short':
    case 'int':
    case 'long':
      if (!/^-?\d+$/.test(value)) throw bad();
      break;
    case 'double':
      if (Number.isNaN(Number(value)) || value.trim() === '') throw bad();
      break;
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw bad();
      break;
    default:
      break;
  }
}
