// Every API a broker listener serves, keyed by api key. Dispatch and ApiVersions both read this
// map, so the broker never advertises a version no handler implements.
import type { Handler } from './handler.js';
import produce from './00-produce.js';
import fetch from './01-fetch.js';
import listOffsets from './02-list-offsets.js';
import metadata from './03-metadata.js';
import apiVersions from './18-api-versions.js';
import createTopics from './19-create-topics.js';
import deleteRecords from './21-delete-records.js';
import initProducerId from './22-init-producer-id.js';
import offsetForLeaderEpoch from './23-offset-for-leader-epoch.js';
import offsetCommit from './08-offset-commit.js';
import offsetFetch from './09-offset-fetch.js';
import findCoordinator from './10-find-coordinator.js';
import joinGroup from './11-join-group.js';
import heartbeat from './12-heartbeat.js';
import leaveGroup from './13-leave-group.js';
import syncGroup from './14-sync-group.js';
import describeGroups from './15-describe-groups.js';
import listGroups from './16-list-groups.js';
import deleteGroups from './42-delete-groups.js';
import offsetDelete from './47-offset-delete.js';
import deleteTopics from './20-delete-topics.js';
import createPartitions from './37-create-partitions.js';
import describeConfigs from './32-describe-configs.js';
import alterConfigs from './33-alter-configs.js';
import incrementalAlterConfigs from './44-incremental-alter-configs.js';
import describeLogDirs from './35-describe-log-dirs.js';
import electLeaders from './43-elect-leaders.js';
import listPartitionReassignments from './46-list-partition-reassignments.js';
import updateFeatures from './57-update-features.js';
import describeCluster from './60-describe-cluster.js';
import describeProducers from './61-describe-producers.js';
import describeTopicPartitions from './75-describe-topic-partitions.js';
import alterReplicaLogDirs from './34-alter-replica-log-dirs.js';
import alterPartitionReassignments from './45-alter-partition-reassignments.js';
import describeQuorum from './55-describe-quorum.js';
import getTelemetrySubscriptions from './71-get-telemetry-subscriptions.js';
import pushTelemetry from './72-push-telemetry.js';
import listConfigResources from './74-list-config-resources.js';
import addPartitionsToTxn from './24-add-partitions-to-txn.js';
import addOffsetsToTxn from './25-add-offsets-to-txn.js';
import endTxn from './26-end-txn.js';
import describeTransactions from './65-describe-transactions.js';
import listTransactions from './66-list-transactions.js';
import writeTxnMarkers from './27-write-txn-markers.js';
import txnOffsetCommit from './28-txn-offset-commit.js';
import shareGroupHeartbeat from './76-share-group-heartbeat.js';
import shareGroupDescribe from './77-share-group-describe.js';
import describeShareGroupOffsets from './90-describe-share-group-offsets.js';
import alterShareGroupOffsets from './91-alter-share-group-offsets.js';
import deleteShareGroupOffsets from './92-delete-share-group-offsets.js';
import consumerGroupHeartbeat from './68-consumer-group-heartbeat.js';
import consumerGroupDescribe from './69-consumer-group-describe.js';
import streamsGroupHeartbeat from './88-streams-group-heartbeat.js';
import streamsGroupDescribe from './89-streams-group-describe.js';
import streamsGroupTopologyDescriptionUpdate from './93-streams-group-topology-description-update.js';
import shareFetch from './78-share-fetch.js';
import shareAcknowledge from './79-share-acknowledge.js';
import initializeShareGroupState from './83-initialize-share-group-state.js';
import readShareGroupState from './84-read-share-group-state.js';
import writeShareGroupState from './85-write-share-group-state.js';
import deleteShareGroupState from './86-delete-share-group-state.js';
import readShareGroupStateSummary from './87-read-share-group-state-summary.js';
import saslHandshake from './17-sasl-handshake.js';
import saslAuthenticate from './36-sasl-authenticate.js';
import createDelegationToken from './38-create-delegation-token.js';
import renewDelegationToken from './39-renew-delegation-token.js';
import expireDelegationToken from './40-expire-delegation-token.js';
import describeDelegationToken from './41-describe-delegation-token.js';
import describeClientQuotas from './48-describe-client-quotas.js';
import alterClientQuotas from './49-alter-client-quotas.js';
import describeUserScramCredentials from './50-describe-user-scram-credentials.js';
import alterUserScramCredentials from './51-alter-user-scram-credentials.js';
import describeAcls from './29-describe-acls.js';
import createAcls from './30-create-acls.js';
import deleteAcls from './31-delete-acls.js';
import { withRequestQuota } from '../quota/throttled-handlers.js';

export const HANDLERS: ReadonlyMap<number, Handler> = new Map(
  [
    produce, fetch, listOffsets, metadata, apiVersions, createTopics, deleteRecords, initProducerId, offsetForLeaderEpoch,
    offsetCommit, offsetFetch, findCoordinator, joinGroup, heartbeat, leaveGroup, syncGroup, describeGroups, listGroups, deleteGroups, offsetDelete,
    deleteTopics, createPartitions, describeConfigs, alterConfigs, incrementalAlterConfigs,
    describeLogDirs, electLeaders, listPartitionReassignments, updateFeatures, describeCluster, describeProducers,
    describeTopicPartitions, alterReplicaLogDirs, alterPartitionReassignments, describeQuorum,
    getTelemetrySubscriptions, pushTelemetry, listConfigResources,
    addPartitionsToTxn, addOffsetsToTxn, endTxn, describeTransactions, listTransactions,
    writeTxnMarkers, txnOffsetCommit,
    shareGroupHeartbeat, shareGroupDescribe, describeShareGroupOffsets, alterShareGroupOffsets, deleteShareGroupOffsets,
    consumerGroupHeartbeat, consumerGroupDescribe,
    streamsGroupHeartbeat, streamsGroupDescribe, streamsGroupTopologyDescriptionUpdate,
    shareFetch, shareAcknowledge,
    initializeShareGroupState, readShareGroupState, writeShareGroupState, deleteShareGroupState, readShareGroupStateSummary,
    saslHandshake, saslAuthenticate,
    describeUserScramCredentials, alterUserScramCredentials,
    describeClientQuotas, alterClientQuotas,
    describeAcls, createAcls, deleteAcls,
    createDelegationToken, renewDelegationToken, expireDelegationToken, describeDelegationToken,
  ].map(
    (h) => [h.apiKey, withRequestQuota(h as Handler)],
  ),
);
