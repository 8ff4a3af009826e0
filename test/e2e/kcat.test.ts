// kcat (librdkafka) producing and consuming through samsa with each codec Kafka knows: payloads,
// keys, headers and offsets come back as sent, and every stored batch keeps the codec its
// producer used (read on the raw Fetch bytes). Batches framed like the Java producer's are also
// produced with each codec and must be decoded by kcat (and gzip by kafkajs).
// Without kcat installed this test fails: CI installs it (.ci/run).
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { Kafka, CompressionTypes, Partitioners, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { KafkajsReader } from '../helpers/kafkajs-reader.js';
import { WireConnection, fetchAllBatches, CODEC_NAMES, type BatchHeader } from '../helpers/wire.js';
import { buildBatch, produceRaw } from '../helpers/batch-builder.js';

const N = 400;
const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;

interface KcatResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs kcat with `input` on stdin; kills it after `timeoutMs`. */
function kcat(args: string[], input: string | null, timeoutMs = 20_000): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`kcat ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.stdin.on('error', () => {});
    p.stdin.end(input ?? '');
  });
}

interface KcatMessage {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers: string[] | null;
  tstype: string;
  ts: number;
}

async function consumeAll(bootstrap: string, topic: string): Promise<KcatMessage[]> {
  const r = await kcat(['-b', bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-J', '-q'], null);
  if (r.code !== 0) throw new Error(`kcat consumer exited ${r.code}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as KcatMessage);
}

const keyOf = (codec: string, i: number) => `key-${codec}-${i}`;
// Repetitive payloads, so every codec really compresses them.
const valueOf = (codec: string, i: number) => `value ${i} of ${codec} `.repeat(1 + (i % 7)) + 'x'.repeat(i % 50);

async function storedBatches(bootstrap: string, topic: string): Promise<BatchHeader[]> {
  const [host, port] = bootstrap.split(':');
  const wire = await WireConnection.connect(host, Number(port));
  try {
    return (await fetchAllBatches(wire, topic, 0)).batches;
  } finally {
    wire.destroy();
  }
}

