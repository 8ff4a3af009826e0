// The exactly-once check for TransactionalMessageCopier: every value VerifiableProducer saw acknowledged
// (producer_send_success) appears exactly once among the values a read_committed consumer printed (one
// per line), and nothing else does (no aborted copy, no duplicate from a retried transaction).
// usage: node verify-exactly-once.mjs producer.jsonl values.txt    prints one summary line, exit 1 otherwise
import { readFileSync } from 'node:fs';

const [producerFile, valuesFile] = process.argv.slice(2);
const acked = new Set();
for (const l of readFileSync(producerFile, 'utf8').split('\n')) {
  if (!l.startsWith('{')) continue;
  const e = JSON.parse(l);
  if (e.name === 'producer_send_success') acked.add(String(e.value));
}
const seen = new Map();
for (const v of readFileSync(valuesFile, 'utf8').split('\n')) if (v !== '') seen.set(v, (seen.get(v) ?? 0) + 1);
const missing = [...acked].filter((v) => !seen.has(v));
const twice = [...seen].filter(([, n]) => n > 1);
const unknown = [...seen.keys()].filter((v) => !acked.has(v));
console.log(`acked ${acked.size}, committed copies ${[...seen.values()].reduce((a, b) => a + b, 0)}; missing ${missing.length}` +
  `${missing.length ? ' e.g. ' + missing[0] : ''}, more than once ${twice.length}${twice.length ? ' e.g. ' + twice[0][0] : ''}, never produced ${unknown.length}`);
process.exit(acked.size > 0 && missing.length === 0 && twice.length === 0 && unknown.length === 0 ? 0 : 1);
