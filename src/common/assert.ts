// Invariant checks for our own bugs (STYLE §5). A failed assertion is a bug in raftka, never a
// client's mistake: it throws AssertionFailure, which the process lets crash loudly.
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

export function assertNever(value: never, message = 'unexpected value'): never {
  throw new AssertionFailure(`${message}: ${JSON.stringify(value)}`);
}
