// The `raftka` command line (DESIGN.md "Command line"). Each subcommand lives in its own file
// under src/cli/ and only parses flags, calls a library function and prints.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { CommandModule } from 'yargs';

// Each command file exports one CommandModule; add new ones to this list.
const commands: CommandModule[] = [];

await yargs(hideBin(process.argv))
  .scriptName('raftka')
  .command(commands)
  .demandCommand(1, 'name a command; see raftka --help')
  .strict()
  .help()
  .parseAsync();
