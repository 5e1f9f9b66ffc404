// `raftka consumer-groups --reset-offsets` planning, pure: which new offset each partition gets
// from (committed offset, log start, log end, the reset spec), with Kafka's rules — results clamp
// to [log start, log end] with a note, --shift-by needs a committed offset, --to-datetime falls
// back to the log end where no record is that recent. Also the flag parsers (--topic T[:p,...],
// --to-datetime). Bad input is a typed result or an Error with the message to print.

export type ResetSpec =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'shift'; readonly by: number }
  | { readonly kind: 'datetime'; readonly timestampMs: number };

export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset; null when it has none. */
  readonly current: number | null;
  readonly logStart: number;
  readonly logEnd: number;
  /** For --to-datetime: ListOffsets' answer for the timestamp (-1: no record that recent). */
  readonly offsetForTimestamp?: number;
}

interface ResetRow {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly newOffset: number;
}

type ResetPlan =
  | { readonly ok: true; readonly rows: readonly ResetRow[]; readonly notes: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** Clamps to [log start, log end] as Kafka does, saying so. */
function clamp(p: PartitionOffsets, offset: number, notes: string[]): number {
  if (offset > p.logEnd) {
    notes.push(
      `New offset (${offset}) is higher than latest offset for topic partition ${p.topic}-${p.partition}. Value will be set to ${p.logEnd}`,
    );
    return p.logEnd;
  }
  if (offset < p.logStart) {
    notes.push(
      `New offset (${offset}) is lower than earliest offset for topic partition ${p.topic}-${p.partition}. Value will be set to ${p.logStart}`,
    );
    return p.logStart;
  }
  return offset;
}

/** The new offset of every partition, sorted by topic then partition. */
export function planReset(group: string, partitions: readonly PartitionOffsets[], spec: ResetSpec): ResetPlan {
  const notes: string[] = [];
  const rows: ResetRow[] = [];
  for (const p of partitions) {
    let newOffset: number;
    switch (spec.kind) {
      case 'earliest':
        newOffset = p.logStart;
        break;
      case 'latest':
        newOffset = p.logEnd;
        break;
      case 'offset':
        newOffset = clamp(p, spec.offset, notes);
        break;
      case 'shift':
        if (p.current === null)
          return {
            ok: false,
            error: `Cannot shift offset for partition ${p.topic}-${p.partition} since there is no current committed offset`,
          };
        newOffset = clamp(p, p.current + spec.by, notes);
        break;
      case 'datetime':
        if (p.offsetForTimestamp === undefined || p.offsetForTimestamp < 0) {
          notes.push(`Partition ${p.partition} from topic ${p.topic} is empty. Falling back to latest known offset.`);
          newOffset = p.logEnd;
        } else {
          newOffset = p.offsetForTimestamp;
        }
        break;
    }
    rows.push({ group, topic: p.topic, partition: p.partition, newOffset });
  }
  rows.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return { ok: true, rows, notes };
}

/** `--topic T` (every partition: null) or `--topic T:0,1,2`. */
export function parseTopicSpec(text: string): { topic: string; partitions: number[] | null } {
  const i = text.indexOf(':');
  const topic = i < 0 ? text : text.slice(0, i);
  if (topic === '') throw new Error(`--topic expects TOPIC or TOPIC:P1,P2, got "${text}"`);
  if (i < 0) return { topic, partitions: null };
  const partitions = text
    .slice(i + 1)
    .split(',')
    .map((s) => s.trim());
  if (partitions.some((s) => !/^\d+$/.test(s)))
    throw new Error(`--topic expects TOPIC or TOPIC:P1,P2 with partition numbers, got "${text}"`);
  return { topic, partitions: [...new Set(partitions.map(Number))].sort((a, b) => a - b) };
}

const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * --to-datetime: YYYY-MM-DDTHH:mm:SS[.sss][Z|+hh:mm|-hh:mm|+hhmm|+hh], in the local time zone
 * when no zone is given (as Kafka's tool reads it). Milliseconds since the epoch.
 */
export function parseResetDateTime(text: string): number {
  const m = dateTimePattern.exec(text);
  if (!m) throw new Error(`--to-datetime expects YYYY-MM-DDTHH:mm:SS.sss, optionally with Z or +hh:mm, got "${text}"`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const zone = m[8];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    throw new Error(`--to-datetime: "${text}" is not a valid date and time`);
  let ms: number;
  if (zone === undefined) {
    const local = new Date(year, month - 1, day, hour, minute, second, millis);
    if (local.getDate() !== day) throw new Error(`--to-datetime: "${text}" is not a valid date`);
    ms = local.getTime();
  } else {
    const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
    if (new Date(utc).getUTCDate() !== day) throw new Error(`--to-datetime: "${text}" is not a valid date`);
    let offsetMinutes = 0;
    if (zone !== 'Z') {
      const digits = zone.slice(1).replace(':', '');
      offsetMinutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2)) : 0);
      if (zone.startsWith('-')) offsetMinutes = -offsetMinutes;
    }
    ms = utc - offsetMinutes * 60_000;
  }
  return ms;
}
