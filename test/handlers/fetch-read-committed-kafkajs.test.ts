// read_committed end to end with a real transactional client: kafkajs's transactional producer
// (through samsa's transaction coordinator and markers) aborts one transaction, commits one and
// leaves one open; kafkajs consumers then read as Kafka's rules say: read_committed sees only
// the committed records and waits at the LSO until the open one commits, read_uncommitted sees
// everything written; the log's LSO and aborted list are checked along the way.
import t from 'tap';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { withTimeout } from '../helpers/timeout.js';

t.test('kafkajs transactions: aborted records never reach a read_committed consumer, the open one waits at the LSO', async (t) => {
  const b = await startBroker({ port: 0, memory: true });
  t.teardown(() => b.close());
  await b.broker.createTopic('tx', 1, {});
  const kafka = new Kafka({ clientId: 'tx', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ transactionalId: 'rc-tid', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());

  let tx = await producer.transaction();
  await tx.send({ topic: 'tx', messages: [{ key: 'a', value: 'aborted-1' }, { key: 'a', value: 'aborted-2' }] });
  await tx.abort();
  tx = await producer.transaction();
  await tx.send({ topic: 'tx', messages: [{ key: 'b', value: 'committed-1' }] });
  await tx.commit();
  const open = await producer.transaction();
  await open.send({ topic: 'tx', messages: [{ key: 'c', value: 'committed-later' }] });

  const log = b.broker.partitionLog('tx', 0)!;
  // aborted-1..2 @0-1, ABORT @2, committed-1 @3, COMMIT @4, committed-later @5 (open)
  t.equal(log.logEndOffset, 6);
  t.equal(log.lastStableOffset, 5, 'the open transaction holds the LSO');
  t.same(log.abortedTransactions(0, 6).map((a) => a.firstOffset), [0]);

  const read = async (groupId: string, readUncommitted: boolean, until: string) => {
    const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, readUncommitted });
    await consumer.connect();
    t.teardown(() => consumer.disconnect());
    await consumer.subscribe({ topic: 'tx', fromBeginning: true });
    const seen: string[] = [];
    let reached!: () => void;
    const done = new Promise<void>((r) => (reached = r));
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (message.value!.toString() === until) reached();
      },
    });
    return { seen, done, consumer };
  };

  const uncommitted = await read('ru', true, 'committed-later');
  await withTimeout(uncommitted.done, 30_000, 'read_uncommitted reading everything');
  t.same(uncommitted.seen, ['aborted-1', 'aborted-2', 'committed-1', 'committed-later'], 'read_uncommitted: every record written');

  const committed = await read('rc', false, 'committed-1');
  await withTimeout(committed.done, 30_000, 'read_committed reading the committed record');
  await new Promise((r) => setTimeout(r, 500));
  t.same(committed.seen, ['committed-1'], 'read_committed: no aborted record, nothing of the open transaction');

  let later!: () => void;
  const laterSeen = new Promise<void>((r) => (later = r));
  const poll = setInterval(() => committed.seen.includes('committed-later') && later(), 20);
  t.teardown(() => clearInterval(poll));
  await open.commit();
  await withTimeout(laterSeen, 30_000, 'read_committed reading past the commit');
  t.same(committed.seen, ['committed-1', 'committed-later']);
  t.equal(log.lastStableOffset, log.highWatermark, 'nothing open: LSO = HW');
});
