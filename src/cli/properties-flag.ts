// `--property k=v` flags (repeatable), as Kafka's console tools take them.
export function parseProperties(items: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) throw new Error(`--property expects key=value, got "${item}"`);
    out.set(item.slice(0, i).trim(), item.slice(i + 1));
  }
  return out;
}
