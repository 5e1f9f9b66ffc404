// What the clock, disk and kill-in-write nemeses (node-faults.ts) need on each node, set up
// before the cluster starts and torn down after it: HarnessCluster calls `NodeFaultKit.prepare`
// with the run's fault kinds, the node configs get `kitOverrides`, and the nemesis drives the kit.
// - Clocks: Debian's libfaketime (package `faketime`) preloaded into each node through its
//   `<name>.env` file (cluster up reads it), with a clock offset file of its own
//   (FAKETIME_TIMESTAMP_FILE, "+Ns"/"-Ns", re-read at most once a second). Only the wall clock
//   moves (FAKETIME_DONT_FAKE_MONOTONIC=1): Date.now() and new Date() in the node jump, as after
//   an NTP step, while performance.now(), process.hrtime and libuv's timers stay monotonic.
// - Disks: a tmpfs of its own as each node's log dir (partition logs and metadata log); a full
//   disk is a filler file written until ENOSPC, freed by deleting it. Needs root.
// - Slow disk and kill-in-write: the node's test-only fault hooks (src/common/fault-hooks.ts),
//   steered through a control file per node (`raftka.test.fault.control.file`).
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountTmpfs } from '../../../src/testing/tmpfs.js';

export type NodeFaultKind = 'clock-skew' | 'clock-jump' | 'disk-full' | 'slow-disk' | 'kill-snapshot' | 'kill-roll';
export const nodeFaultKinds: readonly NodeFaultKind[] = [
  'clock-skew',
  'clock-jump',
  'disk-full',
  'slow-disk',
  'kill-snapshot',
  'kill-roll',
];

/** The run cannot have these faults here (no root for a tmpfs, no libfaketime): the reason. */
export class FaultSetupError extends Error {
  override readonly name = 'FaultSetupError';
}

interface Needs {
  readonly clock: boolean;
  readonly tmpfs: boolean;
  readonly hooks: boolean;
  readonly frequentWrites: boolean;
}

function needsOf(kinds: readonly string[]): Needs {
  const has = (...k: string[]): boolean => k.some((x) => kinds.includes(x));
  return {
    clock: has('clock-skew', 'clock-jump'),
    tmpfs: has('disk-full'),
    hooks: has('slow-disk', 'kill-snapshot', 'kill-roll'),
    frequentWrites: has('kill-snapshot', 'kill-roll'),
  };
}

/** Each node's tmpfs log dir: small, so filling it is quick; big enough for a run's data. */
const tmpfsBytes = 64 * 1024 * 1024;
/** Where Debian (and a few other layouts) put libfaketime's thread-safe build. */
const faketimeLibraries = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/faketime/libfaketimeMT.so.1',
  '/usr/local/lib/faketime/libfaketimeMT.so.1',
];

/** libfaketime's path, or why clock faults cannot be made here. */
export function findFaketime(): { path: string } | { reason: string } {
  const path = faketimeLibraries.find((p) => existsSync(p));
  return path ? { path } : { reason: 'clock faults need libfaketime (Debian package faketime): not installed' };
}

/** Node settings the kinds need (small segments and frequent snapshots for the kill-in-write kinds). */
function frequentWriteOverrides(): Record<string, string> {
  return {
    'log.roll.ms': '2000',
    'log.segment.bytes': String(64 * 1024),
    'metadata.log.max.snapshot.interval.ms': '2000',
    'metadata.log.max.record.bytes.between.snapshots': '4096',
  };
}

/** The control a node's fault hooks read (src/common/fault-hooks.ts). */
export interface HookControl {
  readonly diskDelayMs?: number;
  readonly pauseAt?: readonly ('metadata-snapshot' | 'segment-roll')[];
  readonly pauseMs?: number;
}

export class NodeFaultKit {
  private readonly unmounts: (() => void)[] = [];
  private readonly logDirs = new Map<number, string>();

  private constructor(
    private readonly dir: string,
    private readonly needs: Needs,
    /** libfaketime's path when clock faults are wanted. */
    private readonly faketime: string | null,
  ) {}

