// Running the real kcat (librdkafka) from tests: a bounded child process with optional stdin, or a
// long-running one (a group member) whose output lines are collected and which is stopped cleanly.
import { spawn, type ChildProcess } from 'node:child_process';

interface KcatResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `kcat args...`, feeding `input` on stdin; killed after `timeoutMs`. */
export function kcat(args: readonly string[], input?: string, timeoutMs = 60_000): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** A long-running kcat whose stdout lines are collected into `lines`. */
export function startKcat(args: readonly string[], lines: string[]): ChildProcess {
  const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let partial = '';
  child.stdout!.on('data', (b: Buffer) => {
    const parts = (partial + b.toString('utf8')).split('\n');
    partial = parts.pop()!;
    lines.push(...parts.filter((l) => l !== ''));
  });
  child.stderr!.resume();
  return child;
}

/** SIGTERM: kcat closes its consumer cleanly (commits, leaves the group); SIGKILL after `killAfterMs`. */
export function stopKcat(child: ChildProcess, killAfterMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
