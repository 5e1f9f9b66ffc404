// `raftka console-consumer --bootstrap-server H:P --topic T [--group G] [--from-beginning]
// [--partition N] [--offset N|earliest|latest] [--max-messages N] [--timeout-ms N]
// [--isolation-level read_committed|read_uncommitted]
// [--consumer-property k=v ...] [--property print.key=true] [--property print.offset=true]
// [--property print.timestamp=true] [--property print.partition=true] [--property key.separator=S]`,
// like kafka-console-consumer.sh. With --group it is a group member (GroupConsumer, auto-commit,
// a last commit on exit); without, it reads assigned partitions (--partition/--offset) and
// commits nothing.
import type { CommandModule } from 'yargs';
import { Consumer, type ConsumedRecord } from '../client/consumer.js';
import { GroupConsumer, type AssignorName, type GroupConsumerOptions } from '../client/group-consumer.js';
import { KafkaClient } from '../client/kafka-client.js';
import {
  isolationLevelId,
  isolationLevelNames,
  parseIsolationLevel,
  type IsolationLevelName,
} from '../client/read-committed.js';
import { parseEndpoints } from '../common/endpoint.js';
import { exitWithError } from './errors.js';
import { type CommandConfigArgs, clientSecurityOf, commandConfigOption } from './command-config.js';
import { parseProperties } from './properties-flag.js';

interface ConsumerArgs extends CommandConfigArgs {
  'bootstrap-server': string;
  topic: string;
  group?: string;
  'from-beginning'?: boolean;
  partition?: number;
  offset?: string;
  'max-messages'?: number;
  'timeout-ms'?: number;
  'isolation-level'?: string;
  property?: string[];
  'consumer-property'?: string[];
}

/** GroupConsumer options from --consumer-property, plus the keys it does not know (ignored with a warning, as Kafka does). */
type ConsumerPropertyOptions = Omit<
  Partial<GroupConsumerOptions>,
  'topics' | 'onPartitionsAssigned' | 'onPartitionsRevoked' | 'log'
>;

function positiveInt(key: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`--consumer-property ${key} must be a positive integer, got "${value}"`);
  return n;
}

function bool(key: string, value: string): boolean {
  if (value !== 'true' && value !== 'false')
    throw new Error(`--consumer-property ${key} must be true or false, got "${value}"`);
  return value === 'true';
}

/** Kafka's assignor class names and our protocol names. */
const assignorNames = new Map<string, AssignorName>([
  ['range', 'range'],
  ['roundrobin', 'roundrobin'],
  ['org.apache.kafka.clients.consumer.RangeAssignor', 'range'],
  ['org.apache.kafka.clients.consumer.RoundRobinAssignor', 'roundrobin'],
  ['cooperative-sticky', 'cooperative-sticky'],
  ['org.apache.kafka.clients.consumer.CooperativeStickyAssignor', 'cooperative-sticky'],
]);

/**
 * The consumer properties kafka-console-consumer.sh users pass, mapped onto GroupConsumer:
 * group.id, group.instance.id, client.id, session.timeout.ms, heartbeat.interval.ms,
 * max.poll.interval.ms (the rebalance timeout), auto.offset.reset, enable.auto.commit,
 * auto.commit.interval.ms, partition.assignment.strategy, max.partition.fetch.bytes,
 * allow.auto.create.topics, metadata.max.age.ms, request.timeout.ms, isolation.level.
 */
