// Dynamic broker configs on the wire (AlterConfigs v2 and IncrementalAlterConfigs v1, BROKER
// resources "1" and "" for the cluster default), one group of cases per rule Kafka applies:
// read-only, per-listener (keystores and truststores), per-broker, cluster-wide, listener
// prefixes, unknown names, values, the broker config's cross-checks, the run-time components'
// checks, and validate_only. Every expected code and message is what Apache Kafka 4.4.0 answered
// to the same request (a single node from compat/kafka/broker.sh, checked with this file:
//   KAFKA_BOOTSTRAP=127.0.0.1:PORT npx tap test/metadata/dynamic-config-validation.test.ts
// runs these very cases against that broker instead of samsa).
// Left out: min.insync.replicas on a broker id and a legacy AlterConfigs of the cluster default
// without it (refused while eligible leader replicas are on: test/metadata/elr-min-isr.test.ts); values
// checked against the listeners or log dirs a broker runs (listener.security.protocol.map without
// a running listener, cordoned.log.dirs, listeners without the controller's); two invalid values
// in one request (Kafka names the first in its own definition order, samsa the first given).
import t, { type Test } from 'tap';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { codecRequest } from './helpers.js';

const NONE = 0;
const INVALID_CONFIG = 40;
const INVALID_REQUEST = 42;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

type Op = [name: string, op: number, value: string | null];
type Expect = [code: number, message: string | null];

let host: string;
let port: number;
let b: RunningBroker | null = null;

t.before(async () => {
  const target = process.env.KAFKA_BOOTSTRAP;
  if (target) {
    [host, port] = [target.split(':')[0], Number(target.split(':')[1])];
    return;
  }
  b = await startBroker({ port: 0, memory: true });
  [host, port] = [b.host, b.port];
});
t.teardown(() => b?.close());

async function incremental(name: string, ops: Op[], validateOnly = true): Promise<Expect> {
  const r = await codecRequest(host, port, 'IncrementalAlterConfigs', 1, {
    validateOnly,
    resources: [{ resourceType: 4, resourceName: name, configs: ops.map(([n, op, value]) => ({ name: n, configOperation: op, value })) }],
  });
  return [r.responses[0].errorCode, r.responses[0].errorMessage];
}

async function legacy(name: string, ops: Op[], validateOnly = true): Promise<Expect> {
  const r = await codecRequest(host, port, 'AlterConfigs', 2, {
    validateOnly,
    resources: [{ resourceType: 4, resourceName: name, configs: ops.map(([n, , value]) => ({ name: n, value })) }],
  });
  return [r.responses[0].errorCode, r.responses[0].errorMessage];
}

async function described(name: string, keys: string[]): Promise<Record<string, [string | null, number]>> {
  const r = await codecRequest(host, port, 'DescribeConfigs', 4, {
    includeSynonyms: false,
    includeDocumentation: false,
    resources: [{ resourceType: 4, resourceName: name, configurationKeys: keys }],
  });
  return Object.fromEntries(r.results[0].configs.map((c: any) => [c.name, [c.value, c.configSource]]));
}

/** Each case is sent with both APIs (as SETs), validate_only, and must get Kafka's answer from each. */
async function both(t: Test, cases: [label: string, resource: string, ops: Op[], expected: Expect][]) {
  for (const [label, resource, ops, expected] of cases) {
    t.same(await incremental(resource, ops), expected, `${label} (IncrementalAlterConfigs)`);
    t.same(await legacy(resource, ops), expected, `${label} (AlterConfigs)`);
  }
}

const ro = (names: string) => `Cannot update these configs dynamically: ${names}`;
const perListener = (names: string) => `These security configs can be dynamically updated only per-listener using the listener prefix: ${names}`;
const perBroker = (names: string) => `Cannot update these configs at default cluster level, broker id must be specified: ${names}`;
const dynamicFailure = (reason: string) => `Invalid value org.apache.kafka.common.config.ConfigException: ${reason} for configuration Invalid dynamic configuration`;

