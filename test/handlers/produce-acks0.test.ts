// acks=0 produce: no response either way; on an error Kafka closes the connection so the producer
// notices and refreshes its metadata (KafkaApis.handleProduceRequest), otherwise it stays open.
import t from 'tap';
import { startBroker } from '../../src/index.js';
import { WireConnection, requestFrame, Bytes } from '../helpers/wire.js';
import { buildBatch } from '../helpers/batch-builder.js';

function produceV7Acks0(topic: string, partition: number, batch: Buffer): Buffer {
  return new Bytes().string(null).int16(0).int32(10_000).int32(1).string(topic).int32(1).int32(partition).int32(batch.length).raw(batch).build();
}

t.test('acks=0 produce', async (t) => {
  const running = await startBroker({ port: 0, memory: true });
  t.teardown(() => running.close());
  const batch = () => buildBatch([{ key: null, value: Buffer.from('v'), headers: [], timestamp: Date.now() }], 'none');

  await t.test('a successful acks=0 produce gets no response and the connection stays usable', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    await c.request(3, 1, new Bytes().int32(1).string('acks0').build()); // Metadata v1 auto-creates
    c.write(requestFrame(0, 7, 1000, produceV7Acks0('acks0', 0, batch())));
    const apiVersions = await c.request(18, 0, Buffer.alloc(0));
    t.equal(apiVersions.readInt32BE(0) !== 1000, true, 'the next response is ApiVersions, not a produce response');
    t.notOk(await c.closesWithin(200), 'connection stays open');
  });

  await t.test('a failed acks=0 produce (unknown partition) closes the connection', async (t) => {
    const c = await WireConnection.connect(running.host, running.port);
    t.teardown(() => c.destroy());
    c.write(requestFrame(0, 7, 2000, produceV7Acks0('acks0', 99, batch())));
    t.ok(await c.closesWithin(2000), 'broker closes the connection');
  });
});
