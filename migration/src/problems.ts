// A problem found while reading or checking ZooKeeper data: what an operator sees in the
// rehearse report. `path` is the znode path (or, for reader notes, the file). `code` is stable
// and machine-readable (see the README's table); `message` is for people.
export type Severity = 'error' | 'warning';

export interface Problem {
  readonly severity: Severity;
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

export function compareProblems(a: Problem, b: Problem): number {
  return a.path < b.path
    ? -1
    : a.path > b.path
      ? 1
      : a.code < b.code
        ? -1
        : a.code > b.code
          ? 1
          : a.message < b.message
            ? -1
            : a.message > b.message
              ? 1
              : 0;
}

export const hexZxid = (z: bigint): string => `0x${z.toString(16)}`;
