// DescribeLogDirs (key 35), v1-5 (Kafka 4 no longer serves v0): each of the broker's log dirs
// (Kafka's log.dirs, in config order) with the requested partitions it holds (all when topics is
// null): size on disk, and for a future log being copied there by AlterReplicaLogDirs isFuture
// with its offset lag behind the current log (a current log's lag is 0, as a leader's). An
// offline dir answers KAFKA_STORAGE_ERROR and nothing else. v4 adds the dir's total and usable
// bytes, v5 whether the dir is cordoned (KIP-1066: takes no new partitions), which samsa's dirs
// never are. Partitions and topics this broker does not have are left out, as Kafka does. Memory
// mode reports one dir, `memory`, with no sizes.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { DescribeLogDirsRequest } from '../protocol/generated/describe-log-dirs-request.js';
import { DescribeLogDirsResponse } from '../protocol/generated/describe-log-dirs-response.js';
import { ErrorCode } from '../protocol/errors.js';
import type { LogDirDescription } from '../storage/log-dirs.js';
import { defineHandler } from './handler.js';
import { clusterAuthorized, Op } from './authorize.js';

type Result = DescribeLogDirsResponse['results'][number];
type Topic = Result['topics'][number];

export default defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  apiKey: 35,
  minVersion: 1,
  maxVersion: 5,
  request: DescribeLogDirsRequest,
  response: DescribeLogDirsResponse,
  async handle(ctx, req) {
    if (!clusterAuthorized(ctx, Op.DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    const broker = ctx.broker;
    const image = broker.image.topics;
    const wanted: Map<string, Set<number>> | null = req.topics === null ? null : new Map();
    for (const t of req.topics ?? []) {
      let parts = wanted!.get(t.topic);
      if (!parts) wanted!.set(t.topic, (parts = new Set()));
      for (const p of t.partitions) parts.add(p);
    }
    // Only partitions of topics the image has (the metadata log is no partition of a topic).
    const asked = (topic: string, partition: number) => (wanted === null || wanted.get(topic)?.has(partition) === true) && image.get(topic)?.registrations.has(partition) === true;
    const dirs: LogDirDescription[] = broker.logDirs?.describe() ?? [
      {
        path: 'memory',
        offline: false,
        logs: [...image.all()].flatMap((t) => [...t.registrations.keys()].filter((p) => broker.partitionLog(t.name, p)).map((p) => ({ topic: t.name, partition: p, path: '', isFuture: false, offsetLag: 0 }))),
      },
    ];
    const results: Result[] = [];
    for (const d of dirs) {
      if (d.offline) {
        results.push({ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: d.path, topics: [], totalBytes: -1, usableBytes: -1, isCordoned: false });
        continue;
      }
      const byTopic = new Map<string, Topic['partitions']>();
      for (const l of d.logs) {
        if (!asked(l.topic, l.partition)) continue;
        let parts = byTopic.get(l.topic);
        if (!parts) byTopic.set(l.topic, (parts = []));
        parts.push({ partitionIndex: l.partition, partitionSize: l.path ? await sizeOnDisk(l.path) : 0, offsetLag: l.offsetLag, isFutureKey: l.isFuture });
      }
      const topics: Topic[] = [...byTopic].map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex) }));
      let totalBytes = -1;
      let usableBytes = -1;
      if (broker.logDirs && ctx.apiVersion >= 4) {
        const s = await fsp.statfs(d.path);
        totalBytes = s.blocks * s.bsize;
        usableBytes = s.bavail * s.bsize;
      }
      results.push({ errorCode: ErrorCode.NONE, logDir: d.path, topics, totalBytes, usableBytes, isCordoned: false });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
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