t.test('kcat through samsa with every codec', async (t) => {
  const probe = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    t.fail(`kcat is not installed or does not run (${probe.error?.message ?? probe.stderr}); install it: apt-get install -y kcat`);
    return;
  }
  const librdkafkaVersion = /librdkafka (\S+)/.exec(probe.stdout)?.[1] ?? '?';
  const running = await startBroker({ port: 0, dataDir: tempDir(t) });
  t.teardown(() => running.close());
  const kafka = new Kafka({ clientId: 'samsa-kcat-test', brokers: [running.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      ...CODECS.flatMap((c) => [`kcat-${c}`, `java-${c}`]).map((topic) => ({ topic, numPartitions: 1 })),
      { topic: 'kafkajs-gzip', numPartitions: 1 },
    ],
    waitForLeaders: true,
  });

  for (const codec of CODECS) {
    await t.test(`${codec}: kcat produces and consumes`, async (t) => {
      const topic = `kcat-${codec}`;
      const input = Array.from({ length: N }, (_, i) => `${keyOf(codec, i)}:${valueOf(codec, i)}\n`).join('');
      const produced = await kcat(
        ['-b', running.bootstrap, '-P', '-t', topic, '-p', '0', '-z', codec, '-K', ':', '-H', 'codec=' + codec, '-H', 'h2=second', '-X', 'linger.ms=20', '-X', 'debug=msg'],
        input,
      );
      t.equal(produced.code, 0, 'kcat producer exits 0');
      // librdkafka's own account of each batch it sent, and with which codec.
      const sent = [...produced.stderr.matchAll(/Produce MessageSet with (\d+) message\(s\) \(.*, (\w+)\)\s*$/gm)].map((m) => ({
        count: Number(m[1]),
        codec: m[2] === 'uncompressed' ? 'none' : m[2],
      }));
      t.equal(sent.reduce((n, s) => n + s.count, 0), N, 'librdkafka reports sending every message once');

      const got = await consumeAll(running.bootstrap, topic);
      t.equal(got.length, N, 'kcat consumes every message');
      const problems: string[] = [];
      got.forEach((m, i) => {
        if (problems.length >= 5) return;
        if (m.offset !== i) problems.push(`position ${i}: offset ${m.offset}`);
        if (m.key !== keyOf(codec, i)) problems.push(`offset ${i}: key ${m.key}`);
        if (m.payload !== valueOf(codec, i)) problems.push(`offset ${i}: payload ${m.payload?.slice(0, 40)}`);
        if (JSON.stringify(m.headers) !== JSON.stringify(['codec', codec, 'h2', 'second'])) problems.push(`offset ${i}: headers ${JSON.stringify(m.headers)}`);
        if (m.tstype !== 'create') problems.push(`offset ${i}: timestamp type ${m.tstype}`);
      });
      t.same(problems, [], 'keys, payloads, headers and offsets as produced');

      const batches = await storedBatches(running.bootstrap, topic);
      t.same(
        batches.map((b) => [CODEC_NAMES[b.codec], b.recordCount]),
        sent.map((s) => [s.codec, s.count]),
        'each stored batch keeps the codec and record count librdkafka sent',
      );
      t.ok(batches.every((b) => b.crcValid && b.magic === 2), 'v2 batches with valid CRC-32C');
      // Like Kafka 4, samsa advertises Produce v0 and FindCoordinator, so librdkafka enables every
      // codec (librdkafka issue #4956) and really compresses.
      t.ok(sent.length > 0 && sent.every((s) => s.codec === codec), `librdkafka really sent ${codec} batches`);
    });

    await t.test(`${codec}: Java-framed batches are served to kcat`, async (t) => {
      const topic = `java-${codec}`;
      const wire = await WireConnection.connect(running.host, running.port);
      try {
        if (codec === 'zstd') {
          const one = buildBatch([{ key: null, value: Buffer.from('x'), headers: [], timestamp: Date.now() }], 'zstd');
          t.same(await produceRaw(wire, topic, 0, one, 6), [76, -1], 'zstd in Produce v6 is refused with UNSUPPORTED_COMPRESSION_TYPE, as Kafka does');
        }
        for (let b = 0; b < 4; b++) {
          const records = Array.from({ length: N / 4 }, (_, j) => {
            const i = b * (N / 4) + j;
            return {
              key: Buffer.from(keyOf(codec, i)),
              value: Buffer.from(valueOf(codec, i)),
              headers: [['codec', Buffer.from(codec)], ['n', Buffer.from(String(i))]] as [string, Buffer][],
              timestamp: Date.now() - 1000 + i,
            };
          });
          const [err, base] = await produceRaw(wire, topic, 0, buildBatch(records, codec));
          t.same([err, base], [0, b * (N / 4)], `batch ${b} appended`);
        }
      } finally {
        wire.destroy();
      }
      const batches = await storedBatches(running.bootstrap, topic);
      t.same(batches.map((b) => [CODEC_NAMES[b.codec], b.recordCount]), Array(4).fill([codec, N / 4]), `stored as four ${codec} batches`);
      t.ok(batches.every((b) => b.crcValid), 'with valid CRCs');
      const got = await consumeAll(running.bootstrap, topic);
      t.same(
        got.map((m) => [m.offset, m.key, m.payload, m.headers]),
        Array.from({ length: N }, (_, i) => [i, keyOf(codec, i), valueOf(codec, i), ['codec', codec, 'n', String(i)]]),
        `kcat decodes every ${codec} record`,
      );
      if (codec === 'gzip') {
        const reader = await KafkajsReader.connect(running.bootstrap);
        try {
          const { messages } = await reader.readPartition(topic, 0);
          t.same(
            messages.map((m) => [m.offset, m.key?.toString(), m.value?.toString(), m.headers.n?.toString()]),
            Array.from({ length: N }, (_, i) => [i, keyOf(codec, i), valueOf(codec, i), String(i)]),
            'kafkajs decodes the same gzip batches',
          );
        } finally {
          await reader.close();
        }
      }
    });
  }

  await t.test('kafkajs gzip batches read by kcat', async (t) => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (let i = 0; i < N; i += 100) {
        await producer.send({
          topic: 'kafkajs-gzip',
          compression: CompressionTypes.GZIP,
          messages: Array.from({ length: 100 }, (_, j) => ({ partition: 0, key: keyOf('kafkajs', i + j), value: valueOf('kafkajs', i + j), headers: { codec: 'gzip' } })),
        });
      }
    } finally {
      await producer.disconnect();
    }
    const got = await consumeAll(running.bootstrap, 'kafkajs-gzip');
    t.same(
      got.map((m) => [m.offset, m.key, m.payload, m.headers]),
      Array.from({ length: N }, (_, i) => [i, keyOf('kafkajs', i), valueOf('kafkajs', i), ['codec', 'gzip']]),
      'kcat reads what kafkajs produced',
    );
    const batches = await storedBatches(running.bootstrap, 'kafkajs-gzip');
    t.same([...new Set(batches.map((b) => CODEC_NAMES[b.codec]))], ['gzip'], 'kafkajs batches stored gzip-compressed');
  });

  await t.test('librdkafka idempotent producer (zstd)', async (t) => {
    const topic = 'kcat-idempotent';
    const input = Array.from({ length: N }, (_, i) => `${keyOf('idem', i)}:${valueOf('idem', i)}\n`).join('');
    const produced = await kcat(
      ['-b', running.bootstrap, '-P', '-t', topic, '-p', '0', '-z', 'zstd', '-K', ':', '-X', 'enable.idempotence=true', '-X', 'linger.ms=20'],
      input,
    );
    t.equal(produced.code, 0, `kcat idempotent producer exits 0 (stderr: ${produced.stderr.trim()})`);
    const got = await consumeAll(running.bootstrap, topic);
    t.same(
      got.map((m) => [m.offset, m.key, m.payload]),
      Array.from({ length: N }, (_, i) => [i, keyOf('idem', i), valueOf('idem', i)]),
      'auto-created topic holds every message once, in order',
    );
    const wire = await WireConnection.connect(running.host, running.port);
    try {
      const { batches } = await fetchAllBatches(wire, topic, 0);
      t.ok(batches.length > 0 && batches.every((b) => b.producerId >= 0 && b.baseSequence === b.baseOffset), 'batches carry the producer id and a sequence equal to their offset');
    } finally {
      wire.destroy();
    }
  });
});
