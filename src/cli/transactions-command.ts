// `raftka transactions --bootstrap-server H:P` mirroring kafka-transactions.sh: the action is
// Kafka's subcommand (`list`, `describe`, `describe-producers`, `abort`, `find-hanging`) or the
// same as a flag (`--list`, `--describe`, ...), with Kafka's flags and columns; every listing also
// has --json. Tables are pure (transactions-format.ts); the cluster is asked through
// src/client/txn-admin.ts and hanging-transactions.ts.
import type { CommandModule } from 'yargs';
import { errorName } from '../common/errors.js';
import { findHangingTransactions } from '../client/hanging-transactions.js';
import { KafkaClient } from '../client/kafka-client.js';
import {
  abortSpecAt,
  abortTransaction,
  describeProducers,
  describeTransactions,
  listTransactions,
  type AbortTransactionSpec,
} from '../client/txn-admin.js';
import { parseEndpoints } from '../common/endpoint.js';
import { exitWithError } from './errors.js';
import { type CommandConfigArgs, clientSecurityOf, commandConfigOption } from './command-config.js';
import {
  describeRow,
  formatDescribe,
  formatHanging,
  formatListing,
  formatProducers,
  hangingRows,
  listingRows,
  producerRows,
} from './transactions-format.js';

const transactionActions = ['list', 'describe', 'describe-producers', 'abort', 'find-hanging'] as const;
export type TransactionAction = (typeof transactionActions)[number];

export interface TransactionsArgs extends CommandConfigArgs {
  'bootstrap-server': string;
  action?: string;
  list?: boolean;
  describe?: boolean;
  'describe-producers'?: boolean;
  abort?: boolean;
  'find-hanging'?: boolean;
  'transactional-id'?: string;
  topic?: string;
  partition?: number;
  'broker-id'?: number;
  'max-transaction-timeout'?: number;
  'start-offset'?: number;
  'producer-id'?: number;
  'producer-epoch'?: number;
  'coordinator-epoch'?: number;
  json?: boolean;
}

const msPerMinute = 60_000;

/** The one action the arguments name, checked against the flags it needs (Kafka's messages). */
export function transactionsAction(a: TransactionsArgs): TransactionAction {
  const named = transactionActions.filter((x) => a[x] === true || a.action === x);
  if (a.action !== undefined && !transactionActions.some((x) => x === a.action))
    throw new Error(`unknown action "${a.action}": one of ${transactionActions.join(', ')}`);
  if (named.length !== 1)
    throw new Error(`name exactly one action: ${transactionActions.map((x) => `--${x}`).join(', ')}`);
  const action = named[0]!;
  const need = (flag: keyof TransactionsArgs): void => {
    if (a[flag] === undefined) throw new Error(`${action} needs --${flag}`);
  };
  switch (action) {
    case 'describe':
      need('transactional-id');
      break;
    case 'describe-producers':
      need('topic');
      need('partition');
      break;
    case 'abort':
      need('topic');
      need('partition');
      if (a['start-offset'] === undefined && a['producer-id'] === undefined)
        throw new Error(
          'The transaction to abort must be identified either with --start-offset or with --producer-id, --producer-epoch, and --coordinator-epoch',
        );
      if (a['start-offset'] === undefined) {
        need('producer-epoch');
        need('coordinator-epoch');
      }
      break;
    case 'find-hanging':
      if (a.topic === undefined && a['broker-id'] === undefined)
        throw new Error(
          'The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search',
        );
      if (a.partition !== undefined && a.topic === undefined)
        throw new Error('The --partition argument requires --topic to be provided');
      break;
    case 'list':
      break;
  }
  return action;
}

function print(json: boolean | undefined, rows: readonly object[], table: () => string): void {
  console.log(json ? JSON.stringify(rows, null, 2) : table());
}

async function abort(client: KafkaClient, a: TransactionsArgs): Promise<void> {
  const topic = a.topic!;
  const partition = a.partition!;
  let spec: AbortTransactionSpec | null;
  if (a['start-offset'] !== undefined) {
    spec = await abortSpecAt(client, topic, partition, a['start-offset']);
    if (!spec)
      throw new Error(
        `Could not find any open transactions starting at offset ${a['start-offset']} on partition ${topic}-${partition}`,
      );
  } else {
    spec = {
      topic,
      partition,
      producerId: a['producer-id']!,
      producerEpoch: a['producer-epoch']!,
      coordinatorEpoch: a['coordinator-epoch']!,
    };
  }
  await abortTransaction(client, spec);
}

