// The quorum-state file against Kafka 4.4.0's own FileQuorumStateStore (test/raft/kafka/
// QuorumStateProbe.java): samsa writes the bytes Kafka writes for the same election state, each
// reads the other's file, and a damaged file is an error rather than a forgotten vote.
import t from 'tap';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { QuorumStateFile } from '../../src/raft/quorum-state.js';
import { REPO_ROOT } from '../helpers/cli-broker.js';
import { kafkaTool } from '../helpers/kafka-tool.js';
import { tempDir } from '../helpers/tmp.js';

const PROBE = path.join(REPO_ROOT, 'test/raft/kafka/QuorumStateProbe.java');

async function probe(...args: string[]): Promise<string> {
  const { code, out } = await kafkaTool(PROBE, ...args);
  if (code !== 0) throw new Error(`QuorumStateProbe ${args.join(' ')} exited ${code}: ${out}`);
  return out.trim();
}

// What a real Kafka 4.4.0 single-node controller (compat/kafka/broker.sh start) wrote after its election.
const KAFKA_440_SINGLE_NODE = '{"clusterId":"","leaderId":1,"leaderEpoch":1,"votedId":-1,"appliedOffset":0,"currentVoters":[{"voterId":1}],"data_version":0}';

t.test('samsa writes the bytes Kafka 4.4.0 writes (kraft.version 0 and 1, leader and vote)', async (t) => {
  const dir = tempDir(t);
  const cases = [
    { kraft: 0, kind: 'leader', epoch: 1, id: 1, voters: [1] },
    { kraft: 0, kind: 'voted', epoch: 7, id: 2, voters: [1, 2, 3] },
    { kraft: 1, kind: 'leader', epoch: 9, id: 3, voters: [1, 2, 3] },
  ] as const;
  // Kafka writes all three in one run (one JVM start).
  await probe(...cases.flatMap((c, i) => [...(i > 0 ? ['+'] : []), 'write', path.join(dir, `kafka-${c.kraft}-${c.kind}`), String(c.kraft), c.kind, String(c.epoch), String(c.id), c.voters.join(',')]));
  for (const c of cases) {
    const kafkaFile = path.join(dir, `kafka-${c.kraft}-${c.kind}`);
    const samsaDir = path.join(dir, `samsa-${c.kraft}-${c.kind}`);
    const file = new QuorumStateFile(samsaDir);
    mkdirSync(samsaDir);
    const state = c.kind === 'leader' ? { epoch: c.epoch, leaderId: c.id, votedId: -1 } : { epoch: c.epoch, leaderId: -1, votedId: c.id };
    await file.write(state, c.voters, c.kraft);
    t.equal(readFileSync(file.path, 'utf8'), readFileSync(kafkaFile, 'utf8'), `${c.kind} at kraft.version ${c.kraft}`);
    t.same(readdirSync(samsaDir), ['quorum-state'], 'no temp file is left behind');
  }
  t.equal(
    readFileSync(path.join(dir, 'samsa-0-leader/quorum-state'), 'utf8'),
    KAFKA_440_SINGLE_NODE,
    "equal to the file a Kafka 4.4.0 controller wrote after electing itself",
  );
});

t.test("Kafka reads samsa's file, samsa reads Kafka's", async (t) => {
  const dir = tempDir(t);
  const file = new QuorumStateFile(dir);
  const leaderFile = new QuorumStateFile(path.join(dir, 'leader'));
  mkdirSync(leaderFile.dir);
  await file.write({ epoch: 12, leaderId: -1, votedId: 3 }, [1, 2, 3]);
  await leaderFile.write({ epoch: 13, leaderId: 2, votedId: -1 }, [1, 2, 3]);
  const kafkaFile = path.join(dir, 'kafka');
  const out = await probe('read', file.path, '+', 'read', leaderFile.path, '+', 'write', kafkaFile, '1', 'voted', '21', '1', '1,2,3');
  t.same(out.split('\n'), ['epoch=12 leaderId=-1 votedId=3', 'epoch=13 leaderId=2 votedId=-1'], "Kafka's FileQuorumStateStore parses the vote and the elected leader");

  writeFileSync(file.path, readFileSync(kafkaFile));
  t.same(await file.read(), { epoch: 21, leaderId: -1, votedId: 1, votedDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA' }, 'samsa reads a version 1 file Kafka wrote');
  writeFileSync(file.path, KAFKA_440_SINGLE_NODE);
  t.same(await file.read(), { epoch: 1, leaderId: 1, votedId: -1 }, 'and the version 0 file of a Kafka 4.4.0 controller');
});

t.test('no file is a fresh node; a damaged one is an error, not a forgotten vote', async (t) => {
  const dir = tempDir(t);
  const file = new QuorumStateFile(dir);
  t.equal(await file.read(), null);
  t.notOk(existsSync(file.path));
  writeFileSync(file.path, '{"leaderId":1,"leaderEp');
  await t.rejects(file.read(), /quorum-state: not JSON/, 'torn JSON');
  writeFileSync(file.path, '{"leaderId":1,"leaderEpoch":2,"votedId":-1,"data_version":7}');
  await t.rejects(file.read(), /unknown data_version 7/, 'a version Kafka 4.4 does not write');
  writeFileSync(file.path, '{"leaderId":1,"votedId":-1,"data_version":1}');
  await t.rejects(file.read(), /leaderEpoch is not an integer/, 'a missing field');
});