export function consumerPropertyOptions(props: ReadonlyMap<string, string>): {
  options: ConsumerPropertyOptions;
  unknown: string[];
} {
  const o: { -readonly [K in keyof ConsumerPropertyOptions]: ConsumerPropertyOptions[K] } = {};
  const unknown: string[] = [];
  for (const [key, value] of props) {
    switch (key) {
      case 'group.id':
        o.groupId = value;
        break;
      case 'group.instance.id':
        o.groupInstanceId = value === '' ? null : value;
        break;
      case 'client.id':
        o.clientId = value;
        break;
      case 'session.timeout.ms':
        o.sessionTimeoutMs = positiveInt(key, value);
        break;
      case 'heartbeat.interval.ms':
        o.heartbeatIntervalMs = positiveInt(key, value);
        break;
      case 'max.poll.interval.ms':
        o.rebalanceTimeoutMs = positiveInt(key, value);
        break;
      case 'auto.offset.reset':
        if (value !== 'earliest' && value !== 'latest')
          throw new Error(`--consumer-property auto.offset.reset must be earliest or latest, got "${value}"`);
        o.autoOffsetReset = value;
        break;
      case 'enable.auto.commit':
        o.autoCommit = bool(key, value);
        break;
      case 'auto.commit.interval.ms':
        o.autoCommitIntervalMs = positiveInt(key, value);
        break;
      case 'partition.assignment.strategy':
        o.assignors = value.split(',').map((s) => {
          const name = assignorNames.get(s.trim());
          if (!name)
            throw new Error(
              `--consumer-property partition.assignment.strategy: unknown assignor "${s.trim()}" (range, roundrobin, cooperative-sticky)`,
            );
          return name;
        });
        break;
      case 'max.partition.fetch.bytes':
        o.maxPartitionFetchBytes = positiveInt(key, value);
        break;
      case 'allow.auto.create.topics':
        o.allowAutoTopicCreation = bool(key, value);
        break;
      case 'metadata.max.age.ms':
        o.metadataMaxAgeMs = positiveInt(key, value);
        break;
      case 'request.timeout.ms':
        o.requestTimeoutMs = positiveInt(key, value);
        break;
      case 'isolation.level':
        o.isolationLevel = parseIsolationLevel(value);
        break;
      default:
        unknown.push(key);
    }
  }
  return { options: o, unknown };
}

function formatRecord(r: ConsumedRecord, props: ReadonlyMap<string, string>): string {
  const flag = (k: string): boolean => props.get(k) === 'true';
  const parts: string[] = [];
  if (flag('print.timestamp')) parts.push(`CreateTime:${r.timestamp}`);
  if (flag('print.partition')) parts.push(`Partition:${r.partition}`);
  if (flag('print.offset')) parts.push(`Offset:${r.offset}`);
  if (flag('print.key')) parts.push(r.key === null ? 'null' : r.key.toString());
  parts.push(r.value === null ? 'null' : r.value.toString());
  return parts.join(props.get('key.separator') ?? '\t');
}

/** The poll-and-print loop both modes share; returns how many records it printed. */
async function printRecords(
  poll: () => Promise<ConsumedRecord[]>,
  args: ConsumerArgs,
  props: ReadonlyMap<string, string>,
  stopped: () => boolean,
  onStopMidBatch: (unprinted: readonly ConsumedRecord[]) => void,
): Promise<number> {
  let printed = 0;
  let lastRecordAt = Date.now();
  const max = args['max-messages'] ?? Infinity;
  while (printed < max && !stopped()) {
    const records = await poll();
    for (let i = 0; i < records.length; i++) {
      if (printed >= max) {
        onStopMidBatch(records.slice(i));
        break;
      }
      process.stdout.write(`${formatRecord(records[i]!, props)}\n`);
      printed++;
    }
    if (records.length > 0) lastRecordAt = Date.now();
    else if (args['timeout-ms'] !== undefined && Date.now() - lastRecordAt >= args['timeout-ms']) break;
  }
  return printed;
}

/**
 * --isolation-level, else the consumer property isolation.level, else read_uncommitted (Kafka's
 * console consumer: the flag overrides the property).
 */
function isolationLevelOf(args: ConsumerArgs, props: ReadonlyMap<string, string>): IsolationLevelName {
  if (args['isolation-level'] !== undefined) return parseIsolationLevel(args['isolation-level']);
  const prop = props.get('isolation.level');
  return prop === undefined ? 'read_uncommitted' : parseIsolationLevel(prop);
}

async function consumeAssigned(args: ConsumerArgs, props: ReadonlyMap<string, string>): Promise<void> {
  const client = new KafkaClient(parseEndpoints(args['bootstrap-server']), {
    clientId: 'console-consumer',
    security: clientSecurityOf(args),
  });
  const level = isolationLevelOf(args, parseProperties(args['consumer-property'] ?? []));
  const consumer = new Consumer(client, args.topic, isolationLevelId(level));
  try {
    const o = args.offset;
    const start =
      o === undefined ? (args['from-beginning'] ? -2 : -1) : o === 'earliest' ? -2 : o === 'latest' ? -1 : Number(o);
    if (!Number.isInteger(start) || start < -2)
      throw new Error(`--offset must be a number, earliest or latest, got "${o}"`);
    await consumer.assign(args.partition === undefined ? null : [args.partition], start);
    const printed = await printRecords(
      () => consumer.poll(500),
      args,
      props,
      () => false,
      () => {},
    );
    process.stderr.write(`Processed a total of ${printed} messages\n`);
  } finally {
    client.close();
  }
}

