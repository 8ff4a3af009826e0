// A kafkajs consumer in its own process, so a test can kill it (SIGKILL: no LeaveGroup).
// argv: bootstrap groupId topic sessionTimeoutMs. Writes one JSON line per event on stdout:
// {"assigned":[partitions],"memberId":...} on each join, {"m":[partition,offset]} per message
// (before kafkajs commits it).
import { Kafka, logLevel } from 'kafkajs';

const [bootstrap, groupId, topic, sessionTimeout] = process.argv.slice(2);
const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

const kafka = new Kafka({ clientId: 'child-consumer', brokers: [bootstrap], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({
  groupId,
  sessionTimeout: Number(sessionTimeout),
  heartbeatInterval: 200,
  rebalanceTimeout: 10_000,
  maxWaitTimeInMs: 100,
});
consumer.on(consumer.events.GROUP_JOIN, (e) => out({ assigned: e.payload.memberAssignment[topic] ?? [], memberId: e.payload.memberId }));
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) => out({ m: [partition, Number(message.offset)] }),
});
