// Appending one array to another without spreading it into call arguments: `a.push(...b)`
// throws RangeError once b holds more than V8's argument limit (about 120k elements), which a
// metadata write for 100,000 partitions reaches.
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
