// `raftka console-producer --bootstrap-server H:P --topic T [--property parse.key=true]
// [--property key.separator=:] [--acks -1|0|1] [--compression-codec none|gzip|snappy|lz4]`,
// like kafka-console-producer.sh: one record per line of stdin.
import { createInterface } from 'node:readline';
import type { CommandModule } from 'yargs';
import { KafkaClient } from '../client/kafka-client.js';
import { Producer } from '../client/producer.js';
import { parseEndpoints } from '../common/endpoint.js';
import { exitWithError } from './errors.js';
import { type CommandConfigArgs, clientSecurityOf, commandConfigOption } from './command-config.js';
import { parseProperties } from './properties-flag.js';

interface ProducerArgs extends CommandConfigArgs {
  'bootstrap-server': string;
  topic: string;
  property?: string[];
  acks: string;
  'compression-codec': string;
  'batch-size': number;
}

const codecs: Readonly<Record<string, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3 };

export const consoleProducerCommand: CommandModule<object, ProducerArgs> = {
  command: 'console-producer',
  describe: 'Send lines from stdin to a topic (one record per line)',
  builder: (y) =>
    y
      .option('bootstrap-server', { type: 'string', demandOption: true, describe: 'host:port[,host:port...]' })
      .option('command-config', commandConfigOption)
      .option('topic', { type: 'string', demandOption: true })
      .option('property', { type: 'string', array: true, describe: 'parse.key=true, key.separator=<sep>' })
      .option('acks', { type: 'string', default: '-1', choices: ['-1', 'all', '0', '1'] })
      .option('compression-codec', { type: 'string', default: 'none', choices: Object.keys(codecs) })
      .option('batch-size', { type: 'number', default: 500, describe: 'records per batch' }),
  handler: async (args) => {
    const props = parseProperties(args.property ?? []);
    const parseKey = props.get('parse.key') === 'true';
    const separator = props.get('key.separator') ?? '\t';
    const acks = (args.acks === 'all' ? -1 : Number(args.acks)) as -1 | 0 | 1;
    const client = new KafkaClient(parseEndpoints(args['bootstrap-server']), {
      clientId: 'console-producer',
      security: clientSecurityOf(args),
    });
    const producer = new Producer(client, args.topic, {
      acks,
      compression: codecs[args['compression-codec']]!,
      batchRecordsMax: Math.max(1, args['batch-size']),
    });
    try {
      await client.topic(args.topic);
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        let key: Buffer | null = null;
        let value = line;
        if (parseKey) {
          const i = line.indexOf(separator);
          if (i < 0) throw new Error(`no key separator "${separator}" in line: ${line}`);
          key = Buffer.from(line.slice(0, i));
          value = line.slice(i + separator.length);
        }
        await producer.send(key, Buffer.from(value));
      }
      await producer.flush();
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
