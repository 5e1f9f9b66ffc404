// What a checker found: a count per anomaly class and the first few examples of each (a
// witness to show, not every occurrence). Used by the queue and transactional checkers.

/** Examples kept per anomaly class. */
export const examplesPerAnomalyMax = 8;

export class Findings<A extends string, E> {
  readonly counts: Record<A, number>;
  readonly examples: Partial<Record<A, E[]>> = {};

  constructor(classes: readonly A[]) {
    this.counts = Object.fromEntries(classes.map((a) => [a, 0])) as Record<A, number>;
  }

  add(kind: A, example: E): void {
    this.counts[kind]++;
    const list = (this.examples[kind] ??= []);
    if (list.length < examplesPerAnomalyMax) list.push(example);
  }
}
