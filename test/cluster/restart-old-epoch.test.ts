// A controller that crashed while leading the quorum comes back Resigned in its old epoch (its
// quorum-state file names it leader of that epoch): it must never become the active controller
// of that epoch again, as Kafka's raft client tells its listeners nothing while Resigned (issue
// #13: samsa logged "node N is the active controller in epoch E" for the old epoch and activated
// its controller until it learned the new leader). It follows the new leader instead.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startCluster } from '../../src/node/cluster.js';
import type { Controller } from '../../src/metadata/controller.js';
import { parseQuorumState } from '../../src/raft/quorum-state.js';
import { waitUntil } from '../helpers/cluster-wait.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(180_000);

function quorumStateFile(dir: string): string {
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name === 'quorum-state') return path.join(e.parentPath, e.name);
  }
  throw new Error(`no quorum-state file under ${dir}`);
}

t.test('a voter restarted after leading an old epoch does not act as its active controller', async (t) => {
  const c = await startCluster({ nodes: 3, dataDir: tempDir(t) });
  t.teardown(() => c.close());
  const old = await waitUntil('a quorum leader whose controller is active', 30_000, () => {
    const l = c.leader();
    const controller = (l?.node as unknown as { controller?: Controller } | undefined)?.controller;
    return l && controller?.active ? l : undefined;
  });
  const oldEpoch = old.status()!.epoch;
  const dir = old.spec.config['log.dirs'] ?? old.spec.dataDir;
  await waitUntil('its quorum-state names it leader', 30_000, () => {
    const q = parseQuorumState(fs.readFileSync(quorumStateFile(dir), 'utf8'));
    return q.leaderId === old.nodeId && q.epoch === oldEpoch;
  });

  await old.kill();
  const q = parseQuorumState(fs.readFileSync(quorumStateFile(dir), 'utf8'));
  t.same({ leaderId: q.leaderId, epoch: q.epoch }, { leaderId: old.nodeId, epoch: oldEpoch }, 'the crashed leader restarts from a quorum-state naming it leader of the old epoch');
  const next = await waitUntil('a new leader among the others', 30_000, () => {
    const l = c.leader();
    return l && l.nodeId !== old.nodeId && l.status()!.epoch > oldEpoch ? l : undefined;
  });
  const newEpoch = next.status()!.epoch;

  // Every line the restarted node logs about becoming the active controller.
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const s = String(chunk);
    if (s.includes(`node ${old.nodeId} is `)) lines.push(s.trim());
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  t.teardown(() => void (process.stderr.write = write));

  await old.restart();
  await waitUntil('the restarted node follows the new leader', 30_000, () => {
    const s = old.status();
    return s?.role === 'Follower' && s.leaderId === next.nodeId && s.epoch === newEpoch;
  });
  const controller = (old.node as unknown as { controller: Controller }).controller;
  t.equal(controller.active, false, 'its controller is not active');
  t.same(
    lines.filter((l) => l.includes('active controller')),
    [],
    `it never claimed the old epoch ${oldEpoch} (nor any other) while catching up`,
  );
});
