// ShareFetch v2 and ShareAcknowledge v2 with Apache Kafka 4.4.0's KafkaShareConsumer
// (test/share/fixtures/LockRenewer.java): share.acquire.mode=record_limit with max.poll.records 3
// gets at most 3 records a poll (ShareAcquireMode 1; in batch_optimized mode the broker acquires and
// the client returns the whole 6-record batch at once), and records held well past the 8 s
// acquisition lock are never redelivered because the consumer renews their locks
// (AcknowledgeType.RENEW, IsRenewAck); every record is accepted once, with delivery count 1, and
// the consumer sees the group's lock duration (AcquisitionLockTimeoutMs).
import t from 'tap';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { codecRequest } from '../metadata/helpers.js';

const TOPIC = 'renewed';
const GROUP = 'renewers';
const RECORDS = 6;
// Renewals every second against an 8 s lock: a loaded machine's stalls stay well inside the lock.
const LOCK_MS = 8000;
const HOLD_MS = 12_000;
const RENEW_MS = 1000;

t.test('record-limit polls and lock renewals with the Java share consumer', async (t) => {
  const b = await startBroker({
    port: 0,
    memory: true,
    config: {
      'offsets.topic.num.partitions': '1',
      'share.coordinator.state.topic.num.partitions': '1',
      'group.share.min.record.lock.duration.ms': '1000',
      'group.share.record.lock.duration.ms': String(LOCK_MS),
    },
  });
  t.teardown(() => b.close());
  const bootstrap = `127.0.0.1:${b.port}`;
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
  await admin.disconnect();
  // A new share group starts at the latest offset: this one starts at the earliest.
  const set = await codecRequest(b.host, b.port, 'IncrementalAlterConfigs', 1, {
    validateOnly: false,
    resources: [{ resourceType: 32, resourceName: GROUP, configs: [{ name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' }] }],
  });
  t.equal(set.responses[0].errorCode, 0);
  const producer = kafka.producer();
  await producer.connect();
  // One batch: record-limit mode cuts it.
  await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: RECORDS }, (_, i) => ({ value: `v${i}` })) });
  await producer.disconnect();

  const args = ['java', path.join(REPO_ROOT, 'test/share/fixtures/LockRenewer.java'), bootstrap, GROUP, TOPIC, String(RECORDS), String(HOLD_MS), String(RENEW_MS)];
  const proc = spawn('bash', [path.join(REPO_ROOT, 'compat/kafka/broker.sh'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => proc.kill('SIGKILL'));
  const events: { event: string; [k: string]: unknown }[] = [];
  let stderr = '';
  let buf = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('{')) events.push(JSON.parse(line));
    }
  });
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 240_000);
    proc.on('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) t.comment(stderr.slice(-4000));
  t.equal(code, 0, 'the consumer accepted every record and closed');

  const polls = events.filter((e) => e.event === 'poll');
  const first = events.filter((e) => e.event === 'record');
  const again = events.filter((e) => e.event === 'again');
  t.ok(polls.every((p) => (p.count as number) <= 3), `at most max.poll.records per poll (record_limit): ${polls.map((p) => p.count).join(',')}`);
  t.ok(polls.every((p) => p.lockMs === LOCK_MS), 'the consumer sees the lock duration');
  t.same(first.map((r) => r.offset), Array.from({ length: RECORDS }, (_, i) => i), 'every record delivered once, in order');
  t.ok(again.length > 0, 'renewed records came back to the consumer');
  t.ok([...first, ...again].every((r) => r.deliveryCount === 1), 'delivery count 1 throughout: no lock expired');
  const acceptedAt = again.filter((r) => r.ack === 'ACCEPT');
  t.equal(acceptedAt.length, RECORDS, 'each record accepted once');
  t.ok(acceptedAt.every((r) => (r.heldMs as number) > LOCK_MS), 'each held past the acquisition lock duration');
  const commits = events.filter((e) => e.event === 'commit');
  t.ok(commits.some((c) => c.phase === 'renew'), 'renewals were sent');
  t.same(commits.filter((c) => c.error !== ''), [], 'no renewal or acceptance failed');
});
