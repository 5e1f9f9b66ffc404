// The reads a consumer group's lag is made of, shared by `raftka consumer-groups --describe`
// and the web console's group pages: the partitions a member holds (its assignment bytes) and
// the log end offsets (ListOffsets latest) of a set of partitions.
import { decodeAssignment } from '../protocol/consumer-protocol.js';
import { partitionKey } from '../protocol/topic-partition.js';
import { KafkaRequestError, type KafkaClient } from './kafka-client.js';

interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** A member's assignment bytes as partitions; bytes of another protocol type (or none yet) give []. */
export function assignedPartitions(protocolType: string, assignment: Buffer): TopicPartitionRef[] {
  if (protocolType !== 'consumer' && protocolType !== '') return [];
  try {
    return decodeAssignment(assignment).assignedPartitions.flatMap((t) =>
      t.partitions.map((partition) => ({ topic: t.topic, partition })),
    );
  } catch {
    // A member whose bytes are not a ConsumerProtocolAssignment is shown without partitions.
    return [];
  }
}

/**
 * Log end offsets by partitionKey, each partition asked once, all at once (KafkaClient shares one
 * connection per broker even between concurrent first uses); a partition whose leader answers with
 * an error is left out (shown as '-').
 */
export async function logEndOffsets(
  client: KafkaClient,
  partitions: readonly TopicPartitionRef[],
): Promise<Map<string, number>> {
  const unique = new Map(partitions.map((tp) => [partitionKey(tp.topic, tp.partition), tp]));
  const answers = await Promise.all(
    [...unique].map(async ([key, tp]) => {
      try {
        return [key, (await client.listOffset(tp.topic, tp.partition, -1)).offset] as const;
      } catch (err) {
        if (!(err instanceof KafkaRequestError)) throw err;
        return null;
      }
    }),
  );
  return new Map(answers.filter((a) => a !== null));
}
