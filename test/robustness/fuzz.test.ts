// Fuzzing, shard 1 of 2: mutated kafkajs and Java client frames and random bytes against a
// samsa broker process; see fuzz-harness.ts for what is checked and fuzz-tap.ts for the knobs.
import t from 'tap';
import { fuzzShard, fuzzFileTimeoutMs } from './fuzz-tap.js';

t.setTimeout(fuzzFileTimeoutMs());

t.test('fuzz (shard 1 of 2)', (t) => fuzzShard(t, 0, 2));
