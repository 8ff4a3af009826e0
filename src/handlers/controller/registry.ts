// The controller listener's APIs (Kafka's ControllerApis): what `controller.listener.names`
// listeners serve and advertise. The quorum's own APIs here; the controller's join them.
import type { ApiRegistry } from '../../network/api.js';
import type { Handler } from '../handler.js';
import type { ControllerRequestContext } from './context.js';
import fetch from './01-fetch.js';
import apiVersions from './18-api-versions.js';
import vote from './52-vote.js';
import beginQuorumEpoch from './53-begin-quorum-epoch.js';
import endQuorumEpoch from './54-end-quorum-epoch.js';
import describeQuorum from './55-describe-quorum.js';
import fetchSnapshot from './59-fetch-snapshot.js';
import addRaftVoter from './80-add-raft-voter.js';
import removeRaftVoter from './81-remove-raft-voter.js';
import updateRaftVoter from './82-update-raft-voter.js';
import saslHandshake from '../17-sasl-handshake.js';
import saslAuthenticate from '../36-sasl-authenticate.js';
import { clusterAuthorized, Op } from '../authorize.js';
import { ErrorCode } from '../../protocol/errors.js';
import { withRequestQuota } from '../../quota/throttled-handlers.js';
import { CONTROLLER_ADMIN_HANDLERS, CONTROLLER_CLUSTER_HANDLERS, type ControllerApisContext } from './controller-apis.js';

/** The controller listener's context: the quorum's part and the controller's (cluster membership, admin APIs). */
export type ControllerListenerContext = ControllerRequestContext & ControllerApisContext;


/**
 * The operation on the cluster Kafka's ControllerApis requires of the quorum's and the cluster's own
 * APIs (the peers' principals need it: super.users or an ACL), by API key. DescribeCluster and
 * the admin APIs check their own resources in their handlers.
 */
const CLUSTER_OPERATION = new Map<number, number>([
  [1, Op.CLUSTER_ACTION], // Fetch of the metadata log
  [52, Op.CLUSTER_ACTION], // Vote
  [53, Op.CLUSTER_ACTION], // BeginQuorumEpoch
  [54, Op.CLUSTER_ACTION], // EndQuorumEpoch
  [55, Op.DESCRIBE], // DescribeQuorum
  [56, Op.CLUSTER_ACTION], // AlterPartition
  [58, Op.CLUSTER_ACTION], // Envelope
  [59, Op.CLUSTER_ACTION], // FetchSnapshot
  [62, Op.CLUSTER_ACTION], // BrokerRegistration
  [63, Op.CLUSTER_ACTION], // BrokerHeartbeat
  [64, Op.ALTER], // UnregisterBroker
  [67, Op.CLUSTER_ACTION], // AllocateProducerIds
  [70, Op.CLUSTER_ACTION], // ControllerRegistration
  [73, Op.CLUSTER_ACTION], // AssignReplicasToDirs
  [80, Op.ALTER], // AddRaftVoter
  [81, Op.ALTER], // RemoveRaftVoter
  [82, Op.CLUSTER_ACTION], // UpdateRaftVoter
]);

/** `h` answering CLUSTER_AUTHORIZATION_FAILED (its top-level error code, every other field at its default) when the principal lacks the operation. */
function clusterChecked(h: Handler<any, any, ControllerListenerContext>): Handler<any, any, ControllerListenerContext> {
  const operation = CLUSTER_OPERATION.get(h.apiKey);
  if (operation === undefined) return h;
  return { ...h, handle: (ctx, req) => (clusterAuthorized(ctx, operation) ? h.handle(ctx, req) : { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }) };
}

/**
 * Answered outside the request quota, as Kafka's ControllerApis sends them (sendResponseExemptThrottle):
 * the quorum's requests and AlterPartition; an Envelope's inner request is handled as itself.
 */
const REQUEST_QUOTA_EXEMPT: ReadonlySet<number> = new Set([1, 52, 53, 54, 55, 56, 58, 59, 80, 81, 82]);

/** Every other API's handler time counts under request_percentage, its refusals included (Kafka's sendResponseMaybeThrottle). */
function quotaChecked(h: Handler<any, any, ControllerListenerContext>): Handler<any, any, ControllerListenerContext> {
  return withRequestQuota(h as Handler, REQUEST_QUOTA_EXEMPT) as Handler<any, any, ControllerListenerContext>;
}

export const CONTROLLER_HANDLERS: ApiRegistry<ControllerListenerContext> = new Map(
  [fetch, apiVersions, vote, beginQuorumEpoch, endQuorumEpoch, describeQuorum, fetchSnapshot, addRaftVoter, removeRaftVoter, updateRaftVoter, saslHandshake, saslAuthenticate, ...CONTROLLER_CLUSTER_HANDLERS, ...CONTROLLER_ADMIN_HANDLERS].map((h) => [
    h.apiKey,
    quotaChecked(clusterChecked(h as Handler<any, any, ControllerListenerContext>)),
  ]),
);
