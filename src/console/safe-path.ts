// The path check for files the web console serves from a folder it was given (a jepsen-like
// run's report.html): every segment must be a plain name (no "..", ".", separators or NUL), and
// the resolved file must stay inside the folder, symbolic links included. Unit-tested in
// test/console/safe-path.test.ts.
import { realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/** Whether `segment` names an entry of a folder and nothing else. */
export function isPlainSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !/[/\\\0]/.test(segment) && segment.length <= 255;
}

/** `root/segments...` when every segment is plain and the result stays under root; else null. Pure. */
export function childPath(root: string, segments: readonly string[]): string | null {
  if (segments.length === 0 || !segments.every(isPlainSegment)) return null;
  const base = resolve(root);
  const target = resolve(base, ...segments);
  return target.startsWith(base + sep) ? target : null;
}

/** childPath, then the same check on the real paths (a symbolic link may not lead out); null when missing. */
export function existingChildPath(root: string, segments: readonly string[]): string | null {
  const target = childPath(root, segments);
  if (target === null) return null;
  try {
    const realRoot = realpathSync(root);
    const realTarget = realpathSync(target);
    return realTarget.startsWith(realRoot + sep) ? realTarget : null;
  } catch {
    return null;
  }
}
