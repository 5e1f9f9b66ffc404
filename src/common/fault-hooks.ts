// Test-only fault hooks in raftka's storage paths, for the jepsen-like harness's `slow-disk` and
// `kill-in-write` nemeses. Off unless the node config `raftka.test.fault.control.file` names a
// file (node.ts calls configureFaultHooks at start); with it unset every hook is a no-op costing
// one boolean test. With it set, the file is re-read every `controlPollMs`; its JSON is
//   { "diskDelayMs": 40, "pauseAt": ["metadata-snapshot", "segment-roll"], "pauseMs": 15000 }
// - diskDelayMs: every partition segment write and fsync waits that long first, blocking the
//   process (partition I/O is synchronous in raftka, so a slow disk stalls its event loop as a
//   stuck write(2) would); every metadata log write and fsync (asynchronous I/O) waits without
//   blocking. A missing or empty file means no delay.
// - pauseAt: the next time the node is inside one of those writes — `metadata-snapshot` (the
//   snapshot's .tmp file half written: header, no body, no fsync, no rename) or `segment-roll`
//   (the old segment flushed and the producer snapshot written, the new segment not yet created)
//   — it writes the point's name to `<file>.hit`, logs it and stops there for `pauseMs`, so a
//   kill -9 the harness sends when it sees `.hit` lands inside the write. Each point fires once
//   per content of the control file (write the file anew to arm it again).
// Who calls: LogSegment (write, fsync), Log.roll, MetadataLogStore (writes, fsyncs, snapshots).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';

export type PausePoint = 'metadata-snapshot' | 'segment-roll';

interface FaultControl {
  readonly diskDelayMs: number;
  readonly pauseAt: readonly PausePoint[];
  readonly pauseMs: number;
}

const controlPollMs = 200;
/** Longest pause a control file may ask for: a node left paused by a dead harness moves on. */
const pauseMsMax = 60_000;
/** Longest disk delay per call. */
const diskDelayMsMax = 5_000;

let controlFile: string | null = null;
let logger: Logger | null = null;
let raw = '';
let control: FaultControl = { diskDelayMs: 0, pauseAt: [], pauseMs: 0 };
/** Points that fired since the control file last changed. */
const fired = new Set<PausePoint>();
const sleeper = new Int32Array(new SharedArrayBuffer(4));

const bounded = (v: unknown, max: number): number =>
  typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.min(max, v)) : 0;

function parseControl(text: string): FaultControl {
  if (text.trim() === '') return { diskDelayMs: 0, pauseAt: [], pauseMs: 0 };
  const j = JSON.parse(text) as Record<string, unknown>;
  const pauseAt = Array.isArray(j['pauseAt'])
    ? j['pauseAt'].filter((p): p is PausePoint => p === 'metadata-snapshot' || p === 'segment-roll')
    : [];
  return {
    diskDelayMs: bounded(j['diskDelayMs'], diskDelayMsMax),
    pauseAt,
    pauseMs: bounded(j['pauseMs'], pauseMsMax),
  };
}

function readControl(): void {
  if (controlFile === null) return;
  let text = '';
  try {
    text = readFileSync(controlFile, 'utf8');
  } catch {
    // no file: no faults
  }
  if (text === raw) return;
  raw = text;
  fired.clear();
  try {
    control = parseControl(text);
    logger?.warn({ faultControl: control }, 'test fault hooks: control file changed');
  } catch (err) {
    control = { diskDelayMs: 0, pauseAt: [], pauseMs: 0 };
    logger?.warn({ err: String(err) }, 'test fault hooks: unreadable control file, no faults');
  }
}

/** Called once at node start with `raftka.test.fault.control.file` (null: hooks off). */
export function configureFaultHooks(file: string | null, log: Logger): void {
  controlFile = file;
  logger = log;
  if (file === null) return;
  log.warn({ file }, 'TEST ONLY: storage fault hooks are on (raftka.test.fault.control.file)');
  readControl();
  setInterval(readControl, controlPollMs).unref();
}

/** Before a synchronous storage write or fsync: blocks for the slow-disk delay, if any. */
export function slowDiskSync(): void {
  if (controlFile === null || control.diskDelayMs === 0) return;
  Atomics.wait(sleeper, 0, 0, control.diskDelayMs);
}

/** Before an asynchronous storage write or fsync: waits the slow-disk delay, if any. */
export function slowDisk(): Promise<void> | undefined {
  if (controlFile === null || control.diskDelayMs === 0) return undefined;
  return new Promise((resolve) => setTimeout(resolve, control.diskDelayMs));
}

/** Inside a write the harness may want to kill the node in: stops here when armed (see above). */
export function maybePauseInside(point: PausePoint): void {
  if (controlFile === null || !control.pauseAt.includes(point) || fired.has(point)) return;
  fired.add(point);
  logger?.warn({ point, pauseMs: control.pauseMs }, 'test fault hooks: paused inside a write');
  writeFileSync(`${controlFile}.hit`, point);
  Atomics.wait(sleeper, 0, 0, control.pauseMs);
}