async function run(client: KafkaClient, action: TransactionAction, a: TransactionsArgs): Promise<void> {
  switch (action) {
    case 'list': {
      const rows = listingRows(await listTransactions(client));
      print(a.json, rows, () => formatListing(rows));
      return;
    }
    case 'describe': {
      const id = a['transactional-id']!;
      const [d] = await describeTransactions(client, [id]);
      if (d?.errorCode !== 0)
        throw new Error(
          `Failed to describe transaction state of transactional-id \`${id}\`: ${errorName(d?.errorCode ?? -1)}`,
        );
      const rows = [describeRow(d, Date.now())];
      print(a.json, rows, () => formatDescribe(rows));
      return;
    }
    case 'describe-producers': {
      const [r] = await describeProducers(client, [{ topic: a.topic!, partition: a.partition! }]);
      if (r?.errorCode !== 0)
        throw new Error(
          `Failed to describe producers for partition ${a.topic}-${a.partition} on leader: ${errorName(r?.errorCode ?? -1)}`,
        );
      const rows = producerRows(r.producers);
      print(a.json, rows, () => formatProducers(rows));
      return;
    }
    case 'abort':
      await abort(client, a);
      return;
    case 'find-hanging': {
      const now = Date.now();
      const open = await findHangingTransactions(client, {
        ...(a['broker-id'] !== undefined ? { brokerId: a['broker-id'] } : {}),
        ...(a.topic !== undefined ? { topic: a.topic } : {}),
        ...(a.partition !== undefined ? { partition: a.partition } : {}),
        maxTransactionTimeoutMs: (a['max-transaction-timeout'] ?? 15) * msPerMinute,
        nowMs: now,
      });
      const rows = hangingRows(open, now);
      print(a.json, rows, () => formatHanging(rows));
      return;
    }
  }
}

export const transactionsCommand: CommandModule<object, TransactionsArgs> = {
  command: 'transactions [action]',
  describe: 'List, describe and abort transactions; find hanging ones (like kafka-transactions.sh)',
  builder: (y) =>
    y
      .positional('action', { type: 'string', describe: transactionActions.join(' | ') })
      .option('bootstrap-server', { type: 'string', demandOption: true, describe: 'host:port[,host:port...]' })
      .option('command-config', commandConfigOption)
      .option('list', { type: 'boolean', describe: 'list transactions (every broker is asked)' })
      .option('describe', { type: 'boolean', describe: 'describe the state of a transactional id' })
      .option('describe-producers', { type: 'boolean', describe: 'describe the active producers of a partition' })
      .option('abort', { type: 'boolean', describe: 'abort a hanging transaction (writes an ABORT marker)' })
      .option('find-hanging', { type: 'boolean', describe: 'find hanging transactions' })
      .option('transactional-id', { type: 'string' })
      .option('topic', { type: 'string' })
      .option('partition', { type: 'number' })
      .option('broker-id', { type: 'number', describe: 'find-hanging: search the partitions this broker replicates' })
      .option('max-transaction-timeout', {
        type: 'number',
        describe: 'find-hanging: the largest transaction timeout in use, in minutes (default 15)',
      })
      .option('start-offset', { type: 'number', describe: 'abort: the start offset of the transaction to abort' })
      .option('producer-id', { type: 'number', describe: 'abort without --start-offset' })
      .option('producer-epoch', { type: 'number', describe: 'abort without --start-offset' })
      .option('coordinator-epoch', { type: 'number', describe: 'abort without --start-offset' })
      .option('json', { type: 'boolean', describe: 'print listings as JSON' })
      .check((a) => {
        transactionsAction(a);
        return true;
      }),
  handler: async (args) => {
    const client = new KafkaClient(parseEndpoints(args['bootstrap-server']), {
      clientId: 'raftka-transactions',
      security: clientSecurityOf(args),
    });
    try {
      await run(client, transactionsAction(args), args);
    } catch (err) {
      client.close();
      exitWithError(err);
    }
    client.close();
  },
};