t.test('read-only configs', async (t) => {
  await both(t, [
    ['one', '1', [['num.partitions', SET, '3']], [INVALID_REQUEST, ro('[num.partitions]')]],
    ['at the cluster default', '', [['num.partitions', SET, '3']], [INVALID_REQUEST, ro('[num.partitions]')]],
    ['named in Java HashSet order', '1', [['num.partitions', SET, '3'], ['log.dirs', SET, '/x'], ['broker.id', SET, '5']], [INVALID_REQUEST, ro('[num.partitions, broker.id, log.dirs]')]],
    ['a derived one', '1', [['log.retention.minutes', SET, '10']], [INVALID_REQUEST, ro('[log.retention.minutes]')]],
    ['before its value', '1', [['num.partitions', SET, 'abc']], [INVALID_REQUEST, ro('[num.partitions]')]],
    ['before a security config', '', [['num.partitions', SET, '3'], ['ssl.keystore.type', SET, 'x']], [INVALID_REQUEST, ro('[num.partitions]')]],
  ]);
  t.same(await incremental('1', [['num.partitions', DELETE, null]]), [NONE, null], 'DELETE of a read-only config: nothing to refuse');
});

t.test('keystore and truststore settings only under a listener prefix', async (t) => {
  await both(t, [
    ['on a broker', '1', [['ssl.keystore.type', SET, 'PKCS12']], [INVALID_REQUEST, perListener('[ssl.keystore.type]')]],
    ['at the cluster default', '', [['ssl.keystore.type', SET, 'PKCS12']], [INVALID_REQUEST, perListener('[ssl.keystore.type]')]],
    [
      'several, in Java HashSet order',
      '1',
      [['ssl.truststore.type', SET, 'x'], ['ssl.keystore.type', SET, 'x'], ['ssl.key.password', SET, 'x'], ['ssl.keystore.location', SET, 'x'], ['ssl.truststore.location', SET, 'x']],
      [INVALID_REQUEST, perListener('[ssl.keystore.type, ssl.truststore.location, ssl.key.password, ssl.keystore.location, ssl.truststore.type]')],
    ],
    ['before a bad value', '1', [['ssl.truststore.type', SET, 'x'], ['message.max.bytes', SET, 'x']], [INVALID_REQUEST, perListener('[ssl.truststore.type]')]],
    ['before the per-broker rule', '', [['sasl.kerberos.min.time.before.relogin', SET, '1'], ['ssl.keystore.type', SET, 'x']], [INVALID_REQUEST, perListener('[ssl.keystore.type]')]],
    ['prefixed, on a broker', '1', [['listener.name.plaintext.ssl.keystore.type', SET, 'PKCS12']], [NONE, null]],
  ]);
});

t.test('per-broker configs: on a broker id, not as the cluster default', async (t) => {
  await both(t, [
    ['SASL setting on a broker (the issue\'s case)', '1', [['sasl.kerberos.min.time.before.relogin', SET, '58000']], [NONE, null]],
    ['SASL setting at the default', '', [['sasl.kerberos.min.time.before.relogin', SET, '58000']], [INVALID_REQUEST, perBroker('[sasl.kerberos.min.time.before.relogin]')]],
    ['TLS setting on a broker', '1', [['ssl.protocol', SET, 'TLSv1.2']], [NONE, null]],
    ['TLS setting at the default', '', [['ssl.protocol', SET, 'TLSv1.2']], [INVALID_REQUEST, perBroker('[ssl.protocol]')]],
    ['listeners at the default', '', [['listeners', SET, 'PLAINTEXT://:1']], [INVALID_REQUEST, perBroker('[listeners]')]],
    ['cordoned.log.dirs at the default', '', [['cordoned.log.dirs', SET, '/x']], [INVALID_REQUEST, perBroker('[cordoned.log.dirs]')]],
    ['a bad value first', '', [['sasl.kerberos.min.time.before.relogin', SET, 'abc']], [INVALID_REQUEST, 'Invalid value abc for configuration sasl.kerberos.min.time.before.relogin: Not a number of type LONG']],
    ['another config\'s bad value first', '', [['sasl.kerberos.min.time.before.relogin', SET, '1'], ['message.max.bytes', SET, 'x']], [INVALID_REQUEST, 'Invalid value x for configuration message.max.bytes: Not a number of type INT']],
    ['a class that does not load first', '', [['sasl.kerberos.min.time.before.relogin', SET, '1'], ['principal.builder.class', SET, 'x']], [INVALID_REQUEST, 'Invalid value x for configuration principal.builder.class: Class x could not be found.']],
  ]);
});

