// Whether each log dir can be written, as partition logs find out (Kafka's LogDirFailureChannel,
// but the dir stays online): a write that fails with ENOSPC/EDQUOT (the disk or quota is full) or
// another I/O error marks the dir failing; the next write that succeeds in it marks it writable
// again. One structured log line per change of state, never one per refused write. The
// LogManager owns one per broker; each Log reports through its dir's `LogDirWriteState`; the
// broker reads it for `raftka_log_dir_full` / `raftka_log_dir_failed` and the admin /status.
import type { Logger } from 'pino';

/** Errno codes that mean the filesystem has no room (the disk or the user's quota is full). */
const fullCodes: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);
/** Errno codes of a storage failure a write can hit (beyond full: a bad or read-only disk). */
const storageCodes: ReadonlySet<string> = new Set([...fullCodes, 'EIO', 'EROFS', 'EFBIG']);

const errnoCode = (err: unknown): string | null =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : null;

/** The error is the filesystem being full. */
export function isDiskFull(err: unknown): boolean {
  const code = errnoCode(err);
  return code !== null && fullCodes.has(code);
}

/** The error is a storage failure (full disk, I/O error, read-only filesystem), not a bug of ours. */
export function isStorageError(err: unknown): boolean {
  const code = errnoCode(err);
  return code !== null && storageCodes.has(code);
}

/** What a Log reports to: one per log dir. */
export interface LogDirWriteState {
  /** True while the last write in the dir failed (reads are cheap: checked on every append). */
  readonly failing: boolean;
  /** A write in the dir failed with `err` while doing `what`. */
  writeFailed(err: unknown, what: string): void;
  /** A write in the dir succeeded (only needs calling while `failing`). */
  writeSucceeded(): void;
}

export interface LogDirStatus {
  readonly dir: string;
  /** The last write failed because the filesystem is full. */
  readonly full: boolean;
  /** The last write failed (full, or another I/O error). */
  readonly failing: boolean;
  /** The errno code of the last failure, null while writable. */
  readonly error: string | null;
  /** When the dir started failing (ms since the epoch), null while writable. */
  readonly sinceMs: number | null;
  /** Writes refused since the dir started failing. */
  readonly refusedWrites: number;
}

class DirState implements LogDirWriteState {
  failing = false;
  error: string | null = null;
  sinceMs: number | null = null;
  refusedWrites = 0;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  writeFailed(err: unknown, what: string): void {
    this.refusedWrites++;
    const code = errnoCode(err) ?? 'unknown';
    if (this.failing && this.error === code) return;
    const first = !this.failing;
    this.failing = true;
    this.error = code;
    this.sinceMs ??= Date.now();
    const message = err instanceof Error ? err.message : String(err);
    this.logger.error(
      { logDir: this.dir, code, what, err: message, full: fullCodes.has(code), changed: first ? 'failing' : 'error' },
      fullCodes.has(code)
        ? 'log dir is full: refusing writes to its partitions until space returns'
        : 'log dir write failed: refusing writes to its partitions until a write succeeds',
    );
  }

  writeSucceeded(): void {
    if (!this.failing) return;
    this.logger.warn(
      { logDir: this.dir, code: this.error, refusedWrites: this.refusedWrites, failingMs: Date.now() - this.sinceMs! },
      'log dir is writable again',
    );
    this.failing = false;
    this.error = null;
    this.sinceMs = null;
    this.refusedWrites = 0;
  }

  status(): LogDirStatus {
    return {
      dir: this.dir,
      full: this.error !== null && fullCodes.has(this.error),
      failing: this.failing,
      error: this.error,
      sinceMs: this.sinceMs,
      refusedWrites: this.refusedWrites,
    };
  }
}

export class LogDirHealth {
  private readonly dirs = new Map<string, DirState>();

  constructor(logDirs: readonly string[], logger: Logger) {
    for (const d of logDirs) this.dirs.set(d, new DirState(d, logger));
  }

  /** The state partition logs of `logDir` report to. */
  of(logDir: string): LogDirWriteState {
    const s = this.dirs.get(logDir);
    if (!s) throw new RangeError(`${logDir} is not one of log.dirs`);
    return s;
  }

  status(): LogDirStatus[] {
    return [...this.dirs.values()].map((s) => s.status());
  }
}
