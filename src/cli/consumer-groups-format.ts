// What `raftka consumer-groups --list / --describe` prints, as pure functions from what the
// group APIs answered to rows (also the --json output) and from rows to Kafka's tables. Columns,
// '-' placeholders and row order follow kafka-consumer-groups.sh. The command file does the I/O.
import { ErrorCode, errorName } from '../common/errors.js';
import { partitionKey } from '../protocol/topic-partition.js';
import { formatTable } from './table.js';

export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** One member as DescribeGroups answered it, its assignment decoded. */
export interface MemberView {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly assignment: readonly PartitionRef[];
}

/** One row of --describe (the offsets view); null prints as '-'. */
export interface OffsetRow {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly currentOffset: number | null;
  readonly logEndOffset: number | null;
  readonly lag: number | null;
  readonly consumerId: string | null;
  readonly host: string | null;
  readonly clientId: string | null;
}

export interface MemberRow {
  readonly group: string;
  readonly consumerId: string;
  readonly groupInstanceId: string | null;
  readonly host: string;
  readonly clientId: string;
  readonly partitions: number;
  /** "t1(0,1),t2(3)" or '-' (printed with --verbose). */
  readonly assignment: string;
}

export interface StateRow {
  readonly group: string;
  /** "host:port (id)". */
  readonly coordinator: string;
  readonly assignmentStrategy: string;
  readonly state: string;
  readonly members: number;
}

const byTopicPartition = (a: PartitionRef, b: PartitionRef): number =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;

/**
 * The offsets view, as kafka-consumer-groups.sh --describe builds it: first the partitions of
 * members that hold some (members with more partitions first), then partitions that have a
 * committed offset but no owner ('-' for consumer id, host and client id). A partition without a
 * committed offset shows '-' for CURRENT-OFFSET and LAG; members holding nothing are not listed.
 */
export function buildOffsetRows(input: {
  readonly group: string;
  readonly members: readonly MemberView[];
  readonly committed: readonly { readonly topic: string; readonly partition: number; readonly offset: number }[];
  readonly logEndOffsets: ReadonlyMap<string, number>;
}): OffsetRow[] {
  const committed = new Map(
    input.committed.filter((c) => c.offset >= 0).map((c) => [partitionKey(c.topic, c.partition), c.offset]),
  );
  const row = (tp: PartitionRef, owner: MemberView | null): OffsetRow => {
    const current = committed.get(partitionKey(tp.topic, tp.partition)) ?? null;
    const end = input.logEndOffsets.get(partitionKey(tp.topic, tp.partition)) ?? null;
    return {
      group: input.group,
      topic: tp.topic,
      partition: tp.partition,
      currentOffset: current,
      logEndOffset: end,
      lag: current !== null && end !== null ? end - current : null,
      consumerId: owner?.memberId ?? null,
      host: owner?.clientHost ?? null,
      clientId: owner?.clientId ?? null,
    };
  };
  const owners = input.members
    .filter((m) => m.assignment.length > 0)
    .sort((a, b) => b.assignment.length - a.assignment.length || (a.memberId < b.memberId ? -1 : 1));
  const owned = new Set<string>();
  const rows: OffsetRow[] = [];
  for (const m of owners) {
    for (const tp of [...m.assignment].sort(byTopicPartition)) {
      owned.add(partitionKey(tp.topic, tp.partition));
      rows.push(row(tp, m));
    }
  }
  const orphans = input.committed
    .filter((c) => c.offset >= 0 && !owned.has(partitionKey(c.topic, c.partition)))
    .sort(byTopicPartition);
  for (const c of orphans) rows.push(row(c, null));
  return rows;
}

const dash = (v: string | number | null): string => (v === null || v === '' ? '-' : String(v));