  /** A kit for `kinds` (throws FaultSetupError when a kind cannot be made here). */
  static create(kinds: readonly string[]): NodeFaultKit {
    const needs = needsOf(kinds);
    const ft = needs.clock ? findFaketime() : null;
    if (ft && 'reason' in ft) throw new FaultSetupError(ft.reason);
    if (needs.tmpfs && process.getuid?.() !== 0)
      throw new FaultSetupError('disk-full needs root (a tmpfs per node as its log dir)');
    return new NodeFaultKit(mkdtempSync(join(tmpdir(), 'raftka-faults-')), needs, ft?.path ?? null);
  }

  /** Properties node `id` needs (merged into its config). */
  overrides(id: number): Record<string, string> {
    return {
      ...(this.needs.frequentWrites ? frequentWriteOverrides() : {}),
      ...(this.needs.hooks ? { 'raftka.test.fault.control.file': this.controlFile(id) } : {}),
    };
  }

  /** Before the first `cluster up`: the env files that preload libfaketime, and the tmpfs log dirs. */
  prepare(nodes: readonly { readonly id: number; readonly envFile: string; readonly logDir: string }[]): void {
    for (const { id, envFile, logDir } of nodes) {
      this.logDirs.set(id, logDir);
      if (this.faketime !== null) {
        writeFileSync(this.offsetFile(id), '+0\n');
        writeFileSync(
          envFile,
          [
            `LD_PRELOAD=${this.faketime}`,
            `FAKETIME_TIMESTAMP_FILE=${this.offsetFile(id)}`,
            'FAKETIME_CACHE_DURATION=1',
            'FAKETIME_DONT_FAKE_MONOTONIC=1',
            '',
          ].join('\n'),
        );
      }
      if (this.needs.tmpfs) {
        const m = mountTmpfs(logDir, tmpfsBytes);
        if (!m.ok) throw new FaultSetupError(m.reason);
        this.unmounts.push(() => m.unmount());
      }
      if (this.needs.hooks) writeFileSync(this.controlFile(id), '');
    }
  }

  private logDir(id: number): string {
    const dir = this.logDirs.get(id);
    if (dir === undefined) throw new Error(`node ${id} has no log dir in this fault kit`);
    return dir;
  }

  private offsetFile(id: number): string {
    return join(this.dir, `node-${id}.clock`);
  }

  private controlFile(id: number): string {
    return join(this.dir, `node-${id}.faults.json`);
  }

  /** Node `id`'s wall clock runs `seconds` ahead (negative: behind) of the real one. */
  setClockOffset(id: number, seconds: number): void {
    writeFileSync(this.offsetFile(id), `${seconds >= 0 ? '+' : ''}${Math.round(seconds)}s\n`);
  }

  /** Fills node `id`'s log dir to the last byte with a filler file; returns the bytes written. */
  fillDisk(id: number): number {
    const fd = openSync(join(this.logDir(id), 'jepsen-filler'), 'w');
    const chunk = Buffer.alloc(256 * 1024);
    let bytes = 0;
    try {
      for (;;) bytes += writeSync(fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      // The last bytes: smaller writes until not even one fits.
      for (let size = chunk.length / 2; size >= 1; size = Math.floor(size / 2)) {
        try {
          for (;;) bytes += writeSync(fd, chunk, 0, size);
        } catch {
          // ENOSPC at this size: try a smaller one
        }
      }
    } finally {
      closeSync(fd);
    }
    return bytes;
  }

  freeDisk(id: number): void {
    rmSync(join(this.logDir(id), 'jepsen-filler'), { force: true });
  }

  /** Writes node `id`'s hook control (the node reads it within 200 ms); clears an old hit. */
  setHooks(id: number, control: HookControl): void {
    rmSync(`${this.controlFile(id)}.hit`, { force: true });
    writeFileSync(this.controlFile(id), `${JSON.stringify({ ...control, at: Date.now() })}\n`);
  }

  /** The pause point node `id` stopped in since setHooks (null: none yet). */
  hookHit(id: number): string | null {
    try {
      return readFileSync(`${this.controlFile(id)}.hit`, 'utf8').trim();
    } catch {
      return null;
    }
  }

  /** Unmounts the tmpfs dirs (lazily: a killed node may still hold files) and removes the kit's files. */
  release(): void {
    for (const u of this.unmounts.splice(0)) {
      try {
        u();
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
