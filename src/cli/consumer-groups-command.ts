// `raftka consumer-groups --bootstrap-server H:P --list | --describe | --reset-offsets | --delete |
// --delete-offsets`, mirroring kafka-consumer-groups.sh: the same flags, columns and messages,
// plus --json on every listing. Tables and reset planning are pure (consumer-groups-format.ts,
// reset-offsets-plan.ts); this file asks the cluster (src/client/group-client.ts) and prints.
import type { CommandModule } from 'yargs';
import { ErrorCode, errorName } from '../common/errors.js';
import {
  deleteGroups,
  listGroups,
  offsetCommit,
  offsetDelete,
  offsetFetch,
  toTopicPartitions,
  withCoordinatorRetries,
  type CommittedOffset,
  type GroupDescription,
} from '../client/group-client.js';
import { describeGroupsOfBothKinds } from '../client/consumer-group-client.js';
import { KafkaClient, KafkaRequestError } from '../client/kafka-client.js';
import { assignedPartitions, logEndOffsets } from '../client/group-lag.js';
import {
  buildMemberRows,
  buildOffsetRows,
  buildStateRow,
  formatDeleteGroupsResult,
  formatDeleteOffsetsResult,
  formatGroupList,
  formatMemberRows,
  formatOffsetRows,
  formatStateRows,
  stateNotice,
  type DeletedOffset,
  type MemberRow,
  type MemberView,
  type OffsetRow,
  type PartitionRef,
  type StateRow,
} from './consumer-groups-format.js';
import { parseEndpoints } from '../common/endpoint.js';
import { partitionKey } from '../protocol/topic-partition.js';
import { exitWithError } from './errors.js';
import { type CommandConfigArgs, clientSecurityOf, commandConfigOption } from './command-config.js';
import {
  parseResetDateTime,
  parseTopicSpec,
  planReset,
  type PartitionOffsets,
  type ResetSpec,
} from './reset-offsets-plan.js';
import { formatTable } from './table.js';

interface GroupsArgs extends CommandConfigArgs {
  'bootstrap-server': string;
  list?: boolean;
  describe?: boolean;
  'reset-offsets'?: boolean;
  delete?: boolean;
  'delete-offsets'?: boolean;
  group?: string[];
  'all-groups'?: boolean;
  members?: boolean;
  offsets?: boolean;
  /** --list: '' shows the STATE column, "Stable,Empty" also filters; --describe: the state view. */
  state?: string;
  verbose?: boolean;
  topic?: string[];
  'all-topics'?: boolean;
  'to-earliest'?: boolean;
  'to-latest'?: boolean;
  'to-offset'?: number;
  'shift-by'?: number;
  'to-datetime'?: string;
  'dry-run'?: boolean;
  execute?: boolean;
  json?: boolean;
}

const groupStates = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

/** The group states --state names, case-insensitively as Kafka's tool takes them. */
function parseStates(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const state = groupStates.find((x) => x.toLowerCase() === s.toLowerCase());
      if (!state) throw new Error(`Invalid state list '${text}'. Valid states are: ${groupStates.join(', ')}`);
      return state;
    });
}

const isConsumerGroup = (protocolType: string): boolean => protocolType === 'consumer' || protocolType === '';

/** Notes on stderr, with the blank line Kafka's tool puts before them. */
function note(message: string): void {
  process.stderr.write(`\n${message}\n`);
}

async function groupIds(client: KafkaClient, args: GroupsArgs): Promise<string[]> {
  if (!args['all-groups']) return [...new Set(args.group ?? [])];
  return (await listGroups(client)).filter((g) => isConsumerGroup(g.protocolType)).map((g) => g.groupId);
}

function membersOf(d: GroupDescription): MemberView[] {
  return d.members.map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    assignment: assignedPartitions(d.protocolType, m.assignment),
  }));
}

/** A group the coordinator could not describe, or one that does not exist: says so and returns false. */
function usable(d: GroupDescription): boolean {
  if (d.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) {
    note(`Error: Consumer group '${d.groupId}' does not exist.`);
    return false;
  }
  if (d.errorCode !== ErrorCode.NONE) {
    note(`Error: Consumer group '${d.groupId}': ${errorName(d.errorCode)}`);
    process.exitCode = 1;
    return false;
  }
  const notice = stateNotice(d.groupId, d.state);
  if (notice) note(notice);
  return d.state !== 'Dead';
}

// ---- --list -------------------------------------------------------------------------------------------

async function list(client: KafkaClient, args: GroupsArgs): Promise<void> {
  const withState = args.state !== undefined;
  const states = withState ? parseStates(args.state!) : [];
  const groups = (await listGroups(client, states)).filter(
    (g) => isConsumerGroup(g.protocolType) && (states.length === 0 || g.state === null || states.includes(g.state)),
  );
  if (args.json)
    console.log(
      JSON.stringify(
        withState ? groups.map((g) => ({ group: g.groupId, state: g.state })) : groups.map((g) => g.groupId),
      ),
    );
  else if (groups.length > 0) console.log(formatGroupList(groups, withState));
}

