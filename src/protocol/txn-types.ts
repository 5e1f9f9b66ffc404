// Kafka's exactly-once vocabulary: control record types, isolation levels, FindCoordinator key
// types and the transaction states with the ids stored in __transaction_state and the names
// DescribeTransactions / ListTransactions put on the wire. Only numbers and names here; which
// transition is legal is the transaction coordinator's rule (src/broker/txn/).

/** The `type` of a control record's key (version int16 + type int16) in a control batch. */
export const ControlRecordType = { ABORT: 0, COMMIT: 1 } as const;
export type ControlRecordTypeId = (typeof ControlRecordType)[keyof typeof ControlRecordType];

/** Fetch / ListOffsets IsolationLevel (int8). */
export const IsolationLevel = { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 } as const;
export type IsolationLevelId = (typeof IsolationLevel)[keyof typeof IsolationLevel];

/** FindCoordinator KeyType (int8). */
export const CoordinatorKeyType = { GROUP: 0, TRANSACTION: 1 } as const;
export type CoordinatorKeyTypeId = (typeof CoordinatorKeyType)[keyof typeof CoordinatorKeyType];

/** Transaction states as Kafka's coordinator stores them (the state byte of a __transaction_state value). */
export const TransactionState = {
  EMPTY: 0,
  ONGOING: 1,
  PREPARE_COMMIT: 2,
  PREPARE_ABORT: 3,
  COMPLETE_COMMIT: 4,
  COMPLETE_ABORT: 5,
  DEAD: 6,
  PREPARE_EPOCH_FENCE: 7,
} as const;
export type TransactionStateId = (typeof TransactionState)[keyof typeof TransactionState];

/** Kafka's names of the states, indexed by id, as Describe/ListTransactions and the admin tools show them. */
export const transactionStateNames = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
] as const;
export type TransactionStateName = (typeof transactionStateNames)[number];

const idsByName: ReadonlyMap<string, TransactionStateId> = new Map(
  transactionStateNames.map((name, id) => [name, id as TransactionStateId]),
);

/** The wire name of a state id. */
export function transactionStateName(id: TransactionStateId): TransactionStateName {
  return transactionStateNames[id];
}

/** The state id of a name (ListTransactions StateFilters); undefined for a name Kafka does not define. */
export function transactionStateFromName(name: string): TransactionStateId | undefined {
  return idsByName.get(name);
}

/** Whether a byte read from __transaction_state is a state id Kafka defines. */
export function isTransactionStateId(id: number): id is TransactionStateId {
  return Number.isInteger(id) && id >= 0 && id < transactionStateNames.length;
}