async function consumeInGroup(args: ConsumerArgs, props: ReadonlyMap<string, string>): Promise<void> {
  const { options, unknown } = consumerPropertyOptions(parseProperties(args['consumer-property'] ?? []));
  for (const k of unknown) process.stderr.write(`WARN: the consumer property ${k} is not known and is ignored\n`);
  const groupId = args.group ?? options.groupId!;
  if (options.groupId !== undefined && args.group !== undefined && options.groupId !== args.group)
    throw new Error(`--group ${args.group} and --consumer-property group.id=${options.groupId} disagree`);
  if (args['from-beginning'] && options.autoOffsetReset === 'latest')
    throw new Error("Can't simultaneously specify --from-beginning and 'auto.offset.reset=latest'");
  const consumer = new GroupConsumer(parseEndpoints(args['bootstrap-server']), {
    clientId: 'console-consumer',
    security: clientSecurityOf(args),
    ...options,
    groupId,
    topics: [args.topic],
    isolationLevel: isolationLevelOf(args, parseProperties(args['consumer-property'] ?? [])),
    autoOffsetReset: args['from-beginning'] ? 'earliest' : (options.autoOffsetReset ?? 'latest'),
    log: (m) => process.stderr.write(`${m}\n`),
  });
  // The first signal stops after the current poll (then commits and leaves); a second exits at once.
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const printed = await printRecords(
      () => consumer.poll(500),
      args,
      props,
      () => stopping,
      // --max-messages reached inside a batch: commit up to what was printed, not past it.
      (unprinted) => {
        const first = new Map<string, ConsumedRecord>();
        for (const r of unprinted)
          if (!first.has(`${r.topic}\0${r.partition}`)) first.set(`${r.topic}\0${r.partition}`, r);
        for (const r of first.values()) consumer.seek(r.topic, r.partition, r.offset);
      },
    );
    process.stderr.write(`Processed a total of ${printed} messages\n`);
  } finally {
    await consumer.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export const consoleConsumerCommand: CommandModule<object, ConsumerArgs> = {
  command: 'console-consumer',
  describe: 'Print the records of a topic (as a group member with --group)',
  builder: (y) =>
    y
      .option('bootstrap-server', { type: 'string', demandOption: true, describe: 'host:port[,host:port...]' })
      .option('command-config', commandConfigOption)
      .option('topic', { type: 'string', demandOption: true })
      .option('group', { type: 'string', describe: 'consume as a member of this consumer group (commits its offsets)' })
      .option('from-beginning', {
        type: 'boolean',
        describe: 'start at the earliest offset where nothing is committed',
      })
      .option('partition', { type: 'number', describe: 'read only this partition (no group)' })
      .option('offset', { type: 'string', describe: 'N, earliest or latest (needs --partition; no group)' })
      .option('max-messages', { type: 'number' })
      .option('timeout-ms', { type: 'number', describe: 'exit after this long without a record' })
      .option('isolation-level', {
        type: 'string',
        choices: isolationLevelNames,
        describe: 'read_committed skips aborted and open transactions; read_uncommitted (default) reads all',
      })
      .option('property', {
        type: 'string',
        array: true,
        describe: 'print.key, print.offset, print.timestamp, print.partition, key.separator',
      })
      .option('consumer-property', {
        type: 'string',
        array: true,
        describe: 'k=v consumer config, e.g. group.instance.id=X, session.timeout.ms=N (repeatable)',
      })
      .check((a) => {
        if (a.offset !== undefined && a.partition === undefined) throw new Error('--offset needs --partition');
        const grouped =
          a.group !== undefined || (a['consumer-property'] ?? []).some((kv) => kv.startsWith('group.id='));
        if (grouped && (a.partition !== undefined || a.offset !== undefined))
          throw new Error('--partition and --offset read without a group; they cannot be combined with --group');
        return true;
      }),
  handler: async (args) => {
    try {
      const props = parseProperties(args.property ?? []);
      const grouped =
        args.group !== undefined || (args['consumer-property'] ?? []).some((kv) => kv.startsWith('group.id='));
      if (grouped) await consumeInGroup(args, props);
      else {
        if ((args['consumer-property'] ?? []).length > 0)
          process.stderr.write('WARN: --consumer-property is used with --group only; ignored\n');
        await consumeAssigned(args, props);
      }
    } catch (err) {
      exitWithError(err);
    }
  },
};