// ---- --describe -----------------------------------------------------------------------------------------

async function committedOffsets(client: KafkaClient, groupId: string): Promise<CommittedOffset[]> {
  return (await withCoordinatorRetries(() => offsetFetch(client, groupId, null))).filter((c) => c.offset >= 0);
}

async function describe(client: KafkaClient, args: GroupsArgs): Promise<void> {
  const ids = await groupIds(client, args);
  const described = await withCoordinatorRetries(() => describeGroupsOfBothKinds(client, ids));
  const offsetRows: OffsetRow[] = [];
  const memberRows: MemberRow[] = [];
  const stateRows: StateRow[] = [];
  for (const d of described) {
    if (!usable(d)) continue;
    const members = membersOf(d);
    if (args.state !== undefined) {
      const row = buildStateRow({
        groupId: d.groupId,
        protocol: d.protocol,
        state: d.state,
        memberCount: d.members.length,
        coordinator: d.coordinator,
      });
      stateRows.push(row);
      if (!args.json) console.log(`\n${formatStateRows([row])}`);
    } else if (args.members) {
      const rows = buildMemberRows(d.groupId, members);
      memberRows.push(...rows);
      if (!args.json && rows.length > 0) console.log(`\n${formatMemberRows(rows, Boolean(args.verbose))}`);
    } else {
      const committed = await committedOffsets(client, d.groupId);
      const ends = await logEndOffsets(client, [...members.flatMap((m) => m.assignment), ...committed]);
      const rows = buildOffsetRows({ group: d.groupId, members, committed, logEndOffsets: ends });
      offsetRows.push(...rows);
      if (!args.json && rows.length > 0) console.log(`\n${formatOffsetRows(rows)}`);
    }
  }
  if (args.json)
    console.log(JSON.stringify(args.state !== undefined ? stateRows : args.members ? memberRows : offsetRows, null, 2));
}

// ---- --reset-offsets ------------------------------------------------------------------------------------

function resetSpec(args: GroupsArgs): ResetSpec {
  if (args['to-earliest']) return { kind: 'earliest' };
  if (args['to-latest']) return { kind: 'latest' };
  if (args['to-offset'] !== undefined) return { kind: 'offset', offset: args['to-offset'] };
  if (args['shift-by'] !== undefined) return { kind: 'shift', by: args['shift-by'] };
  return { kind: 'datetime', timestampMs: parseResetDateTime(args['to-datetime']!) };
}

/** --topic T[:p,...] (every partition from metadata when none is named). */
async function namedPartitions(client: KafkaClient, specs: readonly string[]): Promise<PartitionRef[]> {
  const out: PartitionRef[] = [];
  for (const spec of specs.map(parseTopicSpec)) {
    const partitions = spec.partitions ?? (await client.topic(spec.topic)).partitions.map((p) => p.partition);
    out.push(...partitions.map((partition) => ({ topic: spec.topic, partition })));
  }
  return out;
}

const inactiveStates = new Set(['Empty', 'Dead']);

/** Codes with which the coordinator refuses an admin commit because the group has members. */
const activeGroupCodes = new Set<number>([
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.REBALANCE_IN_PROGRESS,
]);

function refuseActive(groupId: string, state: string): void {
  note(
    `Error: Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${state}.`,
  );
  process.exitCode = 1;
}

