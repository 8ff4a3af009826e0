// DescribeLogDirs (key 35), v1-5 (Kafka 4 no longer serves v0). The broker's one log dir with
// the requested partitions it holds (all when topics is null): size on disk, no lag (nothing is
// moving between dirs). v4 adds the dir's total and usable bytes, v5 whether the dir is cordoned
// (KIP-1066: takes no new partitions), which samsa's one dir never is. Partitions and topics this
// broker does not have are left out, as Kafka does. Memory mode reports no dir sizes.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { DescribeLogDirsRequest } from '../protocol/generated/describe-log-dirs-request.js';
import { DescribeLogDirsResponse } from '../protocol/generated/describe-log-dirs-response.js';
import { ErrorCode } from '../protocol/errors.js';
import { defineHandler } from './handler.js';

type Topic = DescribeLogDirsResponse['results'][number]['topics'][number];

export default defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  apiKey: 35,
  minVersion: 1,
  maxVersion: 5,
  request: DescribeLogDirsRequest,
  response: DescribeLogDirsResponse,
  async handle(ctx, req) {
    const broker = ctx.broker;
    const image = broker.image.topics;
    const dir = broker.logDir;
    const wanted: [string, number[]][] =
      req.topics === null
        ? [...image.all()].map((t) => [t.name, [...t.registrations.keys()]])
        : req.topics.map((t) => [t.topic, t.partitions]);
    const topics: Topic[] = [];
    for (const [name, partitions] of wanted) {
      const out: Topic['partitions'] = [];
      for (const p of partitions) {
        if (!broker.partitionLog(name, p) || !image.get(name)) continue;
        out.push({ partitionIndex: p, partitionSize: dir ? await sizeOnDisk(path.join(dir, `${name}-${p}`)) : 0, offsetLag: 0, isFutureKey: false });
      }
      if (out.length > 0) topics.push({ name, partitions: out });
    }
    let totalBytes = -1;
    let usableBytes = -1;
    if (dir && ctx.apiVersion >= 4) {
      const s = await fsp.statfs(dir);
      totalBytes = s.blocks * s.bsize;
      usableBytes = s.bavail * s.bsize;
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir: dir ?? 'memory', topics, totalBytes, usableBytes, isCordoned: false }],
    };
  },
});


/** Bytes of the partition's segment files (what Kafka reports as the log's size). */
async function sizeOnDisk(dir: string): Promise<number> {
  let total = 0;
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.log')) continue;
    total += await fsp.stat(path.join(dir, name)).then((s) => s.size, () => 0);
  }
  return total;
}
