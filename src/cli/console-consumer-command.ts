// `raftka console-consumer --bootstrap-server H:P --topic T [--from-beginning] [--partition N]
// [--offset N|earliest|latest] [--max-messages N] [--timeout-ms N] [--property print.key=true]
// [--property print.offset=true] [--property print.timestamp=true] [--property key.separator=S]`,
// like kafka-console-consumer.sh without a group (groups arrive with the group coordinator).
import type { CommandModule } from 'yargs';
import { Consumer } from '../client/consumer.js';
import { KafkaClient } from '../client/kafka-client.js';
import { parseEndpoints } from './endpoint.js';
import { exitWithError } from './errors.js';
import { parseProperties } from './properties-flag.js';

interface ConsumerArgs {
  'bootstrap-server': string;
  topic: string;
  'from-beginning'?: boolean;
  partition?: number;
  offset?: string;
  'max-messages'?: number;
  'timeout-ms'?: number;
  property?: string[];
}

export const consoleConsumerCommand: CommandModule<object, ConsumerArgs> = {
  command: 'console-consumer',
  describe: 'Print the records of a topic',
  builder: (y) =>
    y
      .option('bootstrap-server', { type: 'string', demandOption: true, describe: 'host:port[,host:port...]' })
      .option('topic', { type: 'string', demandOption: true })
      .option('from-beginning', { type: 'boolean' })
      .option('partition', { type: 'number' })
      .option('offset', { type: 'string', describe: 'N, earliest or latest (needs --partition)' })
      .option('max-messages', { type: 'number' })
      .option('timeout-ms', { type: 'number', describe: 'exit after this long without a record' })
      .option('property', { type: 'string', array: true, describe: 'print.key, print.offset, print.timestamp, print.partition, key.separator' })
      .check((a) => {
        if (a.offset !== undefined && a.partition === undefined) throw new Error('--offset needs --partition');
        return true;
      }),
  handler: async (args) => {
    const props = parseProperties(args.property ?? []);
    const flag = (k: string): boolean => props.get(k) === 'true';
    const separator = props.get('key.separator') ?? '\t';
    const client = new KafkaClient(parseEndpoints(args['bootstrap-server']), { clientId: 'console-consumer' });
    const consumer = new Consumer(client, args.topic);
    try {
      const o = args.offset;
      const start = o === undefined ? (args['from-beginning'] ? -2 : -1) : o === 'earliest' ? -2 : o === 'latest' ? -1 : Number(o);
      if (!Number.isInteger(start) || start < -2) throw new Error(`--offset must be a number, earliest or latest, got "${o}"`);
      await consumer.assign(args.partition === undefined ? null : [args.partition], start);
      let printed = 0;
      let lastRecordAt = Date.now();
      const max = args['max-messages'] ?? Infinity;
      while (printed < max) {
        const records = await consumer.poll(500);
        for (const r of records) {
          if (printed >= max) break;
          const parts: string[] = [];
          if (flag('print.timestamp')) parts.push(`CreateTime:${r.timestamp}`);
          if (flag('print.partition')) parts.push(`Partition:${r.partition}`);
          if (flag('print.offset')) parts.push(`Offset:${r.offset}`);
          if (flag('print.key')) parts.push(r.key === null ? 'null' : r.key.toString());
          parts.push(r.value === null ? 'null' : r.value.toString());
          process.stdout.write(parts.join(separator) + '\n');
          printed++;
        }
        if (records.length > 0) lastRecordAt = Date.now();
        else if (args['timeout-ms'] !== undefined && Date.now() - lastRecordAt >= args['timeout-ms']) break;
      }
      process.stderr.write(`Processed a total of ${printed} messages\n`);
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