async function resetOffsets(client: KafkaClient, args: GroupsArgs): Promise<void> {
  const spec = resetSpec(args);
  if (!args['dry-run'] && !args.execute) {
    note(
      'WARN: No action will be performed as the --execute option is missing. Add --dry-run to say you only want to see the new offsets, or --execute to commit them.',
    );
  }
  const all: { group: string; topic: string; partition: number; newOffset: number }[] = [];
  for (const groupId of await groupIds(client, args)) {
    const [d] = await withCoordinatorRetries(() => describeGroupsOfBothKinds(client, [groupId]));
    if (d!.errorCode !== ErrorCode.NONE && d!.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND)
      throw new KafkaRequestError(d!.errorCode, `describe group '${groupId}'`);
    if (d!.errorCode === ErrorCode.NONE && !inactiveStates.has(d!.state)) {
      refuseActive(groupId, d!.state);
      continue;
    }
    const committed = await committedOffsets(client, groupId);
    const targets = args['all-topics']
      ? [...membersOf(d!).flatMap((m) => m.assignment), ...committed]
      : await namedPartitions(client, args.topic ?? []);
    const current = new Map(committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
    const inputs: PartitionOffsets[] = [];
    const seen = new Set<string>();
    for (const tp of targets) {
      const key = partitionKey(tp.topic, tp.partition);
      if (seen.has(key)) continue;
      seen.add(key);
      inputs.push({
        topic: tp.topic,
        partition: tp.partition,
        current: current.get(key) ?? null,
        logStart: (await client.listOffset(tp.topic, tp.partition, -2)).offset,
        logEnd: (await client.listOffset(tp.topic, tp.partition, -1)).offset,
        offsetForTimestamp:
          spec.kind === 'datetime'
            ? (await client.listOffset(tp.topic, tp.partition, spec.timestampMs)).offset
            : undefined,
      });
    }
    const plan = planReset(groupId, inputs, spec);
    if (!plan.ok) throw new Error(plan.error);
    for (const n of plan.notes) process.stderr.write(`Warn: ${n}\n`);
    if (args.execute && plan.rows.length > 0) {
      // Generation -1 and no member id: the coordinator accepts these only while the group is empty.
      const offsets = plan.rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset }));
      try {
        await withCoordinatorRetries(() =>
          offsetCommit(client, { groupId, generationId: -1, memberId: '', groupInstanceId: null, offsets }),
        );
      } catch (err) {
        // A member joined after the check above: say so as Kafka's tool does.
        if (!(err instanceof KafkaRequestError) || !activeGroupCodes.has(err.errorCode)) throw err;
        const [now] = await withCoordinatorRetries(() => describeGroupsOfBothKinds(client, [groupId]));
        refuseActive(groupId, now?.state ?? 'unknown');
        continue;
      }
    }
    all.push(...plan.rows);
    if (!args.json)
      console.log(
        `\n${formatTable(
          ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
          plan.rows.map((r) => [r.group, r.topic, String(r.partition), String(r.newOffset)]),
        )}`,
      );
  }
  if (args.json) console.log(JSON.stringify(all, null, 2));
}

// ---- --delete, --delete-offsets ---------------------------------------------------------------------------

async function deleteCommand(client: KafkaClient, args: GroupsArgs): Promise<void> {
  const results = await deleteGroups(client, await groupIds(client, args));
  if (args.json)
    console.log(
      JSON.stringify(
        results.map((r) => ({
          group: r.groupId,
          error: r.errorCode === ErrorCode.NONE ? null : errorName(r.errorCode),
        })),
      ),
    );
  const out = formatDeleteGroupsResult(results);
  if (!args.json && out.stdout !== '') console.log(out.stdout);
  if (out.stderr !== '') note(out.stderr);
  if (!out.ok) process.exitCode = 1;
}

