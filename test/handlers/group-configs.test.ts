// GROUP config resources (type 32) on the wire: IncrementalAlterConfigs v1 (SET, DELETE; APPEND and
// SUBTRACT refused; validate_only), AlterConfigs v2, DescribeConfigs v4 with synonyms and documentation,
// ListConfigResources v1. Every expected code, message, value, source and synonym is what Apache
// Kafka 4.4.0 answered to the same request (a single node from compat/kafka/broker.sh, default
// group.* bounds); run the cases against such a broker instead of samsa with
//   KAFKA_BOOTSTRAP=127.0.0.1:PORT npx tap test/handlers/group-configs.test.ts
// The last test (session against heartbeat under wider broker bounds) needs its own samsa broker.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { codecRequest } from '../metadata/helpers.js';
import { tempDir } from '../helpers/tmp.js';

const GROUP = 32;
const NONE = 0;
const INVALID_CONFIG = 40;
const INVALID_REQUEST = 42;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;
const GROUP_CONFIG = 8;
const DEFAULT_CONFIG = 5;

type Op = [name: string, op: number, value: string | null];
type Expect = [code: number, message: string | null];

let host: string;
let port: number;
let b: RunningBroker | null = null;
const tag = randomBytes(4).toString('hex');
const g = (name: string) => `${name}-${tag}`;

t.before(async () => {
  const target = process.env.KAFKA_BOOTSTRAP;
  if (target) {
    [host, port] = [target.split(':')[0]!, Number(target.split(':')[1])];
    return;
  }
  b = await startBroker({ port: 0, memory: true });
  [host, port] = [b.host, b.port];
});
t.teardown(() => b?.close());

/** Kafka's broker answers DescribeConfigs from metadata that may trail the controller's answer a little. */
const settle = () => (process.env.KAFKA_BOOTSTRAP ? new Promise((r) => setTimeout(r, 500)) : Promise.resolve());

async function incremental(group: string, ops: Op[], validateOnly = false): Promise<Expect> {
  await settle();
  const r = await codecRequest(host, port, 'IncrementalAlterConfigs', 1, {
    validateOnly,
    resources: [{ resourceType: GROUP, resourceName: group, configs: ops.map(([n, op, value]) => ({ name: n, configOperation: op, value })) }],
  });
  return [r.responses[0].errorCode, r.responses[0].errorMessage];
}

