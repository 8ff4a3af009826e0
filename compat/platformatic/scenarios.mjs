// @platformatic/kafka against BOOTSTRAP: produce, then consume through a consumer group with the classic
// protocol and with the KIP-848 consumer protocol (groupProtocol: 'consumer'). One PASS/FAIL/SKIP line per
// scenario; the client's own diagnostics go to stderr.
import { Admin, Consumer, Producer, stringSerializers, stringDeserializers, ProduceAcks } from '@platformatic/kafka';

const bootstrap = process.env.BOOTSTRAP;
if (!bootstrap) throw new Error('BOOTSTRAP=host:port must be set');
const brokers = bootstrap.split(',');
const runId = process.env.RUN_ID ?? Date.now().toString(36);
const topicName = (s) => `compat-platformatic-${s}-${runId}`;
const groupName = (s) => `compat-platformatic-${s}-${runId}`;
const PARTITIONS = 3;

function check(ok, what) {
  if (!ok) throw new Error(what);
}

function withTimeout(p, ms, what) {
  let timer;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms))),
  ]);
}

async function waitFor(cond, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const clientBase = { bootstrapBrokers: brokers, retries: 5, retryDelay: 200, timeout: 15000 };
const admin = new Admin({ clientId: 'samsa-compat-platformatic-admin', ...clientBase });
const producer = new Producer({ clientId: 'samsa-compat-platformatic', ...clientBase, serializers: stringSerializers });

async function createTopic(topic) {
  await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: brokers.length >= 3 ? 3 : 1 });
  // Wait until every partition has a leader before producing.
  await waitFor(
    async () => {
      const md = await admin.metadata({ topics: [topic] }).catch(() => null);
      const t = md?.topics.get(topic);
      return t && t.partitionsCount === PARTITIONS && t.partitions.every((p) => p.leader >= 0);
    },
    20000,
    `topic ${topic} leaders`,
  );
}

/** Produces `n` keyed records spread over the partitions (explicitly, so each partition gets some). */
async function produce(topic, from, n) {
  const messages = [];
  for (let i = from; i < from + n; i++) {
    messages.push({ topic, partition: i % PARTITIONS, key: `k${i}`, value: `v${i}`, headers: new Map([['seq', String(i)]]) });
  }
  await producer.send({ messages, acks: ProduceAcks.ALL });
}

function groupConsumer(group, protocol, clientId) {
  const opts = {
    clientId,
    groupId: group,
    ...clientBase,
    deserializers: stringDeserializers,
    maxWaitTime: 500,
  };
  // The consumer protocol takes no session timeout or heartbeat interval from the client (the broker's group
  // config decides them); the classic one gets short ones so that a test group settles fast.
  if (protocol === 'consumer') Object.assign(opts, { groupProtocol: 'consumer' });
  else Object.assign(opts, { sessionTimeout: 10000, rebalanceTimeout: 15000, heartbeatInterval: 1000 });
  return new Consumer(opts);
}

const owned = (consumer, topic) => (consumer.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions);

/**
 * Waits until `ok(assignments of members)` has held for 2 s: longer than a fetch wait, so that no fetch sent
 * under an earlier assignment is still out (the client does not drop what such a fetch returns, and while it
 * joins it may run two fetch loops for a moment: records produced then were read twice, on Kafka too).
 */
async function settled(members, topic, ok, what) {
  const t0 = Date.now();
  let since = 0;
  await waitFor(() => ((since = ok(members.map((c) => owned(c, topic))) ? since || Date.now() : 0), since && Date.now() - since > 2000), 60000, what).catch(() => {
    throw new Error(`${what}: assignments ${JSON.stringify(members.map((c) => owned(c, topic)))} after ${Date.now() - t0} ms`);
  });
}

/**
 * Joins the group, waits until `consumer` owns every partition, calls `produce`, then reads `want` records from
 * `topic` (committed offsets, else the earliest), checking each record's key, value and header, and commits
 * after the last one. Returns the values read, in arrival order.
 */
async function consumeAndCommit(consumer, topic, want, produce, ms) {
  const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
  const seen = [];
  const last = new Map(); // partition -> last offset read
  try {
    await settled([consumer], topic, ([mine]) => mine.length === PARTITIONS, 'the lone member owning every partition');
    await produce();
    await withTimeout(
      (async () => {
        for await (const m of stream) {
          const seq = m.value.slice(1);
          check(m.key === `k${seq}` && m.headers.get('seq') === seq, `record ${m.topic}/${m.partition}@${m.offset}: key ${m.key} value ${m.value} header ${m.headers.get('seq')}`);
          check(Number(seq) % PARTITIONS === m.partition, `record ${m.value} read from partition ${m.partition}`);
          seen.push(m.value);
          last.set(m.partition, m.offset);
          if (seen.length >= want) break;
        }
      })(),
      ms,
      `consuming ${want} records (got ${seen.length})`,
    );
    const offsets = [...last].map(([partition, offset]) => ({ topic, partition, offset: offset + 1n, leaderEpoch: -1 }));
    await consumer.commit({ offsets });
  } finally {
    await stream.close().catch(() => {});
  }
  return seen;
}

async function committedOffsets(consumer, topic) {
  const parts = [...Array(PARTITIONS).keys()];
  const m = await consumer.listCommittedOffsets({ topics: [{ topic, partitions: parts }] });
  return (m.get(topic) ?? []).map(Number);
}

