// Metadata v10-13 and topic ids over a real socket, in samsa's generated codecs, expectations from
// Apache Kafka 4.4.0's answers to the same requests: v12+ looks topics up by id (UNKNOWN_TOPIC_ID
// for an id it does not know); v10-11 carry the id field but Kafka refuses a request that uses it,
// or a null name, as a whole (INVALID_REQUEST on every topic, no brokers); v13's top-level error
// code is 0 on a normal answer.
import t from 'tap';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { GroupWire } from '../coordinator/group-wire.js';

const E = { NONE: 0, UNKNOWN_TOPIC_OR_PARTITION: 3, INVALID_REQUEST: 42, UNKNOWN_TOPIC_ID: 100 };
const ZERO_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const UNKNOWN_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

let b: RunningBroker;
let c: GroupWire;
let id: string;
t.before(async () => {
  b = await startBroker({ port: 0, memory: true });
  id = (await b.broker.createTopic('md', 2, {})).topicId;
  c = await GroupWire.connect(t, b);
});
t.teardown(() => b.close());

const metadata = (version: number, topics: { name: string | null; topicId?: string }[] | null) =>
  c.call(MetadataRequest, MetadataResponse, version, {
    topics: topics && topics.map((x) => ({ name: x.name, topicId: x.topicId ?? ZERO_ID })),
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
const brief = (r: MetadataResponse) => r.topics.map((x) => [x.errorCode, x.name, x.topicId, x.partitions.length]);

t.test('v12 and v13 look topics up by name or id', async (t) => {
  for (const version of [12, 13]) {
    const r = await metadata(version, [{ name: 'md' }, { name: null, topicId: id }, { name: null, topicId: UNKNOWN_ID }, { name: 'nope' }]);
    t.same(brief(r), [[E.NONE, 'md', id, 2], [E.NONE, 'md', id, 2], [E.UNKNOWN_TOPIC_ID, null, UNKNOWN_ID, 0], [E.UNKNOWN_TOPIC_OR_PARTITION, 'nope', ZERO_ID, 0]], `v${version}`);
    t.equal(r.brokers.length, 1);
    t.equal(r.errorCode, E.NONE, `v${version}: top-level error code 0${version < 13 ? ' (the decoder\'s default)' : ''}`);
  }
});

t.test('v10 and v11 refuse topic ids and null names as a whole request', async (t) => {
  for (const version of [10, 11]) {
    t.same(brief(await metadata(version, [{ name: 'md' }])), [[E.NONE, 'md', id, 2]], `v${version} by name`);
    for (const topics of [[{ name: null, topicId: id }], [{ name: 'md', topicId: id }], [{ name: null }]]) {
      const r = await metadata(version, [{ name: 'md' }, ...topics]);
      t.same(
        brief(r),
        [[E.INVALID_REQUEST, 'md', ZERO_ID, 0], ...topics.map((x) => [E.INVALID_REQUEST, x.name ?? '', x.topicId ?? ZERO_ID, 0])],
        `v${version}: ${JSON.stringify(topics)} fails every topic`,
      );
      t.same([r.brokers, r.clusterId, r.controllerId], [[], null, -1], 'and names no broker');
    }
  }
});