export function formatOffsetRows(rows: readonly OffsetRow[]): string {
  return formatTable(
    ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
    rows.map((r) => [
      r.group,
      r.topic,
      String(r.partition),
      dash(r.currentOffset),
      dash(r.logEndOffset),
      dash(r.lag),
      dash(r.consumerId),
      dash(r.host),
      dash(r.clientId),
    ]),
  );
}

/** "t1(0,1),t2(3)": topics in name order, partitions ascending; '-' for none. */
export function formatAssignment(partitions: readonly PartitionRef[]): string {
  if (partitions.length === 0) return '-';
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic.keys()]
    .sort()
    .map(
      (t) =>
        `${t}(${byTopic
          .get(t)!
          .sort((a, b) => a - b)
          .join(',')})`,
    )
    .join(',');
}

export function buildMemberRows(group: string, members: readonly MemberView[]): MemberRow[] {
  return members.map((m) => ({
    group,
    consumerId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    host: m.clientHost,
    clientId: m.clientId,
    partitions: m.assignment.length,
    assignment: formatAssignment(m.assignment),
  }));
}

/**
 * --describe --members: GROUP, CONSUMER-ID, [GROUP-INSTANCE-ID when some member is static], HOST,
 * CLIENT-ID, #PARTITIONS, and with --verbose ASSIGNMENT.
 */
export function formatMemberRows(rows: readonly MemberRow[], verbose: boolean): string {
  const withInstance = rows.some((r) => r.groupInstanceId !== null);
  const header = [
    'GROUP',
    'CONSUMER-ID',
    ...(withInstance ? ['GROUP-INSTANCE-ID'] : []),
    'HOST',
    'CLIENT-ID',
    '#PARTITIONS',
    ...(verbose ? ['ASSIGNMENT'] : []),
  ];
  return formatTable(
    header,
    rows.map((r) => [
      r.group,
      r.consumerId,
      ...(withInstance ? [dash(r.groupInstanceId)] : []),
      r.host,
      r.clientId,
      String(r.partitions),
      ...(verbose ? [r.assignment] : []),
    ]),
  );
}

export function buildStateRow(g: {
  readonly groupId: string;
  readonly protocol: string;
  readonly state: string;
  readonly memberCount: number;
  readonly coordinator: { readonly nodeId: number; readonly host: string; readonly port: number };
}): StateRow {
  return {
    group: g.groupId,
    coordinator: `${g.coordinator.host}:${g.coordinator.port} (${g.coordinator.nodeId})`,
    assignmentStrategy: g.protocol,
    state: g.state,
    members: g.memberCount,
  };
}

export function formatStateRows(rows: readonly StateRow[]): string {
  return formatTable(
    ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'],
    rows.map((r) => [r.group, r.coordinator, r.assignmentStrategy, r.state, String(r.members)]),
  );
}

/** --list: one group id a line; with --state a GROUP STATE table. */
export function formatGroupList(
  groups: readonly { readonly groupId: string; readonly state: string | null }[],
  withState: boolean,
): string {
  if (!withState) return groups.map((g) => g.groupId).join('\n');
  return formatTable(
    ['GROUP', 'STATE'],
    groups.map((g) => [g.groupId, g.state ?? 'Unknown']),
  );
}

/**
 * What Kafka's tool prints on stderr about a group's state before its rows, or null: Dead is an
 * error (the group does not exist), Empty and rebalancing are notes.
 */
export function stateNotice(group: string, state: string): string | null {
  switch (state) {
    case 'Dead':
      return `Error: Consumer group '${group}' does not exist.`;
    case 'Empty':
      return `Consumer group '${group}' has no active members.`;
    case 'PreparingRebalance':
    case 'CompletingRebalance':
    case 'Assigning': // a consumer group (KIP-848)
    case 'Reconciling':
      return `Warning: Consumer group '${group}' is rebalancing.`;
    default:
      return null;
  }
}

interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly ok: boolean;
}

const quotedList = (ids: readonly string[]): string => ids.map((g) => `'${g}'`).join(', ');

