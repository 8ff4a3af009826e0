// Fuzzing, shard 2 of 2 (a file of its own so tap's two jobs fuzz side by side); see fuzz.test.ts.
import t from 'tap';
import { fuzzShard, fuzzFileTimeoutMs } from './fuzz-tap.js';

t.setTimeout(fuzzFileTimeoutMs());

t.test('fuzz (shard 2 of 2)', (t) => fuzzShard(t, 1, 2));