t.test('listener-prefixed configs', async (t) => {
  await both(t, [
    ['per-broker at the default', '', [['listener.name.plaintext.ssl.keystore.type', SET, 'PKCS12']], [INVALID_REQUEST, perBroker('[listener.name.plaintext.ssl.keystore.type]')]],
    ['a mechanism config at the default', '', [['listener.name.plaintext.plain.sasl.jaas.config', SET, 'x']], [INVALID_REQUEST, perBroker('[listener.name.plaintext.plain.sasl.jaas.config]')]],
    ['an unknown one at the default', '', [['listener.name.plaintext.foo', SET, '3']], [INVALID_REQUEST, perBroker('[listener.name.plaintext.foo]')]],
    ['max.connections, cluster-level', '1', [['listener.name.plaintext.max.connections', SET, '100']], [NONE, null]],
    ['its value checked as the base config\'s', '1', [['listener.name.plaintext.max.connections', SET, 'abc']], [INVALID_REQUEST, 'Invalid value abc for configuration max.connections: Not a number of type INT']],
    ['a read-only base is not refused', '1', [['listener.name.plaintext.num.partitions', SET, '3']], [NONE, null]],
    ['max.connections 0', '1', [['listener.name.plaintext.max.connections', SET, '0']], [INVALID_REQUEST, dynamicFailure('Invalid max.connections 0')]],
  ]);
  t.same(await incremental('', [['listener.name.plaintext.max.connections', SET, '100']]), [NONE, null], 'max.connections at the default');
  t.same(await incremental('', [['listener.name.plaintext.num.network.threads', SET, '3']]), [NONE, null], 'num.network.threads at the default');
});

t.test('unknown configs are taken', async (t) => {
  await both(t, [
    ['on a broker', '1', [['foo.bar', SET, 'abc']], [NONE, null]],
  ]);
  t.same(await incremental('', [['foo.bar', SET, '1']]), [NONE, null], 'at the default');
  t.same(await incremental('1', [['foo.baz', DELETE, null]]), [NONE, null], 'DELETE of one never set');
});

