// DescribeLogDirs for raftka's own client: asks one broker for its log dirs, the partitions in
// each with their size on disk, and (v4) the volume's total and usable bytes. Kafka's Admin
// describeLogDirs does the same, broker by broker. Callers: the web console (sizes, disk use)
// and tests.
import { ErrorCode } from '../common/errors.js';
import { describeLogDirsApi } from '../protocol/messages/describe-log-dirs.js';
import { KafkaRequestError, type KafkaClient } from './kafka-client.js';

export interface LogDirPartition {
  readonly topic: string;
  readonly partition: number;
  readonly sizeBytes: number;
  readonly offsetLag: number;
  readonly isFuture: boolean;
}

export interface LogDirDescription {
  readonly logDir: string;
  /** NONE, or KAFKA_STORAGE_ERROR for a dir the broker cannot read. */
  readonly errorCode: number;
  readonly partitions: readonly LogDirPartition[];
  /** The volume's size and free space for this user; -1 when the broker does not say (v3 and older). */
  readonly totalBytes: number;
  readonly usableBytes: number;
}

/**
 * The log dirs of broker `brokerId` (known to the client's metadata). `topics` limits the answer
 * to those partitions; null asks for every partition the broker hosts.
 */
export async function describeLogDirs(
  client: KafkaClient,
  brokerId: number,
  topics: readonly { topic: string; partitions: readonly number[] }[] | null = null,
): Promise<LogDirDescription[]> {
  if (!client.knownBrokers().has(brokerId)) await client.metadata([]);
  const c = await client.connectionTo(brokerId);
  const res = await c.send(
    describeLogDirsApi,
    { topics: topics === null ? null : topics.map((t) => ({ topic: t.topic, partitions: [...t.partitions] })) },
    client.requestTimeoutMs,
  );
  if (res.errorCode !== ErrorCode.NONE)
    throw new KafkaRequestError(res.errorCode, `DescribeLogDirs on broker ${brokerId}`);
  return res.results.map((r) => ({
    logDir: r.logDir,
    errorCode: r.errorCode,
    partitions: r.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        sizeBytes: p.partitionSize,
        offsetLag: p.offsetLag,
        isFuture: p.isFutureKey,
      })),
    ),
    totalBytes: r.totalBytes,
    usableBytes: r.usableBytes,
  }));
}
