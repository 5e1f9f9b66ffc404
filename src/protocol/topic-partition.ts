// Kafka's rules for naming topics and partitions, used by every layer that takes a topic name
// from the world (the controller's CreateTopics, the broker's auto-creation in Metadata) or keys
// a map by topic-partition (the log manager, replica fetchers, the CLI's offset tables).

const topicNameLengthMax = 249;

/** Kafka's rule: 1..249 chars of [a-zA-Z0-9._-], and not "." or "..". Null when legal. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'the topic name is empty';
  if (name === '.' || name === '..') return `"${name}" is not a legal topic name`;
  if (name.length > topicNameLengthMax) return `the topic name is longer than ${topicNameLengthMax} characters`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name))
    return `"${name}" has characters other than ASCII letters, digits, '.', '_' and '-'`;
  return null;
}

/**
 * `<topic>-<partition>` (Kafka's TopicPartition.toString and partition directory name), also the
 * key of maps by topic-partition. Unambiguous: the partition is the digits after the last '-'.
 */
export const partitionKey = (topic: string, partition: number): string => `${topic}-${partition}`;
