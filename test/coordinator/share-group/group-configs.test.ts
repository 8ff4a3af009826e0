// A share group's own configs (GROUP config resources, IncrementalAlterConfigs) over the broker's
// group.share.* values: the heartbeat interval a member is told and its session timeout.
import t from 'tap';
import { startBroker } from '../../../src/index.js';
import { ErrorCode as E } from '../../../src/protocol/errors.js';
import { codecRequest } from '../../metadata/helpers.js';
import { CLIENT, hb } from './fixture.js';

const GROUP_RESOURCE = 32;

t.test('share.heartbeat.interval.ms and share.session.timeout.ms of a group override the broker defaults', async (t) => {
  const b = await startBroker({ port: 0, memory: true, config: { 'offsets.topic.num.partitions': '1', 'group.share.min.session.timeout.ms': '1000' } });
  t.teardown(() => b.close());
  await b.broker.groups.whenLoaded();
  await b.broker.createTopic('c', 1, {});
  const r = await codecRequest('127.0.0.1', b.port, 'IncrementalAlterConfigs', 1, {
    validateOnly: false,
    resources: [
      {
        resourceType: GROUP_RESOURCE,
        resourceName: 'tuned',
        configs: [
          { name: 'share.heartbeat.interval.ms', configOperation: 0, value: '6000' },
          { name: 'share.session.timeout.ms', configOperation: 0, value: '50000' },
        ],
      },
    ],
  });
  t.same([r.responses[0].errorCode, r.responses[0].errorMessage], [E.NONE, null]);
  const s = b.broker.groups.shareGroups;
  const tuned = await s.heartbeat(hb('tuned', 'm', 0, ['c']), CLIENT);
  t.same([tuned.errorCode, tuned.heartbeatIntervalMs], [E.NONE, 6000], 'the group override');
  const plain = await s.heartbeat(hb('plain', 'm', 0, ['c']), CLIENT);
  t.same([plain.errorCode, plain.heartbeatIntervalMs], [E.NONE, 5000], 'group.share.heartbeat.interval.ms');
  t.equal(b.broker.groups.share.settings.number('tuned', 'share.session.timeout.ms'), 50000);
  t.equal(b.broker.groups.share.settings.number('plain', 'share.session.timeout.ms'), 45000);
});
