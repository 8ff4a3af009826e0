// The per-broker configs kafka-reassign-partitions sets (its throttle rates, BROKER resource "N" sent
// to broker N) in a cluster: the receiving broker forwards its own resource to the active controller,
// which takes any broker's (here the controller is not the broker asked), and refuses one naming
// another broker itself, as Kafka's ConfigAdminManager.preprocess does: INVALID_REQUEST "Unexpected
// broker id" / "Node id must be an integer" (a duplicate key's error first), answers in request order.
import t from 'tap';
import { startCluster } from '../../src/node/cluster.js';
import { NodeClient } from '../../src/network/node-client.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ResourceType } from '../../src/metadata/records.js';
import { IncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/incremental-alter-configs-response.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(120_000);

const SET = 0;
const RATE = 'follower.replication.throttled.rate';

t.test("a broker forwards its own BROKER resource and refuses another broker's", async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t) });
  t.teardown(() => c.close());
  const quorumLeader = await waitUntil('a quorum leader', 30_000, () => c.leader());
  // A broker that is not the active controller: the change must travel.
  const asked = c.nodes.find((n) => n.nodeId !== quorumLeader.nodeId)!;
  const [host, port] = asked.bootstrap!.split(':');
  const client = new NodeClient({ nodeId: -1, clientId: 'reassign-broker-configs', requestTimeoutMs: 30_000 });
  t.teardown(() => client.close());
  client.setEndpoint(asked.nodeId, { host, port: Number(port) });
  const other = c.nodes.find((n) => n.nodeId !== asked.nodeId)!.nodeId;
  const res = await client.send(asked.nodeId, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
    validateOnly: false,
    resources: [
      { resourceType: ResourceType.BROKER, resourceName: String(other), configs: [{ name: RATE, configOperation: SET, value: '2000' }] },
      { resourceType: ResourceType.BROKER, resourceName: String(asked.nodeId), configs: [{ name: RATE, configOperation: SET, value: '1000' }] },
      { resourceType: ResourceType.BROKER, resourceName: 'x', configs: [{ name: RATE, configOperation: SET, value: '1000' }] },
      { resourceType: ResourceType.BROKER, resourceName: String(other), configs: [{ name: RATE, configOperation: SET, value: '1' }, { name: RATE, configOperation: SET, value: '2' }] },
    ],
  });
  t.same(
    res.responses.map((r) => [r.resourceName, r.errorCode, r.errorMessage]),
    [
      [String(other), ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${asked.nodeId}, but received ${other}`],
      [String(asked.nodeId), ErrorCode.NONE, null],
      ['x', ErrorCode.INVALID_REQUEST, 'Node id must be an integer, but it is: x'],
      [String(other), ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys'],
    ],
    'refused here in request order; its own resource forwarded and taken',
  );
  await waitUntil('the rate in every image', 30_000, () => c.nodes.every((n) => n.node?.metadata.image.configs.get(ResourceType.BROKER, String(asked.nodeId)).get(RATE) === '1000'));
  t.notOk(quorumLeader.node!.metadata.image.configs.get(ResourceType.BROKER, String(other)).has(RATE), "the other broker's resource was not changed");
});
