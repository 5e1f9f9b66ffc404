// The repeatable `--override key=value` flag (as kafka-server-start.sh has it).
export function parseOverrides(list: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (i <= 0) throw new Error(`--override expects key=value, got "${item}"`);
    out.set(item.slice(0, i).trim(), item.slice(i + 1));
  }
  return out;
}
