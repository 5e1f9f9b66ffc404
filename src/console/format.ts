// Value formatting for the web console: record keys and values as text, JSON or a hex dump,
// byte counts and times for tables. Pure; unit-tested in test/console/format.test.ts.

export type ValueFormat = 'text' | 'json' | 'hex';
export const valueFormats: readonly ValueFormat[] = ['text', 'json', 'hex'];

/** The longest value shown whole; the rest is counted ("… 12,345 more bytes"). */
export const valueShownBytesMax = 4096;
const hexRowBytes = 16;

export function parseValueFormat(text: string | null): ValueFormat {
  return valueFormats.includes(text as ValueFormat) ? (text as ValueFormat) : 'text';
}

function hexDump(buf: Buffer): string {
  const rows: string[] = [];
  for (let at = 0; at < buf.length; at += hexRowBytes) {
    const row = buf.subarray(at, at + hexRowBytes);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    rows.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(hexRowBytes * 3 - 1)}  |${ascii}|`);
  }
  return rows.join('\n');
}

/** A key or value as the page shows it; null stays null (the page writes "null"). */
export function formatValue(value: Buffer | null, format: ValueFormat): string | null {
  if (value === null) return null;
  const shown = value.subarray(0, valueShownBytesMax);
  const more = value.length - shown.length;
  const tail = more > 0 ? `\n… ${more.toLocaleString('en-US')} more bytes` : '';
  if (format === 'hex') return hexDump(shown) + tail;
  const text = shown.toString('utf8');
  if (format === 'json' && more === 0) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return `(not JSON) ${text}`;
    }
  }
  return text + tail;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB"; negative (unknown) → "-". */
export function formatBytes(n: number): string {
  if (n < 0 || !Number.isFinite(n)) return '-';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** ms since the epoch → "2026-12-07 11:02:03.456Z"; negative → "-". */
export function formatTime(ms: number): string {
  if (ms < 0 || !Number.isFinite(ms)) return '-';
  return new Date(ms).toISOString().replace('T', ' ');
}

/** A timestamp typed into the message browser: ms since the epoch, or a date Date.parse reads. */
export function parseTimestamp(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}
