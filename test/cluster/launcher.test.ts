// `samsa --nodes 3`: one process per node laid out as the README says (here on free ports), each
// node's output prefixed [node-i], one ready line once all listen, a node kill -9'ed leaves the
// others running, and SIGTERM to the launcher stops every node and exits 0.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { cliArgv, REPO_ROOT } from '../helpers/cli-broker.js';
import { freePortRange } from '../helpers/cluster-procs.js';
import { waitForLeader, waitUntil } from '../helpers/cluster-wait.js';
import { describeStatus } from '../helpers/cluster-quorum.js';
import { tempDir } from '../helpers/tmp.js';

t.setTimeout(120_000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

t.test('samsa --nodes 3', async (t) => {
  const dir = tempDir(t, 'samsa-launcher-');
  const port = await freePortRange(3);
  const controllerPort = await freePortRange(3);
  const env: NodeJS.ProcessEnv = { ...process.env, SAMSA_TEST_CLI: '1' };
  delete env.NODE_OPTIONS;
  const proc = spawn(
    process.execPath,
    cliArgv(['--nodes', '3', '--port', String(port), '--controller-port', String(controllerPort), '--data-dir', dir]),
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  const pids: number[] = [];
  t.teardown(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });

  const ready = await waitUntil('the cluster ready line', 60_000, () => /^samsa cluster \S+ of 3 nodes listening on (\S+)/m.exec(out) ?? undefined, 100);
  t.equal(ready[1], `127.0.0.1:${port},127.0.0.1:${port + 1},127.0.0.1:${port + 2}`, 'the brokers, in node order');
  for (let i = 1; i <= 3; i++) {
    const m = new RegExp(`^\\[node-${i}\\] started, pid (\\d+)$`, 'm').exec(out);
    t.ok(m, `node ${i}'s pid announced`);
    if (m) pids.push(Number(m[1]));
    t.match(out, new RegExp(`^\\[node-${i}\\] .*listening on `, 'm'), `node ${i}'s own ready line, prefixed`);
    t.ok(existsSync(path.join(dir, `node-${i}`, 'meta.properties')), `node ${i} keeps its data in <dir>/node-${i}`);
  }
  const clusterIds = [1, 2, 3].map((i) => /cluster\.id=(\S+)/.exec(readFileSync(path.join(dir, `node-${i}`, 'meta.properties'), 'utf8'))?.[1]);
  t.equal(new Set(clusterIds).size, 1, 'one cluster id on every node');

  const controllers = [0, 1, 2].map((i) => `127.0.0.1:${controllerPort + i}`);
  const leader = await waitForLeader(controllers, 30_000);
  const status = await describeStatus({ controller: controllers.join(',') });
  t.equal(status.leaderId, leader.leaderId, 'kafka-metadata-quorum describe --status: the leader');
  t.same(status.currentVoters.map((v) => v.id).sort(), [1, 2, 3], 'kafka-metadata-quorum describe --status: the three voters');
  t.equal(status.clusterId, clusterIds[0], 'kafka-metadata-quorum describe --status: the cluster id');
  // kill -9 one node: the launcher says so and keeps the others.
  const victim = pids[leader.leaderId - 1];
  process.kill(victim, 'SIGKILL');
  await waitUntil('the launcher reports the kill', 10_000, () => new RegExp(`^\\[node-${leader.leaderId}\\] exited \\(SIGKILL\\)$`, 'm').test(out));
  t.ok(pids.filter((p) => p !== victim).every(alive), 'the other nodes keep running');
  t.equal(proc.exitCode, null, 'so does the launcher');
  const next = await waitForLeader(controllers, 30_000, { notLeader: leader.leaderId });
  t.not(next.leaderId, leader.leaderId, 'the others elect a new leader');
  t.match(err, /^\[node-\d\] \[\S+\] INFO /m, 'node logs on stderr, prefixed');

  proc.kill('SIGTERM');
  const e = await exited;
  t.same(e, { code: 0, signal: null }, 'SIGTERM: the launcher exits 0');
  t.ok(pids.every((p) => !alive(p)), 'after stopping every node');
});