t.test('values: types, ranges, allowed values and list rules, with Kafka\'s messages', async (t) => {
  const bad = (name: string, value: string, reason: string): [string, string, Op[], Expect] => [
    `${name}=${value}`,
    '1',
    [[name, SET, value]],
    [INVALID_REQUEST, `Invalid value ${value} for configuration ${name}: ${reason}`],
  ];
  const good = (name: string, value: string): [string, string, Op[], Expect] => [`${name}=${value}`, '1', [[name, SET, value]], [NONE, null]];
  await both(t, [
    bad('message.max.bytes', 'abc', 'Not a number of type INT'),
    bad('message.max.bytes', '99999999999', 'Not a number of type INT'),
    bad('message.max.bytes', '-1', 'Value must be at least 0'),
    good('message.max.bytes', ' 12 '),
    good('message.max.bytes', '+12'),
    bad('log.retention.ms', 'x', 'Not a number of type LONG'),
    bad('sasl.login.refresh.buffer.seconds', '40000', 'Not a number of type SHORT'),
    bad('log.segment.bytes', '10', 'Value must be at least 1048576'),
    bad('num.io.threads', '0', 'Value must be at least 1'),
    bad('max.connections.per.ip', '-1', 'Value must be at least 0'),
    bad('remote.fetch.max.wait.ms', '0', 'Value must be at least 1'),
    bad('max.decompressed.message.bytes', '2147483640', 'Value must be no more than 2147483639'),
    bad('group.coordinator.cached.buffer.max.bytes', '1', 'Value must be at least 524288'),
    bad('compression.gzip.level', '10', 'Value must be between 1 and 9 or equal to -1'),
    bad('compression.gzip.level', '0', 'Value must be between 1 and 9 or equal to -1'),
    bad('compression.type', 'foo', 'String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer'),
    bad('log.message.timestamp.type', 'Nope', 'String must be one of: CreateTime, LogAppendTime'),
    bad('ssl.client.auth', 'x', 'String must be one of: required, requested, none'),
    bad('log.cleanup.policy', 'shred', 'String must be one of: compact, delete'),
    ['a list names its first bad entry', '1', [['log.cleanup.policy', SET, ' a , b ']], [INVALID_REQUEST, 'Invalid value a for configuration log.cleanup.policy: String must be one of: compact, delete']],
    good('log.cleanup.policy', ''),
    good('log.cleanup.policy', ' compact , delete '),
    ['a list with a value twice', '1', [['log.cleanup.policy', SET, 'compact,compact']], [INVALID_REQUEST, "Configuration 'log.cleanup.policy' values must not be duplicated."]],
    ['sasl.enabled.mechanisms twice', '1', [['sasl.enabled.mechanisms', SET, 'a,a']], [INVALID_REQUEST, "Configuration 'sasl.enabled.mechanisms' values must not be duplicated."]],
    ['listeners empty', '1', [['listeners', SET, '']], [INVALID_REQUEST, "Configuration 'listeners' must not be empty. Valid values include: any non-empty value"]],
    ['listeners twice', '1', [['listeners', SET, 'a,a']], [INVALID_REQUEST, "Configuration 'listeners' values must not be duplicated."]],
    ['listeners not an endpoint', '1', [['listeners', SET, ' a , b ']], [INVALID_REQUEST, "Error creating broker listeners from '[a, b]': Unable to parse a to a broker endpoint"]],
    ['listener map entry without a colon', '1', [['listener.security.protocol.map', SET, 'x']], [INVALID_REQUEST, "Error parsing configuration property 'listener.security.protocol.map': begin 0, end -1, length 1"]],
    ['per-ip override without a colon', '1', [['max.connections.per.ip.overrides', SET, 'x']], [INVALID_REQUEST, "Error parsing configuration property 'max.connections.per.ip.overrides': begin 0, end -1, length 1"]],
    bad('unclean.leader.election.enable', 'maybe', 'Expected value to be either true or false'),
    good('unclean.leader.election.enable', 'TRUE'),
    bad('group.consumer.assignor.offload.enable', 'x', 'Expected value to be either true or false'),
    bad('log.cleaner.min.cleanable.ratio', 'x', 'Not a number of type DOUBLE'),
    ['a double shown as Java prints it', '1', [['log.cleaner.min.cleanable.ratio', SET, '2']], [INVALID_REQUEST, 'Invalid value 2.0 for configuration log.cleaner.min.cleanable.ratio: Value must be no more than 1']],
    bad('log.cleaner.min.cleanable.ratio', '-0.5', 'Value must be at least 0'),
    good('log.cleaner.io.max.bytes.per.second', '1e400'),
    bad('principal.builder.class', 'no.such.Class', 'Class no.such.Class could not be found.'),
    ['an empty class name', '1', [['principal.builder.class', SET, '']], [INVALID_REQUEST, 'Invalid value  for configuration principal.builder.class: Class  could not be found.']],
    bad('leader.replication.throttled.rate', '-1', 'Value must be at least 0'),
    good('config.providers', 'a,a'),
    good('ssl.protocol', 'nope'),
    good('log.retention.bytes', '-5'),
  ]);
});

t.test('the broker config\'s cross-checks', async (t) => {
  const req = (what: string): Expect => [INVALID_REQUEST, `requirement failed: ${what}`];
  await both(t, [
    ['log.roll.ms=0', '1', [['log.roll.ms', SET, '0']], req('log.roll.ms must be greater than or equal to 1')],
    ['log.roll.jitter.ms=-1', '1', [['log.roll.jitter.ms', SET, '-1']], req('log.roll.jitter.ms must be greater than or equal to 0')],
    ['log.retention.ms=0', '1', [['log.retention.ms', SET, '0']], req('log.retention.ms must be unlimited (-1) or, greater than or equal to 1')],
    ['log.retention.ms=-3 (forever)', '1', [['log.retention.ms', SET, '-3']], [NONE, null]],
    ['dedupe buffer under 1 MB per thread', '1', [['log.cleaner.dedupe.buffer.size', SET, '40000']], req('log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.')],
    ['too many cleaner threads for the buffer', '1', [['log.cleaner.threads', SET, '40000']], req('log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.')],
    ['no cleaner threads', '1', [['log.cleaner.threads', SET, '0']], [INVALID_REQUEST, '/ by zero']],
    ['max.connections.per.ip=0 without overrides', '1', [['max.connections.per.ip', SET, '0']], req('max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.')],
    ['an assignment interval over its maximum', '1', [['group.consumer.assignment.interval.ms', SET, '40000']], [INVALID_REQUEST, 'group.consumer.assignment.interval.ms must be less than or equal to group.consumer.max.assignment.interval.ms']],
  ]);
});