/** Short explanations of the codes DeleteGroups and OffsetDelete answer with. */
const errorExplanations = new Map<number, string>([
  [ErrorCode.NON_EMPTY_GROUP, 'The group is not empty.'],
  [ErrorCode.GROUP_ID_NOT_FOUND, 'The group id does not exist.'],
  [ErrorCode.INVALID_GROUP_ID, 'The configured groupId is invalid.'],
  [ErrorCode.GROUP_AUTHORIZATION_FAILED, 'Not authorized to access group.'],
  [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 'The consumer group is actively subscribed to the topic.'],
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'],
]);

function explainError(code: number): string {
  const why = errorExplanations.get(code);
  return why ? `${errorName(code)}: ${why}` : errorName(code);
}

/** --delete: Kafka's success line, or the failures (stderr) and the groups that did go. */
export function formatDeleteGroupsResult(
  results: readonly { readonly groupId: string; readonly errorCode: number }[],
): CommandOutput {
  const deleted = results.filter((r) => r.errorCode === ErrorCode.NONE).map((r) => r.groupId);
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE);
  if (failed.length === 0)
    return {
      stdout: `Deletion of requested consumer groups (${quotedList(deleted)}) was successful.`,
      stderr: '',
      ok: true,
    };
  const stderr = [
    'Error: Deletion of some consumer groups failed:',
    ...failed.map((r) => `* Group '${r.groupId}' could not be deleted due to: ${explainError(r.errorCode)}`),
  ].join('\n');
  const stdout = deleted.length > 0 ? `These consumer groups were deleted successfully: ${quotedList(deleted)}` : '';
  return { stdout, stderr, ok: false };
}

export interface DeletedOffset {
  readonly topic: string;
  /** null: the topic is unknown, so no partition could be named. */
  readonly partition: number | null;
  readonly errorCode: number;
}

/**
 * --delete-offsets: Kafka's verdict line for the top-level result (the group's error, or the
 * first partition's), then a TOPIC PARTITION STATUS table of every partition.
 */
export function formatDeleteOffsetsResult(
  group: string,
  topics: readonly string[],
  topLevelCode: number,
  partitions: readonly DeletedOffset[],
): CommandOutput {
  let verdict: string;
  switch (topLevelCode) {
    case ErrorCode.NONE:
      verdict = `Request succeed for deleting offsets with topic ${topics.join(', ')} group ${group}`;
      break;
    case ErrorCode.INVALID_GROUP_ID:
      verdict = `Error: '${group}' is not valid.`;
      break;
    case ErrorCode.GROUP_ID_NOT_FOUND:
      verdict = `Error: '${group}' does not exist.`;
      break;
    case ErrorCode.GROUP_AUTHORIZATION_FAILED:
      verdict = `Error: Access to '${group}' is not authorized.`;
      break;
    case ErrorCode.NON_EMPTY_GROUP:
      verdict = `Error: Deleting offsets of a consumer group '${group}' is forbidden if the group is not empty.`;
      break;
    case ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC:
    case ErrorCode.TOPIC_AUTHORIZATION_FAILED:
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      verdict = 'Error: Encounter some partition level error, see the follow-up details:';
      break;
    default:
      verdict = `Error: Encounter some unknown error: ${errorName(topLevelCode)}`;
  }
  const sorted = [...partitions].sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : (a.partition ?? -1) - (b.partition ?? -1),
  );
  const table = formatTable(
    ['TOPIC', 'PARTITION', 'STATUS'],
    sorted.map((p) => [
      p.topic,
      p.partition === null ? 'Not Provided' : String(p.partition),
      p.errorCode === ErrorCode.NONE ? 'Successful' : `Error: ${explainError(p.errorCode)}`,
    ]),
  );
  const ok = topLevelCode === ErrorCode.NONE;
  return ok ? { stdout: `${verdict}\n\n${table}`, stderr: '', ok } : { stdout: table, stderr: verdict, ok };
}
