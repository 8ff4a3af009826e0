// The no-loss check for VerifiableProducer/VerifiableConsumer (Kafka's tools only print events):
// every record the producer saw acknowledged (producer_send_success) was consumed (record_data) at the
// same topic-partition and offset with the same value, and nothing was consumed that was not produced.
// usage: node verify-no-loss.mjs producer.jsonl consumer.jsonl    prints one summary line, exit 1 on loss
import { readFileSync } from 'node:fs';

const events = (file) =>
  readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const [producerFile, consumerFile] = process.argv.slice(2);
const acked = new Map();
let sendErrors = 0;
for (const e of events(producerFile)) {
  if (e.name === 'producer_send_success') acked.set(`${e.topic}-${e.partition}@${e.offset}`, String(e.value));
  else if (e.name === 'producer_send_error') sendErrors++;
}
const consumed = new Map();
let duplicates = 0;
for (const e of events(consumerFile)) {
  if (e.name !== 'record_data') continue;
  const at = `${e.topic}-${e.partition}@${e.offset}`;
  if (consumed.has(at)) duplicates++;
  consumed.set(at, String(e.value));
}
const lost = [...acked].filter(([at]) => !consumed.has(at));
const wrong = [...acked].filter(([at, v]) => consumed.has(at) && consumed.get(at) !== v);
const unknown = [...consumed.keys()].filter((at) => !acked.has(at));
const summary = `acked ${acked.size} (send errors ${sendErrors}), consumed ${consumed.size} (re-delivered ${duplicates}); ` +
  `lost ${lost.length}${lost.length ? ' e.g. ' + lost[0][0] : ''}, wrong value ${wrong.length}, never acked ${unknown.length}`;
console.log(summary);
process.exit(acked.size > 0 && lost.length === 0 && wrong.length === 0 && unknown.length === 0 ? 0 : 1);
