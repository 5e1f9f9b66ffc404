// The broker's DescribeLogDirs handler (key 35): for each of this broker's `log.dirs`, the
// partitions it hosts there with their size on disk and offset lag (Kafka: the high watermark
// minus the log end offset, never below 0, for a current log; raftka has no future logs), and from
// v4 the volume's total and usable bytes (fs.statfs). A dir that cannot be read answers
// KAFKA_STORAGE_ERROR. Registered by admin-apis.ts; read by `src/client/log-dirs.ts` (the console's
// sizes and disk use).
import { statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCode } from '../common/errors.js';
import {
  describeLogDirsApi,
  type DescribeLogDirsRequest,
  type DescribeLogDirsResponseInput,
} from '../protocol/messages/describe-log-dirs.js';
import type { BrokerApiContext, KafkaApiRegistry } from './api-context.js';
import { clusterOnly } from './authorization.js';
import { AclOperation } from '../protocol/acl-types.js';
import type { Partition } from './partition.js';

interface PartitionEntry {
  readonly partitionIndex: number;
  readonly partitionSize: number;
  readonly offsetLag: number;
  readonly isFutureKey: boolean;
}

export function registerLogDirsApi(apis: KafkaApiRegistry, ctx: BrokerApiContext): void {
  // DESCRIBE on the cluster (Kafka's rule); without it, no results (v3+ also say CLUSTER_AUTHORIZATION_FAILED).
  apis.register(
    describeLogDirsApi,
    clusterOnly(
      AclOperation.DESCRIBE,
      (r) => describeLogDirs(ctx, r),
      (errorCode) => ({ throttleTimeMs: 0, errorCode, results: [] }),
    ),
  );
}

/** Whether the request asks for this partition (null topics: all of them). */
function wanted(req: DescribeLogDirsRequest): (p: Partition) => boolean {
  if (req.topics === null) return () => true;
  const asked = new Map<string, Set<number>>();
  for (const t of req.topics) {
    const set = asked.get(t.topic) ?? new Set<number>();
    for (const i of t.partitions) set.add(i);
    asked.set(t.topic, set);
  }
  return (p) => asked.get(p.topic)?.has(p.partition) ?? false;
}

function volume(dir: string): { totalBytes: number; usableBytes: number } | null {
  try {
    const s = statfsSync(dir);
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
  } catch {
    return null;
  }
}

function describeLogDirs(ctx: BrokerApiContext, req: DescribeLogDirsRequest): DescribeLogDirsResponseInput {
  const dirs = ctx.config.logDirs.map((d) => resolve(d));
  // log dir → topic → partitions; a partition's log lives in <logDir>/<topic>-<partition>.
  const byDir = new Map<string, Map<string, PartitionEntry[]>>(dirs.map((d) => [d, new Map()]));
  const isWanted = wanted(req);
  for (const p of ctx.replicas.hostedPartitions()) {
    if (!isWanted(p)) continue;
    const topics = byDir.get(resolve(dirname(p.log.dir)));
    if (!topics) continue;
    const list = topics.get(p.topic) ?? [];
    list.push({
      partitionIndex: p.partition,
      partitionSize: p.log.sizeBytes,
      offsetLag: Math.max(0, p.highWatermark - p.log.logEndOffset),
      isFutureKey: false,
    });
    topics.set(p.topic, list);
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    results: dirs.map((logDir) => {
      const space = volume(logDir);
      const topics = [...byDir.get(logDir)!].map(([name, partitions]) => ({
        name,
        partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex),
      }));
      return space === null
        ? { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], totalBytes: -1, usableBytes: -1 }
        : { errorCode: ErrorCode.NONE, logDir, topics, ...space };
    }),
  };
}
