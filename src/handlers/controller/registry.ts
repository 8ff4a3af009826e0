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
import { CONTROLLER_ADMIN_HANDLERS, CONTROLLER_CLUSTER_HANDLERS, type ControllerApisContext } from './controller-apis.js';

/** The controller listener's context: the quorum's part and the controller's (cluster membership, admin APIs). */
export type ControllerListenerContext = ControllerRequestContext & ControllerApisContext;

export const CONTROLLER_HANDLERS: ApiRegistry<ControllerListenerContext> = new Map(
  [fetch, apiVersions, vote, beginQuorumEpoch, endQuorumEpoch, describeQuorum, fetchSnapshot, addRaftVoter, removeRaftVoter, updateRaftVoter, saslHandshake, saslAuthenticate, ...CONTROLLER_CLUSTER_HANDLERS, ...CONTROLLER_ADMIN_HANDLERS].map((h) => [
    h.apiKey,
    h as Handler<any, any, ControllerListenerContext>,
  ]),
);
