// The two foundations together, as acks=all will use them: a produce to a replicated log waits in
// the purgatory, keyed by its partition, until the replica layer moves the high watermark past its
// last offset (the log's onAppend listener is the event), or its timeout expires on the timing wheel.
import t from 'tap';
import { DelayedOperation, DelayedOperationPurgatory } from '../../src/replica/purgatory.js';
import { FileStorageEngine } from '../../src/storage/file-engine.js';
import type { PartitionLog } from '../../src/storage/types.js';
import { tempDir } from '../helpers/tmp.js';
import { batch, logConfig } from '../storage/helpers.js';

class DelayedProduce extends DelayedOperation {
  result: 'acked' | 'timed out' | null = null;

  constructor(
    delayMs: number,
    private readonly log: PartitionLog,
    private readonly lastOffset: number,
  ) {
    super(delayMs);
  }

  tryComplete(): boolean {
    return this.log.highWatermark > this.lastOffset ? this.forceComplete() : false;
  }

  protected onComplete(): void {
    this.result = this.log.highWatermark > this.lastOffset ? 'acked' : 'timed out';
  }

  protected onExpiration(): void {}
}

t.test('a produce waits for the high watermark, or its timeout', async (t) => {
  const engine = new FileStorageEngine(tempDir(t), logConfig(), { replicated: true });
  await engine.open();
  t.teardown(() => engine.close());
  const log = await engine.create('t', 0, logConfig());
  const purgatory = new DelayedOperationPurgatory<DelayedProduce>({ name: 'Produce' });
  t.teardown(() => purgatory.shutdown());
  log.onAppend(() => purgatory.checkAndComplete('t-0'));

  const first = await log.append(batch(3, 'a'), { now: 0 });
  const acked = new DelayedProduce(30_000, log, first.lastOffset);
  t.equal(purgatory.tryCompleteElseWatch(acked, ['t-0']), false, 'the followers have not fetched it yet');
  const second = await log.append(batch(2, 'b'), { now: 0 });
  const lost = new DelayedProduce(20, log, second.lastOffset);
  purgatory.tryCompleteElseWatch(lost, ['t-0']);
  t.same([purgatory.watched('t-0'), purgatory.delayed], [2, 2]);
  // The followers reach the first append only.
  log.updateHighWatermark(first.lastOffset + 1);
  t.equal(acked.result, 'acked', 'completed by the high watermark move, at once');
  t.equal(lost.result, null);
  await new Promise<void>((resolve) => {
    const check = () => (lost.result ? resolve() : setTimeout(check, 5));
    check();
  });
  t.equal(lost.result, 'timed out');
  t.same([purgatory.watched(), purgatory.delayed], [0, 0]);
});
