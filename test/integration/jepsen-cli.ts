// Runs `raftka jepsen run` as a user would (a child process of the built CLI) and reads back what
// it stored: the exit code, stdout, the run's folder, results.json and history.jsonl. Used by the
// jepsen-like integration tests (jepsen-queue, jepsen-txn).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../../src/common/paths.js';
import type { Op } from '../../jepsen-like/src/history.js';

export interface JepsenRun<R> {
  readonly code: number;
  readonly stdout: string;
  readonly dir: string;
  readonly results: R;
  readonly history: Op[];
}

/**
 * One run with `args` into `store`; rejects when the run itself broke (exit 2) or printed no store.
 * `onStart` gets the run's pid (the netns test finds the run's namespaces by it).
 */
export function jepsenRun<R>(
  store: string,
  args: readonly string[],
  onStart?: (pid: number) => void,
): Promise<JepsenRun<R>> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [repoPath('bin', 'raftka.js'), 'jepsen', 'run', '--store', store, ...args],
      { timeout: 240_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        const m = /^store: (\S+)/m.exec(stdout);
        if (!m) return reject(new Error(`no store line (exit ${code}):\n${stdout}\n${stderr}`));
        const dir = m[1]!;
        const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as R & { error?: string };
        // Exit 2: the harness itself failed (results.json says why); no verdict to check.
        if (code === 2)
          return reject(new Error(`the run failed (exit 2): ${results.error ?? '?'}\n${stdout}\n${stderr}`));
        const history = readFileSync(join(dir, 'history.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as Op);
        resolve({ code, stdout, dir, results, history });
      },
    );
    if (child.pid !== undefined) onStart?.(child.pid);
  });
}
