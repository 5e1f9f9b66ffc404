// Reads a running ZooKeeper ensemble's znode tree, read-only, for `migrate rehearse
// --zk-connect host:port[,host:port...][/chroot]` (rehearse.ts readZkInput). The reading is done
// by migration/zk-live/read-tree.py through kazoo (Debian's python3-kazoo), a well-kept ZooKeeper
// client: it syncs, takes the server's last zxid, reads every znode (data, stat, ACL), takes the
// last zxid again and reads once more while they differ. Its output is the JSON dump format, so
// the tree goes through the same parser as `--zk-dump`. A tree that kept changing while it was
// read comes with the paths modified after the read began, which rehearse reports as a warning.
import { execFile, spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { repoPath } from '../../../src/common/paths.js';
import { MigrationInputError } from '../errors.js';
import { parseJsonDump } from './json-dump-reader.js';
import type { MemoryZnodeTree } from './znode-tree.js';

const readerScript = repoPath('migration', 'zk-live', 'read-tree.py');
/** Largest tree text accepted from the reader (a 100,000-partition cluster's tree is ~100 MB). */
const outputBytesMax = 2 * 1024 * 1024 * 1024 - 1;

export interface LiveRead {
  readonly tree: MemoryZnodeTree;
  /** The server's last zxid when the (last) read began and when it ended. */
  readonly startZxid: bigint;
  readonly endZxid: bigint;
  readonly attempts: number;
  /** Znodes modified after the read began (empty for a consistent view). */
  readonly changed: readonly string[];
}

interface ReaderMeta {
  readonly startZxid: string;
  readonly endZxid: string;
  readonly attempts: number;
  readonly changed: string[];
}

/** The first python3 (RAFTKA_PYTHON, then PATH, then /usr/bin) that can import kazoo. */
function pythonWithKazoo(): string | null {
  const fromEnv = process.env['RAFTKA_PYTHON'];
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  const candidates = [...(fromEnv ? [fromEnv] : []), ...dirs.map((d) => join(d, 'python3')), '/usr/bin/python3'];
  for (const c of new Set(candidates)) {
    if (spawnSync(c, ['-c', 'import kazoo'], { stdio: 'ignore' }).status === 0) return c;
  }
  return null;
}

export async function readLiveEnsemble(connect: string, timeoutMs = 60_000): Promise<LiveRead> {
  const python = pythonWithKazoo();
  if (python === null)
    throw new MigrationInputError(
      connect,
      -1,
      'reading a live ensemble needs Python 3 with kazoo (Debian: apt-get install python3-kazoo), or RAFTKA_PYTHON set to such an interpreter',
    );
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      python,
      [readerScript, '--connect', connect, '--timeout', String(Math.max(1, Math.floor(timeoutMs / 4000)))],
      { maxBuffer: outputBytesMax, timeout: timeoutMs, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(new MigrationInputError(connect, -1, stderr.trim() || err.message));
        else resolve(stdout);
      },
    );
  });
  const newline = out.indexOf('\n');
  if (newline < 0) throw new MigrationInputError(connect, -1, 'the ZooKeeper reader printed no tree');
  const meta = JSON.parse(out.slice(0, newline)) as ReaderMeta;
  const { tree } = parseJsonDump(out.slice(newline + 1), `zookeeper://${connect}`);
  return {
    tree,
    startZxid: BigInt(meta.startZxid),
    endZxid: BigInt(meta.endZxid),
    attempts: meta.attempts,
    changed: meta.changed,
  };
}
