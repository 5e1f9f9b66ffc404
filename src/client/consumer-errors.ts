// How raftka's group consumer (group-consumer.ts) sorts the errors it meets: which fetch and
// ListOffsets failures pass on their own, which group answers are routine parts of a rebalance,
// and how an error reads in a log line. Pure.
import { ErrorCode } from '../common/errors.js';
import { KafkaRequestError, retriable } from './kafka-client.js';
import { KafkaConnectionError } from './kafka-connection.js';

/**
 * Fetch and ListOffsets errors that pass on their own (a leader moving, a broker restarting): the
 * partition is skipped for this poll() and tried again at the next, as Kafka's consumer does.
 * KafkaClient has already retried these a bounded number of times before giving up.
 */
const transientPartitionErrors = new Set<number>([
  ...retriable,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.OFFSET_NOT_AVAILABLE,
]);

export const isTransient = (err: unknown): boolean =>
  err instanceof KafkaConnectionError ||
  (err instanceof KafkaRequestError && transientPartitionErrors.has(err.errorCode));

/** Answers that are part of every rebalance, not worth a log line. */
export function isRoutine(err: unknown): boolean {
  return (
    err instanceof KafkaRequestError &&
    (err.errorCode === ErrorCode.MEMBER_ID_REQUIRED || err.errorCode === ErrorCode.REBALANCE_IN_PROGRESS)
  );
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
