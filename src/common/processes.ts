// Whether a pid names a live process. A killed child of a process that already exited is
// reparented and may stay a zombie until its new parent reaps it; it is dead for our purposes.
import { readFileSync } from 'node:fs';

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc here: trust kill(0)
  }
}
