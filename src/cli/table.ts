// Columns padded to their widest cell, as Kafka's tools print listings.
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]! + 2))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}
