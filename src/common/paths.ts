// Where the repository's own files are at run time. Compiled code lives in dist/src/..., so the
// root is three levels above this module's compiled file (dist/src/common/paths.js).
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

export const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export function repoPath(...parts: string[]): string {
  return resolve(repoRoot, ...parts);
}
