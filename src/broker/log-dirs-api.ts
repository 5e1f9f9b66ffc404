// The broker's log-dir handlers. AlterReplicaLogDirs (key 34), Kafka's ReplicaManager rules: a path
// that is not one of this broker's `log.dirs` (compared as absolute paths) is LOG_DIR_NOT_FOUND, a
// partition this broker does not host REPLICA_NOT_AVAILABLE, the dir the replica already lives in
// succeeds (nothing to move). Moving a replica to another of its broker's dirs (Kafka's future log
// and ReplicaAlterLogDirsThread) is not built: KAFKA_STORAGE_ERROR, the answer Kafka gives when it
// cannot create the future log, so kafka-reassign-partitions.sh stops instead of retrying forever.
// DescribeLogDirs (key 35): for each of this broker's `log.dirs`, the
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
import {
  alterReplicaLogDirsApi,
  type AlterReplicaLogDirsRequest,
  type AlterReplicaLogDirsResponseInput,
} from '../protocol/messages/alter-replica-log-dirs.js';
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
  // ALTER on the cluster (Kafka's rule); without it, every partition CLUSTER_AUTHORIZATION_FAILED.
  apis.register(
    alterReplicaLogDirsApi,
    clusterOnly(
      AclOperation.ALTER,
      (r) => alterReplicaLogDirs(ctx, r),
      (errorCode, _message, r) => alterAnswer(r, () => errorCode),
    ),
  );
}

/** One answer per asked partition (topics merged across dirs, in request order), each from `errorOf`. */
function alterAnswer(
  req: AlterReplicaLogDirsRequest,
  errorOf: (path: string, topic: string, partition: number) => number,
): AlterReplicaLogDirsResponseInput {
  const byTopic = new Map<string, { partitionIndex: number; errorCode: number }[]>();
  for (const dir of req.dirs)
    for (const t of dir.topics) {
      const list = byTopic.get(t.name) ?? [];
      for (const p of t.partitions) list.push({ partitionIndex: p, errorCode: errorOf(dir.path, t.name, p) });
      byTopic.set(t.name, list);
    }
  return {
    throttleTimeMs: 0,
    results: [...byTopic].map(([topicName, partitions]) => ({ topicName, partitions })),
  };
}

function alterReplicaLogDirs(ctx: BrokerApiContext, req: AlterReplicaLogDirsRequest): AlterReplicaLogDirsResponseInput {
  const dirs = new Set(ctx.config.logDirs.map((d) => resolve(d)));
  return alterAnswer(req, (path, topic, partition) => {
    if (!path.startsWith('/') || !dirs.has(resolve(path))) return ErrorCode.LOG_DIR_NOT_FOUND;
    const hosted = ctx.replicas.get(topic, partition);
    if (!hosted) return ErrorCode.REPLICA_NOT_AVAILABLE;
    return resolve(dirname(hosted.log.dir)) === resolve(path) ? ErrorCode.NONE : ErrorCode.KAFKA_STORAGE_ERROR;
  });
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