async function legacy(group: string, configs: Record<string, string>, validateOnly = false): Promise<Expect> {
  await settle();
  const r = await codecRequest(host, port, 'AlterConfigs', 2, {
    validateOnly,
    resources: [{ resourceType: GROUP, resourceName: group, configs: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
  });
  return [r.responses[0].errorCode, r.responses[0].errorMessage];
}

interface Described {
  errorCode: number;
  errorMessage: string | null;
  configs: Map<string, { value: string | null; configSource: number; readOnly: boolean; configType: number; documentation: string | null; synonyms: [string, string | null, number][] }>;
}

async function describe(group: string, keys: string[] | null = null, includeDocumentation = false): Promise<Described> {
  await settle();
  const r = await codecRequest(host, port, 'DescribeConfigs', 4, {
    includeSynonyms: true,
    includeDocumentation,
    resources: [{ resourceType: GROUP, resourceName: group, configurationKeys: keys }],
  });
  const res = r.results[0];
  return {
    errorCode: res.errorCode,
    errorMessage: res.errorMessage,
    configs: new Map(
      res.configs.map((c: any) => [
        c.name,
        { value: c.value, configSource: c.configSource, readOnly: c.readOnly, configType: c.configType, documentation: c.documentation, synonyms: c.synonyms.map((s: any) => [s.name, s.value, s.source]) },
      ]),
    ),
  };
}

const LISTED = [
  'consumer.assignment.interval.ms',
  'consumer.heartbeat.interval.ms',
  'consumer.session.timeout.ms',
  'errors.deadletterqueue.copy.record.enable',
  'errors.deadletterqueue.topic.name',
  'share.assignment.interval.ms',
  'share.auto.offset.reset',
  'share.delivery.count.limit',
  'share.heartbeat.interval.ms',
  'share.isolation.level',
  'share.partition.max.record.locks',
  'share.record.lock.duration.ms',
  'share.renew.acknowledge.enable',
  'share.session.timeout.ms',
  'streams.assignment.interval.ms',
  'streams.assignor.name',
  'streams.heartbeat.interval.ms',
  'streams.initial.rebalance.delay.ms',
  'streams.num.standby.replicas',
  'streams.rack.aware.assignment.tags',
  'streams.session.timeout.ms',
];

t.test('a group without overrides: every listed config at the broker\'s value', async (t) => {
  const d = await describe(g('fresh'));
  t.equal(d.errorCode, NONE);
  t.same([...d.configs.keys()].sort(), LISTED, 'the 21 configs Kafka lists (internal ones hidden)');
  t.same(d.configs.get('consumer.session.timeout.ms')!.synonyms, [['group.consumer.session.timeout.ms', '45000', DEFAULT_CONFIG]]);
  t.match(d.configs.get('consumer.session.timeout.ms'), { value: '45000', configSource: DEFAULT_CONFIG, readOnly: false, configType: 3 });
  t.same(d.configs.get('share.auto.offset.reset')!.synonyms, [['share.auto.offset.reset', 'latest', DEFAULT_CONFIG]], 'no broker synonym: named after itself');
  t.same(d.configs.get('streams.assignor.name')!.synonyms, [['group.streams.assignors', 'sticky', DEFAULT_CONFIG]]);
  t.equal(d.configs.get('streams.assignor.name')!.value, 'sticky', 'the first of the broker\'s streams assignors');
  t.equal(d.configs.get('errors.deadletterqueue.topic.name')!.value, '');
  t.match(d.configs.get('streams.rack.aware.assignment.tags'), { value: '', configType: 7 });
  t.match(d.configs.get('share.renew.acknowledge.enable'), { value: 'true', configType: 1 });
  const one = await describe(g('fresh'), ['share.isolation.level'], true);
  t.same([...one.configs.keys()], ['share.isolation.level'], 'only the keys asked for');
  t.ok(one.configs.get('share.isolation.level')!.documentation, 'documentation when asked');
});

t.test('overrides: set, described with their source, listed, deleted, replaced', async (t) => {
  const group = g('g1');
  t.same(
    await incremental(group, [
      ['consumer.session.timeout.ms', SET, '50000'],
      ['share.auto.offset.reset', SET, 'earliest'],
      ['streams.rack.aware.assignment.tags', SET, 'a, b'],
    ]),
    [NONE, null],
  );
  let d = await describe(group);
  t.match(d.configs.get('consumer.session.timeout.ms'), {
    value: '50000',
    configSource: GROUP_CONFIG,
    synonyms: [
      ['consumer.session.timeout.ms', '50000', GROUP_CONFIG],
      ['group.consumer.session.timeout.ms', '45000', DEFAULT_CONFIG],
    ],
  });
  t.same(d.configs.get('streams.rack.aware.assignment.tags')!.synonyms, [
    ['streams.rack.aware.assignment.tags', 'a,b', GROUP_CONFIG],
    ['group.streams.rack.aware.assignment.tags', '', DEFAULT_CONFIG],
  ]);
  t.equal(d.configs.get('share.auto.offset.reset')!.value, 'earliest');

  const list = await codecRequest(host, port, 'ListConfigResources', 1, { resourceTypes: [GROUP] });
  t.equal(list.errorCode, NONE);
  t.ok(list.configResources.some((r: any) => r.resourceName === group && r.resourceType === GROUP), 'ListConfigResources names the group');
  t.notOk(list.configResources.some((r: any) => r.resourceName === g('fresh')), 'a group without configs is not a config resource');

  // Kafka's controller treats no group config as a list: APPEND and SUBTRACT are refused even here.
  const notList = (op: string, name: string): Expect => [INVALID_CONFIG, `Can't ${op} to key ${name} because its type is not LIST.`];
  t.same(await incremental(group, [['streams.rack.aware.assignment.tags', APPEND, 'c,a']]), notList('APPEND', 'streams.rack.aware.assignment.tags'));
  t.same(await incremental(group, [['streams.rack.aware.assignment.tags', SUBTRACT, 'a']]), notList('SUBTRACT', 'streams.rack.aware.assignment.tags'));
  t.equal((await describe(group)).configs.get('streams.rack.aware.assignment.tags')!.value, 'a,b', 'unchanged');
  t.same(await incremental(group, [['consumer.session.timeout.ms', APPEND, '1']]), notList('APPEND', 'consumer.session.timeout.ms'));

  t.same(await incremental(group, [['streams.num.warmup.replicas', SET, '3']]), [NONE, null], 'an internal config may be set');
  d = await describe(group);
  t.match(d.configs.get('streams.num.warmup.replicas'), { value: '3', configSource: GROUP_CONFIG, synonyms: [['streams.num.warmup.replicas', '3', GROUP_CONFIG], ['group.streams.num.warmup.replicas', '2', DEFAULT_CONFIG]] }, 'and is listed once set');

  t.same(await incremental(group, [['consumer.session.timeout.ms', DELETE, null]]), [NONE, null]);
  d = await describe(group);
  t.match(d.configs.get('consumer.session.timeout.ms'), { value: '45000', configSource: DEFAULT_CONFIG });

  t.same(await incremental(group, [['share.delivery.count.limit', SET, '7']], true), [NONE, null], 'validate_only');
  t.equal((await describe(group)).configs.get('share.delivery.count.limit')!.value, '5', 'validate_only writes nothing');

  t.same(await legacy(group, { 'share.delivery.count.limit': '3' }), [NONE, null], 'AlterConfigs replaces the overrides');
  d = await describe(group);
  t.equal(d.configs.get('share.delivery.count.limit')!.value, '3');
  t.equal(d.configs.get('share.auto.offset.reset')!.configSource, DEFAULT_CONFIG, 'the others are gone');
});

t.test('values Kafka refuses, with its messages', async (t) => {
  const group = g('g2');
  const range = (name: string, lo: number, hi: number): Expect => [INVALID_CONFIG, `${name} must be in the range ${lo} to ${hi} inclusive.`];
  const auto = (v: string): Expect => [
    INVALID_CONFIG,
    `Invalid value ${v} for configuration share.auto.offset.reset: Invalid value \`${v}\` for configuration share.auto.offset.reset. The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.`,
  ];
  const cases: [string, Op[], Expect][] = [
    ['below the broker minimum', [['consumer.session.timeout.ms', SET, '10']], range('consumer.session.timeout.ms', 45000, 60000)],
    ['above the broker maximum', [['consumer.session.timeout.ms', SET, '70000']], range('consumer.session.timeout.ms', 45000, 60000)],
    ['not a number', [['consumer.session.timeout.ms', SET, 'abc']], [INVALID_CONFIG, 'Invalid value abc for configuration consumer.session.timeout.ms: Not a number of type INT']],
    ['unknown name', [['foo.bar', SET, '1']], [INVALID_CONFIG, 'Unknown group config name: foo.bar']],
    ['the unknown name before a bad value', [['consumer.session.timeout.ms', SET, 'abc'], ['foo', SET, '1']], [INVALID_CONFIG, 'Unknown group config name: foo']],
    ['heartbeat bounds before session bounds', [['consumer.session.timeout.ms', SET, '1'], ['consumer.heartbeat.interval.ms', SET, '1']], range('consumer.heartbeat.interval.ms', 5000, 15000)],
    ['share delivery count limit', [['share.delivery.count.limit', SET, '11']], range('share.delivery.count.limit', 2, 10)],
    ['share record locks', [['share.partition.max.record.locks', SET, '5000']], range('share.partition.max.record.locks', 100, 4000)],
    ['assignment interval', [['consumer.assignment.interval.ms', SET, '20000']], range('consumer.assignment.interval.ms', 0, 15000)],
    ['the config\'s own minimum first', [['share.record.lock.duration.ms', SET, '500']], [INVALID_CONFIG, 'Invalid value 500 for configuration share.record.lock.duration.ms: Value must be at least 1000']],
    ['standby replicas above the broker maximum', [['streams.num.standby.replicas', SET, '5']], [INVALID_CONFIG, 'streams.num.standby.replicas must be less than or equal to 2']],
    ['warm-up replicas above the broker maximum', [['streams.num.warmup.replicas', SET, '30']], [INVALID_CONFIG, 'streams.num.warmup.replicas must be less than or equal to 20']],
    ['task offset interval below the broker minimum', [['streams.task.offset.interval.ms', SET, '100']], [INVALID_CONFIG, 'streams.task.offset.interval.ms must be greater than or equal to 15000']],
    ['a negative lag', [['streams.acceptable.recovery.lag', SET, '-1']], [INVALID_CONFIG, 'Invalid value -1 for configuration streams.acceptable.recovery.lag: Value must be at least 0']],
    ['DLQ topic name', [['errors.deadletterqueue.topic.name', SET, '__dlq']], [INVALID_CONFIG, "errors.deadletterqueue.topic.name: DLQ topic name must not start with '__'"]],
    ['DLQ topic name, trimmed first', [['errors.deadletterqueue.topic.name', SET, ' __x']], [INVALID_CONFIG, "errors.deadletterqueue.topic.name: DLQ topic name must not start with '__'"]],
    ['unregistered streams assignor', [['streams.assignor.name', SET, 'bogus']], [INVALID_CONFIG, "streams.assignor.name 'bogus' is not a registered task assignor. Registered assignors are: [sticky]."]],
    ['duplicate rack tags', [['streams.rack.aware.assignment.tags', SET, 'a, a']], [INVALID_CONFIG, 'streams.rack.aware.assignment.tags must not contain duplicate tag keys.']],
    ['auto offset reset', [['share.auto.offset.reset', SET, 'bad']], auto('bad')],
    ['auto offset reset is case-sensitive', [['share.auto.offset.reset', SET, 'EARLIEST']], auto('EARLIEST')],
    ['a negative duration', [['share.auto.offset.reset', SET, 'by_duration:-PT1H']], auto('by_duration:-PT1H')],
    ['no duration', [['share.auto.offset.reset', SET, 'by_duration:']], auto('by_duration:')],
    ['isolation level', [['share.isolation.level', SET, 'READ_COMMITTED']], [INVALID_CONFIG, 'Invalid value READ_COMMITTED for configuration share.isolation.level: String must be one of: read_committed, read_uncommitted']],
    ['boolean', [['consumer.assignor.offload.enable', SET, 'maybe']], [INVALID_CONFIG, 'Invalid value maybe for configuration consumer.assignor.offload.enable: Expected value to be either true or false']],
    ['empty number', [['consumer.session.timeout.ms', SET, '']], [INVALID_CONFIG, 'Invalid value  for configuration consumer.session.timeout.ms: Not a number of type INT']],
  ];
  for (const [label, ops, expected] of cases) {
    t.same(await incremental(group, ops, true), expected, `${label} (IncrementalAlterConfigs)`);
    t.same(await legacy(group, Object.fromEntries(ops.map(([n, , v]) => [n, v!])), true), expected, `${label} (AlterConfigs)`);
  }
  const accepted: Op[][] = [
    [['share.auto.offset.reset', SET, 'by_duration:P1D']],
    [['share.auto.offset.reset', SET, 'by_duration:pt1.5s']],
    [['share.auto.offset.reset', SET, ' latest']],
    [['consumer.heartbeat.interval.ms', SET, '15000'], ['consumer.session.timeout.ms', SET, '45000']],
    [['consumer.assignor.offload.enable', SET, 'TRUE']],
    [['streams.assignor.name', SET, 'sticky']],
    [['streams.rack.aware.assignment.tags', SET, ' a , b ']],
  ];
  for (const ops of accepted) t.same(await incremental(group, ops, true), [NONE, null], `accepted: ${ops.map(([n, , v]) => `${n}=${v}`).join(', ')}`);
  t.same((await describe(group)).configs.get('consumer.session.timeout.ms')!.configSource, DEFAULT_CONFIG, 'nothing was written');
});

t.test('the default group resource', async (t) => {
  t.same(await incremental('', [['consumer.session.timeout.ms', SET, '50000']]), [INVALID_REQUEST, 'Default group resources are not allowed.']);
  const d = await describe('');
  t.same([d.errorCode, d.errorMessage], [INVALID_REQUEST, 'Group name must not be empty']);
});

t.test('session timeout must exceed the heartbeat interval (broker bounds that overlap)', { skip: process.env.KAFKA_BOOTSTRAP ? 'needs a broker with wider group.*.max.heartbeat.interval.ms' : false }, async (t) => {
  const wide = await startBroker({
    port: 0,
    memory: true,
    config: { 'group.consumer.max.heartbeat.interval.ms': '60000', 'group.share.max.heartbeat.interval.ms': '60000', 'group.streams.max.heartbeat.interval.ms': '60000' },
  });
  t.teardown(() => wide.close());
  const send = async (ops: Op[]) => {
    const r = await codecRequest(wide.host, wide.port, 'IncrementalAlterConfigs', 1, {
      validateOnly: true,
      resources: [{ resourceType: GROUP, resourceName: 'g', configs: ops.map(([n, op, value]) => ({ name: n, configOperation: op, value })) }],
    });
    return [r.responses[0].errorCode, r.responses[0].errorMessage];
  };
  // Expected as Kafka 4.4.0's GroupConfig.validate answers under the same broker settings.
  t.same(await send([['consumer.heartbeat.interval.ms', SET, '50000']]), [INVALID_CONFIG, 'consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms'], 'against the broker\'s session timeout');
  t.same(await send([['consumer.heartbeat.interval.ms', SET, '45000'], ['consumer.session.timeout.ms', SET, '45000']]), [INVALID_CONFIG, 'consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms']);
  t.same(await send([['share.heartbeat.interval.ms', SET, '50000']]), [INVALID_CONFIG, 'share.session.timeout.ms must be greater than share.heartbeat.interval.ms']);
  t.same(await send([['streams.heartbeat.interval.ms', SET, '46000'], ['streams.session.timeout.ms', SET, '45000']]), [INVALID_CONFIG, 'streams.session.timeout.ms must be greater than streams.heartbeat.interval.ms']);
  t.same(await send([['consumer.heartbeat.interval.ms', SET, '40000']]), [NONE, null]);
});

t.test('the broker\'s GroupConfigs sees an override once it is written', { skip: process.env.KAFKA_BOOTSTRAP ? 'samsa only' : false }, async (t) => {
  const group = g('view');
  t.equal(b!.broker.groupConfigs.number(group, 'consumer.session.timeout.ms'), 45000, 'the broker value before');
  t.same(await incremental(group, [['consumer.session.timeout.ms', SET, '55000'], ['share.isolation.level', SET, 'read_committed']]), [NONE, null]);
  t.equal(b!.broker.groupConfigs.number(group, 'consumer.session.timeout.ms'), 55000);
  t.equal(b!.broker.groupConfigs.string(group, 'share.isolation.level'), 'read_committed');
  t.same(await incremental(group, [['consumer.session.timeout.ms', DELETE, null]]), [NONE, null]);
  t.equal(b!.broker.groupConfigs.number(group, 'consumer.session.timeout.ms'), 45000, 'and the broker value after the delete');
});

t.test('overrides outlive a restart (ConfigRecords in the metadata log)', { skip: process.env.KAFKA_BOOTSTRAP ? 'samsa only' : false }, async (t) => {
  const dataDir = tempDir(t);
  const first = await startBroker({ port: 0, dataDir });
  const set = await codecRequest(first.host, first.port, 'IncrementalAlterConfigs', 1, {
    validateOnly: false,
    resources: [{ resourceType: GROUP, resourceName: 'kept', configs: [{ name: 'share.delivery.count.limit', configOperation: SET, value: '4' }] }],
  });
  t.equal(set.responses[0].errorCode, NONE);
  await first.close();
  const second = await startBroker({ port: 0, dataDir });
  t.teardown(() => second.close());
  const r = await codecRequest(second.host, second.port, 'DescribeConfigs', 4, {
    includeSynonyms: false,
    includeDocumentation: false,
    resources: [{ resourceType: GROUP, resourceName: 'kept', configurationKeys: ['share.delivery.count.limit'] }],
  });
  t.match(r.results[0].configs[0], { name: 'share.delivery.count.limit', value: '4', configSource: GROUP_CONFIG });
  t.equal(second.broker.groupConfigs.number('kept', 'share.delivery.count.limit'), 4);
});
