// What the controller listener serves besides the quorum's own APIs (Kafka's ControllerApis):
// cluster membership (BrokerRegistration, BrokerHeartbeat, UnregisterBroker, ControllerRegistration,
// AllocateProducerIds), forwarded requests (Envelope), DescribeCluster for controllers, and the
// admin APIs, served by the broker's handler modules against a controller-side BrokerContext.
import type { Handler, RequestContext } from '../handler.js';
import createTopics from '../19-create-topics.js';
import deleteTopics from '../20-delete-topics.js';
import describeConfigs from '../32-describe-configs.js';
import alterConfigs from '../33-alter-configs.js';
import createPartitions from '../37-create-partitions.js';
import electLeaders from '../43-elect-leaders.js';
import incrementalAlterConfigs from '../44-incremental-alter-configs.js';
import alterPartitionReassignments from '../45-alter-partition-reassignments.js';
import listPartitionReassignments from '../46-list-partition-reassignments.js';
import updateFeatures from '../57-update-features.js';
import alterUserScramCredentials from '../51-alter-user-scram-credentials.js';
import alterClientQuotas from '../49-alter-client-quotas.js';
import createAcls from '../30-create-acls.js';
import deleteAcls from '../31-delete-acls.js';
import createDelegationToken from '../38-create-delegation-token.js';
import renewDelegationToken from '../39-renew-delegation-token.js';
import expireDelegationToken from '../40-expire-delegation-token.js';
import envelope from './58-envelope.js';
import describeCluster, { type DescribeClusterControllerContext } from './60-describe-cluster.js';
import brokerRegistration from './62-broker-registration.js';
import brokerHeartbeat from './63-broker-heartbeat.js';
import unregisterBroker from './64-unregister-broker.js';
import alterPartition from './56-alter-partition.js';
import allocateProducerIds from './67-allocate-producer-ids.js';
import controllerRegistration from './70-controller-registration.js';
import assignReplicasToDirs from './73-assign-replicas-to-dirs.js';
import type { ClusterRequestContext } from './cluster-context.js';

/** The context these handlers need on the controller listener (the node builds it). */
export type ControllerApisContext = RequestContext & ClusterRequestContext & DescribeClusterControllerContext;

export const CONTROLLER_CLUSTER_HANDLERS: readonly Handler<any, any, any>[] = [
  envelope,
  describeCluster,
  brokerRegistration,
  brokerHeartbeat,
  unregisterBroker,
  alterPartition,
  allocateProducerIds,
  controllerRegistration,
  assignReplicasToDirs,
];

/** The admin APIs Kafka's controller listener serves, as the broker's modules implement them. */
export const CONTROLLER_ADMIN_HANDLERS: readonly Handler<any, any, any>[] = [
  createTopics,
  deleteTopics,
  describeConfigs,
  alterConfigs,
  createPartitions,
  electLeaders,
  incrementalAlterConfigs,
  alterPartitionReassignments,
  listPartitionReassignments,
  updateFeatures,
  alterUserScramCredentials,
  alterClientQuotas,
  createAcls,
  deleteAcls,
  createDelegationToken,
  renewDelegationToken,
  expireDelegationToken,
];