function expectExactly(seen, from, n, what) {
  const want = Array.from({ length: n }, (_, i) => `v${from + i}`);
  const got = [...seen].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
  check(JSON.stringify(got) === JSON.stringify(want), `${what}: read ${got.length} records [${got.slice(0, 8)}...], want v${from}..v${from + n - 1} once each`);
}

/**
 * One member consumes everything, commits, leaves; a second member of the same group resumes from the
 * committed offsets and reads only records produced after them. Records are produced only once the member
 * owns its partitions (see settled()); the 30 the second member must not read are below its committed offsets.
 */
async function commitResume(protocol) {
  const topic = topicName(`resume-${protocol}`);
  const group = groupName(`resume-${protocol}`);
  await createTopic(topic);
  const c1 = groupConsumer(group, protocol, 'samsa-compat-platformatic-1');
  try {
    expectExactly(await consumeAndCommit(c1, topic, 30, () => produce(topic, 0, 30), 60000), 0, 30, 'first member');
    const committed = await committedOffsets(c1, topic);
    check(JSON.stringify(committed) === JSON.stringify([10, 10, 10]), `committed offsets ${JSON.stringify(committed)}, want [10,10,10]`);
  } finally {
    await c1.close(true);
  }
  const c2 = groupConsumer(group, protocol, 'samsa-compat-platformatic-2');
  try {
    expectExactly(await consumeAndCommit(c2, topic, 9, () => produce(topic, 30, 9), 60000), 30, 9, 'second member after the commit');
    const committed = await committedOffsets(c2, topic);
    check(JSON.stringify(committed) === JSON.stringify([13, 13, 13]), `committed offsets ${JSON.stringify(committed)}, want [13,13,13]`);
  } finally {
    await c2.close(true);
  }
}

/**
 * Two members of one group: once their assignments are disjoint and cover every partition, records produced
 * then are each read exactly once across the two.
 */
async function twoMembers(protocol) {
  const topic = topicName(`two-${protocol}`);
  const group = groupName(`two-${protocol}`);
  await createTopic(topic);
  const members = [groupConsumer(group, protocol, 'samsa-compat-platformatic-a'), groupConsumer(group, protocol, 'samsa-compat-platformatic-b')];
  const seen = [];
  const streams = [];
  try {
    for (const c of members) {
      const s = await c.consume({ topics: [topic], mode: 'earliest', autocommit: false });
      s.on('data', (m) => seen.push({ member: c.clientId, value: m.value, at: `${m.partition}@${m.offset}` }));
      s.on('error', () => {});
      streams.push(s);
    }
    const split = ([a, b]) => a.length > 0 && b.length > 0 && a.length + b.length === PARTITIONS && new Set([...a, ...b]).size === PARTITIONS;
    await settled(members, topic, split, `two members sharing ${PARTITIONS} partitions`);
    await produce(topic, 0, 30);
    await waitFor(() => seen.length >= 30, 60000, `30 records across both members (got ${seen.length})`);
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would arrive within a fetch
    expectExactly(
      seen.map((s) => s.value),
      0,
      30,
      'both members',
    );
    check(new Set(seen.map((s) => s.member)).size === 2, 'both members read records');
  } finally {
    for (const s of streams) await s.close().catch(() => {});
    for (const c of members) await c.close(true).catch(() => {});
  }
}

/**
 * The two commit-resume groups (both Empty now) as the admin API shows them: ListGroups v5 filtered by type
 * finds each with its type, state and protocol type; DeleteGroups removes both.
 */
async function adminListDeleteGroups() {
  const groups = { classic: groupName('resume-classic'), consumer: groupName('resume-consumer') };
  for (const [type, group] of Object.entries(groups)) {
    const listed = await admin.listGroups({ types: [type] });
    const g = listed.get(group);
    check(g?.groupType === type && g.state === 'EMPTY' && g.protocolType === 'consumer', `listGroups types [${type}]: ${group} is ${JSON.stringify(g)}`);
    const other = await admin.listGroups({ types: [type === 'classic' ? 'consumer' : 'classic'] });
    check(!other.has(group), `${group} also listed under the other type`);
  }
  await admin.deleteGroups({ groups: Object.values(groups) });
  const after = await admin.listGroups({});
  check(!Object.values(groups).some((g) => after.has(g)), 'deleted groups still listed');
}

const scenarios = [
  ['consumer-group-classic-commit-resume', () => commitResume('classic')],
  ['consumer-group-classic-two-members', () => twoMembers('classic')],
  ['consumer-protocol-commit-resume', () => commitResume('consumer')],
  ['consumer-protocol-two-members', () => twoMembers('consumer')],
  ['admin-list-delete-groups', adminListDeleteGroups],
];

for (const [name, run] of scenarios) {
  try {
    await withTimeout(run(), 150000, name);
    console.log(`PASS ${name}`);
  } catch (e) {
    if (e?.code === 'PLT_KFK_UNSUPPORTED_API') {
      console.log(`SKIP ${name} the broker does not serve what the client needs: ${e.message}`);
      continue;
    }
    const why = (e?.errors?.length ? e.errors.map((x) => x.message).join('; ') : e?.message ?? String(e)).replace(/\s+/g, ' ');
    console.error(`${name}:`, e);
    console.log(`FAIL ${name} ${why.slice(0, 300)}`);
  }
}
await producer.close().catch(() => {});
await admin.close().catch(() => {});
process.exit(0);
