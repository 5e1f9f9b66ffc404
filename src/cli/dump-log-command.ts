// `raftka dump-log --metadata-dir DIR [--json]`: print the entries of a node's
// __cluster_metadata-0 directory (like kafka-dump-log.sh --cluster-metadata-decoder), read-only.
import type { CommandModule } from 'yargs';
import { decodeLeaderChange } from '../common/leader-change.js';
import { decodeRecord } from '../metadata/records.js';
import { readMetadataLog } from '../raft/driver/dump-log.js';
import { exitWithError } from './errors.js';

interface DumpArgs {
  'metadata-dir': string;
  json?: boolean;
}

export const dumpLogCommand: CommandModule<object, DumpArgs> = {
  command: 'dump-log',
  describe: 'Print the entries of a __cluster_metadata-0 directory',
  builder: (y) =>
    y
      .option('metadata-dir', { type: 'string', demandOption: true, describe: 'the __cluster_metadata-0 directory' })
      .option('json', { type: 'boolean', describe: 'one JSON object per entry' }),
  handler: (args) => {
    try {
      const view = readMetadataLog(args['metadata-dir']);
      for (const s of view.segments) {
        const torn = s.validBytes < s.fileBytes ? ` (${s.fileBytes - s.validBytes} bytes of torn tail)` : '';
        if (!args.json) console.log(`# segment ${s.file}: ${s.entries} entries${torn}`);
      }
      if (!args.json && view.snapshots.length > 0) console.log(`# snapshots: ${view.snapshots.join(', ')}`);
      for (const e of view.entries) {
        const detail =
          e.kind === 'leader-change'
            ? decodeLeaderChange(e.payload)
            : e.kind === 'data'
              ? { record: decodeRecord(e.payload) }
              : {};
        if (args.json) console.log(JSON.stringify({ offset: e.offset, epoch: e.epoch, kind: e.kind, ...detail }));
        else console.log(`offset: ${e.offset} epoch: ${e.epoch} kind: ${e.kind} ${JSON.stringify(detail)}`);
      }
    } catch (err) {
      exitWithError(err);
    }
  },
};
