// Kafka error codes (the numbers clients and tools see). Expected conditions travel as these
// codes, never as exceptions across layers (STYLE §5).
export const ErrorCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  BROKER_NOT_AVAILABLE: 8,
  UNSUPPORTED_VERSION: 35,
  INVALID_REQUEST: 42,
  NOT_CONTROLLER: 41,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  INCONSISTENT_VOTER_SET: 94,
  SNAPSHOT_NOT_FOUND: 98,
  POSITION_OUT_OF_RANGE: 99,
  INCONSISTENT_CLUSTER_ID: 104,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

const names = new Map<number, string>(Object.entries(ErrorCode).map(([k, v]) => [v, k]));

export function errorName(code: number): string {
  return names.get(code) ?? `ERROR_${code}`;
}
