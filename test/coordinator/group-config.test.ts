// GroupConfigs, the view the coordinators read group-level settings through: the group's override,
// else the broker's value; an override the broker's current bounds no longer allow is capped into
// them, as Kafka 4.4's GroupConfig.evaluate does. Plus validateGroupConfigs' rules that need broker
// settings other than the defaults.
import t from 'tap';
import { BrokerConfig } from '../../src/config.js';
import { GroupConfigs, InvalidGroupConfig, validateGroupConfigs } from '../../src/coordinator/group/group-config.js';

function view(overrides: Record<string, Record<string, string>>, broker = new BrokerConfig()) {
  return new GroupConfigs({
    overrides: (groupId) => new Map(Object.entries(overrides[groupId] ?? {})),
    broker: () => broker,
  });
}

t.test('override, else the broker value', async (t) => {
  const broker = new BrokerConfig({ 'group.consumer.session.timeout.ms': '50000', 'group.streams.assignors': 'sticky' });
  const v = view({ g: { 'consumer.heartbeat.interval.ms': '6000', 'share.auto.offset.reset': 'earliest', 'share.isolation.level': ' read_committed ' } }, broker);
  t.equal(v.number('g', 'consumer.heartbeat.interval.ms'), 6000);
  t.equal(v.number('g', 'consumer.session.timeout.ms'), 50000, 'the broker\'s group.consumer.session.timeout.ms');
  t.equal(v.number('other', 'consumer.session.timeout.ms'), 50000);
  t.equal(v.number('g', 'share.record.lock.duration.ms'), 30000);
  t.equal(v.string('g', 'share.auto.offset.reset'), 'earliest');
  t.equal(v.string('other', 'share.auto.offset.reset'), 'latest', 'Kafka\'s default where no broker config stands behind it');
  t.equal(v.string('g', 'share.isolation.level'), 'read_committed', 'trimmed as Kafka parses it');
  t.equal(v.string('g', 'streams.assignor.name'), 'sticky', 'the first of group.streams.assignors');
  t.equal(v.bool('g', 'share.renew.acknowledge.enable'), true);
  t.throws(() => v.number('g', 'no.such.config'), /unknown group config/);
});

t.test('an override outside the broker\'s current bounds is capped', async (t) => {
  // Set when the bounds were wider; the broker has since restarted with the defaults (45000..60000).
  const v = view({ low: { 'consumer.session.timeout.ms': '30000' }, high: { 'consumer.session.timeout.ms': '90000' }, standby: { 'streams.num.standby.replicas': '9' } });
  t.equal(v.number('low', 'consumer.session.timeout.ms'), 45000);
  t.equal(v.number('high', 'consumer.session.timeout.ms'), 60000);
  t.equal(v.number('standby', 'streams.num.standby.replicas'), 2, 'group.streams.max.standby.replicas');
});

t.test('broker bounds other than the defaults', async (t) => {
  const broker = new BrokerConfig({ 'group.share.min.delivery.count.limit': '3', 'group.share.max.delivery.count.limit': '4' });
  const check = (props: Record<string, string>) => {
    try {
      validateGroupConfigs(new Map(Object.entries(props)), broker);
      return null;
    } catch (e) {
      t.ok(e instanceof InvalidGroupConfig);
      return (e as Error).message;
    }
  };
  t.equal(check({ 'share.delivery.count.limit': '5' }), 'share.delivery.count.limit must be in the range 3 to 4 inclusive.');
  t.equal(check({ 'share.delivery.count.limit': '4' }), null);
});