t.test('the run-time components\' checks', async (t) => {
  const threads = (name: string, value: number, rule: string) => dynamicFailure(`Dynamic thread count update validation failed for ${name}=${value}, value should ${rule}`);
  await both(t, [
    ['num.io.threads over double', '1', [['num.io.threads', SET, '1000']], [INVALID_REQUEST, threads('num.io.threads', 1000, 'not be greater than double the current value 8')]],
    ['num.io.threads under half', '1', [['num.io.threads', SET, '1']], [INVALID_REQUEST, threads('num.io.threads', 1, 'be at least half the current value 8')]],
    ['num.network.threads: half of 3 is 1', '1', [['num.network.threads', SET, '1']], [NONE, null]],
    ['num.network.threads over double', '1', [['num.network.threads', SET, '7']], [INVALID_REQUEST, threads('num.network.threads', 7, 'not be greater than double the current value 3')]],
    ['a remote log pool', '1', [['remote.log.reader.threads', SET, '1']], [INVALID_REQUEST, threads('remote.log.reader.threads', 1, 'be at least half the current value 10')]],
    ['at the cluster default too', '', [['num.io.threads', SET, '1000']], [INVALID_REQUEST, threads('num.io.threads', 1000, 'not be greater than double the current value 8')]],
    ['max.connection.creation.rate=0', '1', [['max.connection.creation.rate', SET, '0']], [INVALID_REQUEST, dynamicFailure('Invalid max.connection.creation.rate 0')]],
    ['a metrics reporter that does not load', '1', [['metric.reporters', SET, 'a']], [INVALID_REQUEST, dynamicFailure('Validation of dynamic config update of Set(metric.reporters) failed with class class kafka.server.DynamicMetricsReporters')]],
    [
      'local retention -1 under a finite retention',
      '1',
      [['log.local.retention.ms', SET, '-1']],
      [INVALID_REQUEST, dynamicFailure('Invalid value -1 for configuration log.local.retention.ms: Value must not be -1 as log.retention.ms value is set as 604800000.')],
    ],
    [
      'local retention over retention',
      '1',
      [['log.retention.bytes', SET, '1000'], ['log.local.retention.bytes', SET, '2000']],
      [INVALID_REQUEST, dynamicFailure('Invalid value 2000 for configuration log.local.retention.bytes: Value must not be more than log.retention.bytes property value: 1000')],
    ],
    [
      'copy lag over local retention',
      '1',
      [['log.retention.ms', SET, '1000'], ['log.local.retention.ms', SET, '500'], ['log.remote.copy.lag.ms', SET, '600']],
      [INVALID_REQUEST, dynamicFailure('Invalid value 600 for configuration log.remote.copy.lag.ms: Value must not exceed log.local.retention.ms (effective value: 500)')],
    ],
    ['local retention under unlimited retention.bytes', '1', [['log.local.retention.bytes', SET, '2000']], [NONE, null]],
  ]);
});

t.test('the request itself: duplicate keys, nulls, the broker id, APPEND and SUBTRACT', async (t) => {
  await both(t, [
    ['duplicate keys before the broker id', '2', [['message.max.bytes', SET, '5'], ['message.max.bytes', SET, '6']], [INVALID_REQUEST, 'Error due to duplicate config keys']],
    ['a null before the broker id', '2', [['message.max.bytes', SET, null]], [INVALID_REQUEST, 'Null value not supported for : message.max.bytes']],
    ['another broker', '2', [['message.max.bytes', SET, '5']], [INVALID_REQUEST, 'Unexpected broker id, expected 1, but received 2']],
    ['not a broker id', 'x', [['message.max.bytes', SET, '5']], [INVALID_REQUEST, 'Node id must be an integer, but it is: x']],
    ['nothing to change', '1', [], [NONE, null]],
  ]);
  t.same(await legacy('1', [['num.partitions', SET, null], ['foo', SET, null]]), [INVALID_REQUEST, 'Null value not supported for : num.partitions, foo'], 'AlterConfigs: every null named');
  t.same(await incremental('1', [['message.max.bytes', APPEND, '5']]), [INVALID_CONFIG, 'Config value append is not allowed for config key: message.max.bytes']);
  t.same(await incremental('1', [['message.max.bytes', SUBTRACT, '5']]), [INVALID_CONFIG, 'Config value subtract is not allowed for config key: message.max.bytes']);
  t.same(await incremental('1', [['foo.bar', APPEND, '5']]), [INVALID_CONFIG, 'Unknown config name: foo.bar']);
  t.same(await incremental('1', [['num.partitions', SET, '3'], ['message.max.bytes', APPEND, '5']]), [INVALID_CONFIG, 'Config value append is not allowed for config key: message.max.bytes'], 'APPEND is checked before the read-only rule');
  t.same(await incremental('1', [['log.cleanup.policy', APPEND, 'compact']]), [NONE, null]);
  t.same(
    await incremental('1', [['log.cleanup.policy', APPEND, 'compact,compact']]),
    [INVALID_REQUEST, "Configuration 'log.cleanup.policy' values must not be duplicated."],
    'APPEND keeps a value given twice',
  );
});

