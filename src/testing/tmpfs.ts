// A small tmpfs mounted on a directory, for tests that need a disk that fills up (full-disk
// tests of partition logs and of the metadata log). Mounting needs root (CI runs as root); where
// it cannot be done the caller gets the reason and skips. Who calls: test/storage and
// test/integration full-disk tests; they unmount in `t.after`, so also when the test fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

export type TmpfsMount =
  | { readonly ok: true; readonly dir: string; resize(sizeBytes: number): void; unmount(): void }
  | { readonly ok: false; readonly reason: string };

const run = (args: readonly string[]): void => {
  execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
};

/** Mount a tmpfs of `sizeBytes` on `dir` (made if missing); `{ ok: false, reason }` when this process cannot. */
export function mountTmpfs(dir: string, sizeBytes: number): TmpfsMount {
  if (process.platform !== 'linux') return { ok: false, reason: `tmpfs mounts need Linux, not ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'mounting a tmpfs needs root (CI runs the tests as root)' };
  mkdirSync(dir, { recursive: true });
  try {
    run(['mount', '-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir]);
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return { ok: false, reason: `mount -t tmpfs failed: ${stderr || String(err)}` };
  }
  let mounted = true;
  return {
    ok: true,
    dir,
    resize(size: number): void {
      run(['mount', '-o', `remount,size=${size}`, dir]);
    },
    unmount(): void {
      if (!mounted) return;
      // Lazy: a node process killed a moment ago may still hold a descriptor on it.
      run(['umount', '-l', dir]);
      mounted = false;
    },
  };
}
