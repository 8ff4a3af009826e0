// Seeded random server.properties for the node config differential test: each setting drawn from
// values that are fine, wrong, or wrong only in combination, so Kafka's order of checks is
// exercised as well as the checks. Prints the cases ("### rand-N" then properties) on stdout;
// compat/kafka/capture-node-config.sh appends them to test/node/fixtures/node-config-cases.properties
// and records Kafka 4.4.0's verdict on each.
const COUNT = Number(process.argv[2] ?? 300);
let seed = Number(process.argv[3] ?? 44);

/** mulberry32: small, seeded, the same cases on every run. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = seed;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];

/**
 * Each setting's values: `ok` ones (undefined leaves it unset) and `bad` ones, drawn now and then
 * so that most cases reach Kafka's later checks (listeners, roles, advertised listeners).
 */
const POOL: Record<string, { ok: (string | undefined)[]; bad: string[] }> = {
  'process.roles': { ok: ['broker,controller', 'broker,controller', 'broker', 'controller', 'controller,broker'], bad: ['', 'broker,zk'] },
  'node.id': { ok: ['1', '1', '2', '4'], bad: ['-1', 'x'] },
  'broker.id': { ok: [undefined, undefined, undefined, '1'], bad: ['3'] },
  'controller.quorum.voters': {
    ok: ['1@127.0.0.1:19092', '1@127.0.0.1:19092,2@127.0.0.1:19093,3@h3:19094', '2@127.0.0.1:19093', undefined],
    bad: ['1@h', 'a@h:1', '1@0.0.0.0:19092'],
  },
  'controller.quorum.bootstrap.servers': { ok: [undefined, undefined, '127.0.0.1:19092', 'h1:9093,h2:9093'], bad: ['nohost'] },
  listeners: {
    ok: [
      'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:19092',
      'PLAINTEXT://:9092,CONTROLLER://:19092',
      'CONTROLLER://127.0.0.1:19092',
      'PLAINTEXT://127.0.0.1:9092',
      'INTERNAL://127.0.0.1:9092,EXTERNAL://0.0.0.0:9093,CONTROLLER://127.0.0.1:19092',
      'SSL://127.0.0.1:9093,CONTROLLER://127.0.0.1:19092',
      undefined,
    ],
    bad: ['PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9092', 'PLAINTEXT:127.0.0.1:9092', ''],
  },
  'advertised.listeners': {
    ok: [undefined, undefined, undefined, 'PLAINTEXT://b1.example:9092', 'INTERNAL://b1:9092,EXTERNAL://x.example:443', 'CONTROLLER://c1:19092'],
    bad: ['PLAINTEXT://0.0.0.0:9092', 'OTHER://h:1'],
  },
  'listener.security.protocol.map': {
    ok: [undefined, undefined, 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT', 'INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL,CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT,SSL:SSL'],
    bad: ['PLAINTEXT:PLAINTEXT', 'X:NOPE', 'PLAINTEXT'],
  },
  'controller.listener.names': { ok: ['CONTROLLER', 'CONTROLLER', 'CONTROLLER', 'controller', 'CONTROLLER,OTHER'], bad: ['PLAINTEXT', ''] },
  'inter.broker.listener.name': { ok: [undefined, undefined, 'PLAINTEXT', 'INTERNAL'], bad: ['CONTROLLER', 'NOPE'] },
  'security.inter.broker.protocol': { ok: [undefined, undefined, undefined, 'PLAINTEXT', 'SSL'], bad: ['BOGUS'] },
  'log.dirs': { ok: ['/tmp/a', '/tmp/a,/tmp/b', undefined], bad: [''] },
  'replica.fetch.wait.max.ms': { ok: [undefined, '600'], bad: ['40000'] },
  'controller.quorum.election.timeout.ms': { ok: [undefined, '500'], bad: ['-1', 'soon'] },
  'broker.session.timeout.ms': { ok: [undefined, '18000'], bad: ['x'] },
};
/** How often a setting takes one of its bad values. */
const BAD = 0.05;

const out: string[] = [];
for (let i = 1; i <= COUNT; i++) {
  out.push(`### rand-${i}`);
  for (const [k, { ok, bad }] of Object.entries(POOL)) {
    const v = random() < BAD ? pick(bad) : pick(ok);
    if (v !== undefined) out.push(`${k}=${v}`);
  }
}
process.stdout.write(out.join('\n') + '\n');