async function deleteOffsets(client: KafkaClient, args: GroupsArgs): Promise<void> {
  const groupId = args.group![0]!;
  const specs = (args.topic ?? []).map(parseTopicSpec);
  const requested: PartitionRef[] = [];
  const unknownTopics: string[] = [];
  for (const spec of specs) {
    if (spec.partitions) {
      requested.push(...spec.partitions.map((partition) => ({ topic: spec.topic, partition })));
      continue;
    }
    try {
      requested.push(
        ...(await client.topic(spec.topic)).partitions.map((p) => ({ topic: spec.topic, partition: p.partition })),
      );
    } catch (err) {
      if (!(err instanceof KafkaRequestError) || err.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw err;
      unknownTopics.push(spec.topic);
    }
  }
  let topLevel: number = ErrorCode.NONE;
  let results: DeletedOffset[];
  try {
    results =
      requested.length === 0
        ? []
        : await withCoordinatorRetries(() => offsetDelete(client, groupId, toTopicPartitions(requested)));
  } catch (err) {
    if (!(err instanceof KafkaRequestError)) throw err;
    topLevel = err.errorCode;
    results = requested.map((p) => ({ ...p, errorCode: err.errorCode }));
  }
  results = [
    ...results,
    ...unknownTopics.map((topic) => ({ topic, partition: null, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })),
  ];
  // Like Kafka's tool: without a group-level error, the first partition error is the verdict.
  if (topLevel === ErrorCode.NONE)
    topLevel = results.find((r) => r.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
  const out = formatDeleteOffsetsResult(
    groupId,
    specs.map((s) => s.topic),
    topLevel,
    results,
  );
  if (args.json)
    console.log(
      JSON.stringify(
        results.map((r) => ({
          topic: r.topic,
          partition: r.partition,
          error: r.errorCode === ErrorCode.NONE ? null : errorName(r.errorCode),
        })),
      ),
    );
  else {
    if (out.stderr !== '') note(out.stderr);
    console.log(out.stdout);
  }
  if (!out.ok) process.exitCode = 1;
}

// ---- the command -------------------------------------------------------------------------------------------

const actions = ['list', 'describe', 'reset-offsets', 'delete', 'delete-offsets'] as const;
const resetScopes = ['to-earliest', 'to-latest', 'to-offset', 'shift-by', 'to-datetime'] as const;

export const consumerGroupsCommand: CommandModule<object, GroupsArgs> = {
  command: 'consumer-groups',
  describe: 'List, describe, reset offsets of and delete consumer groups (like kafka-consumer-groups.sh)',
  builder: (y) =>
    y
      .option('bootstrap-server', { type: 'string', demandOption: true, describe: 'host:port[,host:port...]' })
      .option('command-config', commandConfigOption)
      .option('list', { type: 'boolean', describe: 'list the consumer groups' })
      .option('describe', { type: 'boolean', describe: 'offsets and lag per partition (or --members, --state)' })
      .option('reset-offsets', { type: 'boolean', describe: 'reset committed offsets of an inactive group' })
      .option('delete', { type: 'boolean', describe: 'delete empty groups' })
      .option('delete-offsets', { type: 'boolean', describe: "delete a group's committed offsets of topics" })
      .option('group', { type: 'string', array: true, describe: 'group id (repeatable)' })
      .option('all-groups', { type: 'boolean', describe: 'every consumer group' })
      .option('members', { type: 'boolean', describe: 'with --describe: the members' })
      .option('offsets', { type: 'boolean', describe: 'with --describe: offsets and lag (the default)' })
      .option('state', {
        type: 'string',
        describe:
          'with --describe: coordinator, strategy, state; with --list: the STATE column [filter: Stable,Empty,...]',
      })
      .option('verbose', { type: 'boolean', describe: 'with --describe --members: the ASSIGNMENT column' })
      .option('topic', { type: 'string', array: true, describe: 'TOPIC or TOPIC:P1,P2 (repeatable)' })
      .option('all-topics', {
        type: 'boolean',
        describe: 'with --reset-offsets: every partition the group has offsets for',
      })
      .option('to-earliest', { type: 'boolean' })
      .option('to-latest', { type: 'boolean' })
      .option('to-offset', { type: 'number' })
      .option('shift-by', { type: 'number', describe: 'move the committed offset by N (may be negative)' })
      .option('to-datetime', { type: 'string', describe: 'YYYY-MM-DDTHH:mm:SS.sss[Z|+hh:mm]' })
      .option('dry-run', { type: 'boolean', describe: 'show the new offsets only (the default)' })
      .option('execute', { type: 'boolean', describe: 'commit the new offsets' })
      .option('json', { type: 'boolean', describe: 'print JSON' })
      .check((a) => {
        const chosen = actions.filter((k) => a[k]);
        if (chosen.length !== 1) throw new Error(`give exactly one of ${actions.map((k) => `--${k}`).join(', ')}`);
        const action = chosen[0]!;
        const groups = a.group ?? [];
        if (action !== 'list') {
          if (action === 'delete-offsets') {
            if (groups.length !== 1 || a['all-groups']) throw new Error('--delete-offsets needs exactly one --group');
            if ((a.topic ?? []).length === 0) throw new Error('--delete-offsets needs --topic');
          } else if (groups.length > 0 === Boolean(a['all-groups'])) {
            throw new Error(`--${action} needs --group (repeatable) or --all-groups`);
          }
        }
        if (action === 'describe' && [a.members, a.offsets, a.state !== undefined].filter(Boolean).length > 1)
          throw new Error('give at most one of --members, --offsets, --state');
        if (action === 'reset-offsets') {
          if (resetScopes.filter((k) => a[k] !== undefined && a[k] !== false).length !== 1)
            throw new Error(`--reset-offsets needs exactly one of ${resetScopes.map((k) => `--${k}`).join(', ')}`);
          if ((a.topic ?? []).length > 0 === Boolean(a['all-topics']))
            throw new Error('--reset-offsets needs --topic (repeatable) or --all-topics');
          if (a['dry-run'] && a.execute) throw new Error('give only one of --dry-run and --execute');
          if (a['to-offset'] !== undefined && (!Number.isInteger(a['to-offset']) || a['to-offset'] < 0))
            throw new Error('--to-offset must be an offset ≥ 0');
          if (a['shift-by'] !== undefined && !Number.isInteger(a['shift-by']))
            throw new Error('--shift-by must be an integer');
          if (a['to-datetime'] !== undefined) parseResetDateTime(a['to-datetime']);
        }
        return true;
      }),
  handler: async (args) => {
    const client = new KafkaClient(parseEndpoints(args['bootstrap-server']), {
      clientId: 'raftka-consumer-groups',
      security: clientSecurityOf(args),
    });
    try {
      if (args.list) await list(client, args);
      else if (args.describe) await describe(client, args);
      else if (args['reset-offsets']) await resetOffsets(client, args);
      else if (args.delete) await deleteCommand(client, args);
      else await deleteOffsets(client, args);
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
