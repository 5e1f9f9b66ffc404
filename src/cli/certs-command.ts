// `raftka certs create --dir D [--nodes 3] [--name N ...] [--client client ...] [--host H ...]
// [--days 825]`: a private CA, one certificate per node (node-0, node-1, ...) and client
// certificates, as PEM keystores a secured cluster config names (ssl.keystore.location=certs/node-0.pem,
// ssl.truststore.location=certs/ca.pem). Made with openssl (src/security/certs.ts); what exists is kept.
import type { CommandModule } from 'yargs';
import { createCertificates } from '../security/certs.js';
import { exitWithError } from './errors.js';

interface CreateArgs {
  dir: string;
  nodes: number;
  name?: string[];
  client: string[];
  host: string[];
  days: number;
}

const create: CommandModule<object, CreateArgs> = {
  command: 'create',
  describe: 'Make a CA, node certificates and client certificates (PEM) in --dir',
  builder: (y) =>
    y
      .option('dir', { type: 'string', demandOption: true, describe: 'where the files go (made if missing)' })
      .option('nodes', { type: 'number', default: 3, describe: 'node certificates node-0 ... node-(n-1)' })
      .option('name', { type: 'string', array: true, describe: 'node certificate names instead of node-k' })
      .option('client', { type: 'string', array: true, default: ['client'], describe: 'client certificate names' })
      .option('host', {
        type: 'string',
        array: true,
        default: ['localhost', '127.0.0.1'],
        describe: 'host names and IP addresses the certificates are valid for',
      })
      .option('days', { type: 'number', default: 825, describe: 'validity of node and client certificates' }),
  handler: async (args) => {
    try {
      const nodes = args.name ?? Array.from({ length: args.nodes }, (_, k) => `node-${k}`);
      const written = await createCertificates({
        dir: args.dir,
        names: [...nodes, ...args.client],
        hosts: args.host,
        days: args.days,
      });
      if (written.length === 0) console.log(`${args.dir}: every certificate exists already; nothing written`);
      for (const f of written) console.log(`wrote ${f}`);
    } catch (err) {
      exitWithError(err);
    }
  },
};

export const certsCommand: CommandModule = {
  command: 'certs <command>',
  describe: 'TLS certificates for a secured cluster',
  builder: (y) => y.command(create as unknown as CommandModule).demandCommand(1),
  handler: () => {},
};