t.test('validate_only changes nothing; the same change applied is stored and described', async (t) => {
  t.same(await incremental('1', [['sasl.kerberos.min.time.before.relogin', SET, '58000']], true), [NONE, null]);
  t.same(await described('1', ['sasl.kerberos.min.time.before.relogin']), { 'sasl.kerberos.min.time.before.relogin': ['60000', 5] }, 'validate_only: still the default');
  t.same(await incremental('1', [['sasl.kerberos.min.time.before.relogin', SET, '58000']], false), [NONE, null]);
  t.same(await described('1', ['sasl.kerberos.min.time.before.relogin']), { 'sasl.kerberos.min.time.before.relogin': ['58000', 2] }, 'applied: a dynamic broker config');
  t.same(await incremental('1', [['num.partitions', SET, '3']], false), [INVALID_REQUEST, ro('[num.partitions]')], 'a refused change is refused alike when applied');

  // A thread pool's limits follow its current value, dynamic ones included.
  t.same(await incremental('1', [['num.io.threads', SET, '16']], false), [NONE, null]);
  // Kafka's broker takes a committed change a moment later; samsa's at once.
  while ((await described('1', ['num.io.threads']))['num.io.threads'][0] !== '16') await new Promise((r) => setTimeout(r, 50));
  t.same(await incremental('1', [['num.io.threads', SET, '40']]), [INVALID_REQUEST, dynamicFailure('Dynamic thread count update validation failed for num.io.threads=40, value should not be greater than double the current value 16')]);
  t.same(await incremental('1', [['num.io.threads', SET, '32']]), [NONE, null]);

  // The configs the resource keeps count with the ones given: an unknown one stored stays.
  t.same(await incremental('1', [['foo.kept', SET, 'x']], false), [NONE, null]);
  t.same(await incremental('1', [['num.partitions', SET, '3']]), [INVALID_REQUEST, ro('[num.partitions]')]);

  t.same(
    await incremental('1', [['sasl.kerberos.min.time.before.relogin', DELETE, null], ['num.io.threads', DELETE, null], ['foo.kept', DELETE, null]], false),
    [NONE, null],
    'cleaned up',
  );
  t.same(await described('1', ['num.io.threads']), { 'num.io.threads': ['8', 5] });
});

t.test('topics too: duplicate keys and nulls are refused before the topic is looked up', async (t) => {
  const topic = async (name: string, ops: Op[]): Promise<Expect> => {
    const r = await codecRequest(host, port, 'IncrementalAlterConfigs', 1, {
      validateOnly: true,
      resources: [{ resourceType: 2, resourceName: name, configs: ops.map(([n, op, value]) => ({ name: n, configOperation: op, value })) }],
    });
    return [r.responses[0].errorCode, r.responses[0].errorMessage];
  };
  t.same(await topic('nope', [['retention.ms', SET, '1'], ['retention.ms', SET, '2']]), [INVALID_REQUEST, 'Error due to duplicate config keys']);
  t.same(await topic('bad name!', [['retention.ms', SET, null]]), [INVALID_REQUEST, 'Null value not supported for : retention.ms']);
  t.same(await topic('nope', [['retention.ms', SET, null], ['segment.ms', SET, null]]), [INVALID_REQUEST, 'Null value not supported for : retention.ms, segment.ms']);
  t.same(await topic('nope', [['retention.ms', SET, '1']]), [3, "The topic 'nope' does not exist."]);
});
