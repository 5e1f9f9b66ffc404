// Running the real `raftka` command line from tests and benchmarks: bin/raftka.js in a child node
// process with optional stdin, killed after `timeoutMs`; rejects (with stderr attached) on a
// non-zero exit.
import { execFile } from 'node:child_process';
import { repoPath } from '../common/paths.js';

export function raftkaCli(
  args: readonly string[],
  input?: string,
  timeoutMs = 60_000,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [repoPath('bin', 'raftka.js'), ...args],
      { timeout: timeoutMs },
      (err, stdout, stderr) => (err ? reject(Object.assign(err, { stderr })) : resolve({ stdout, stderr })),
    );
    child.stdin!.end(input ?? '');
  });
}
