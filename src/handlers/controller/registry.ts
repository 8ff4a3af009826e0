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

export const CONTROLLER_HANDLERS: ApiRegistry<ControllerRequestContext> = new Map(
  [fetch, apiVersions, vote, beginQuorumEpoch, endQuorumEpoch, describeQuorum, fetchSnapshot].map((h) => [h.apiKey, h as Handler<any, any, ControllerRequestContext>]),
);
