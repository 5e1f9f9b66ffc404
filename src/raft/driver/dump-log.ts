// Read-only view of a `__cluster_metadata-0` directory, for `raftka dump-log` and tests:
// every valid entry of every segment, in order. Unlike MetadataLogStore.open it never repairs
// anything (a torn tail is reported, not truncated).
import { appendAll } from '../../common/arrays.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntry, Offset } from '../core/types.js';
import { scanValidPrefix } from './entry-codec.js';

interface SegmentReport {
  readonly file: string;
  readonly entries: number;
  readonly validBytes: number;
  readonly fileBytes: number;
}

interface MetadataLogView {
  readonly startOffset: Offset;
  readonly endOffset: Offset;
  readonly entries: readonly LogEntry[];
  readonly segments: readonly SegmentReport[];
  readonly snapshots: readonly string[];
  entryAt(offset: Offset): LogEntry | undefined;
}

export function readMetadataLog(dir: string): MetadataLogView {
  const names = readdirSync(dir).sort();
  const entries: LogEntry[] = [];
  const segments: SegmentReport[] = [];
  for (const name of names.filter((n) => n.endsWith('.log'))) {
    const buf = readFileSync(join(dir, name));
    const scan = scanValidPrefix(buf);
    segments.push({ file: name, entries: scan.entries.length, validBytes: scan.validBytes, fileBytes: buf.length });
    appendAll(entries, scan.entries);
  }
  const startOffset = entries[0]?.offset ?? 0;
  return {
    startOffset,
    endOffset: startOffset + entries.length,
    entries,
    segments,
    snapshots: names.filter((n) => n.endsWith('.checkpoint')),
    entryAt: (offset) => entries[offset - startOffset],
  };
}
