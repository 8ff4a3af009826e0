// What the controller listener's cluster-membership handlers (BrokerRegistration, BrokerHeartbeat,
// UnregisterBroker, ControllerRegistration, AllocateProducerIds) reach: the controller's
// operations, which fail with NOT_CONTROLLER unless this node is the active controller.
import type { RequestInfo } from '../../network/api.js';
import type { Controller } from '../../metadata/controller.js';
import { ErrorCode } from '../../protocol/errors.js';
import { KafkaError } from '../../storage/types.js';

export type ClusterOperations = Pick<Controller, 'registerBrokerRequest' | 'brokerHeartbeat' | 'unregisterBroker' | 'registerController' | 'allocateProducerIds' | 'alterPartition' | 'assignReplicasToDirs'>;

export interface ClusterRequestContext extends RequestInfo {
  /** This node's controller (null on a node without the controller role). */
  readonly clusterControl: ClusterOperations | null;
}

/** The controller's operations, or NOT_CONTROLLER when this node runs none. */
export function clusterControl(ctx: ClusterRequestContext): ClusterOperations {
  if (!ctx.clusterControl) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not a controller.');
  return ctx.clusterControl;
}

/** The error code a failed operation is answered with (Kafka's Errors.forException). */
export function errorCodeOf(e: unknown): number {
  return e instanceof KafkaError ? e.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR;
}

/** The message a failed operation is answered with, where the response has one. */
export function errorMessageOf(e: unknown): string | null {
  return e instanceof Error ? e.message : String(e);
}
