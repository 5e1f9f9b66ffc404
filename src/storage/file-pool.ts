// Open file descriptors for the log files of every partition a broker hosts (segments and their
// indexes), at most `maxOpen` at once. Kafka keeps every segment's three files open, which at
// 100,000 partitions per broker needs an `ulimit -n` of 300,000+; here an idle partition holds
// none: a file is opened on use and the least recently used one is closed when the pool is full.
// Closing loses nothing (writes are in the page cache; fsync of a reopened descriptor flushes the
// file). Callers use a descriptor synchronously, right after `fd()`, and never keep it across
// another `fd()` call (which could close it).
import { closeSync, constants, openSync } from 'node:fs';

export class FilePool {
  /** path → fd; Map order is use order (least recent first). */
  private readonly open = new Map<string, number>();

  constructor(private maxOpen: number) {
    if (!Number.isInteger(maxOpen) || maxOpen < 1)
      throw new RangeError(`maxOpen must be a positive integer, not ${maxOpen}`);
  }

  /** A descriptor of `path` opened read-write; the file is created (empty) if it does not exist. */
  fd(path: string): number {
    const fd = this.open.get(path);
    if (fd !== undefined) {
      this.open.delete(path);
      this.open.set(path, fd);
      return fd;
    }
    this.evictTo(this.maxOpen - 1);
    const opened = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    this.open.set(path, opened);
    return opened;
  }

  /** Closes `path`'s descriptor if it is open (before the file is removed or replaced). */
  close(path: string): void {
    const fd = this.open.get(path);
    if (fd === undefined) return;
    this.open.delete(path);
    closeSync(fd);
  }

  get openCount(): number {
    return this.open.size;
  }

  setMaxOpen(maxOpen: number): void {
    if (!Number.isInteger(maxOpen) || maxOpen < 1)
      throw new RangeError(`maxOpen must be a positive integer, not ${maxOpen}`);
    this.maxOpen = maxOpen;
    this.evictTo(maxOpen);
  }

  private evictTo(size: number): void {
    for (const [path, fd] of this.open) {
      if (this.open.size <= size) break;
      this.open.delete(path);
      closeSync(fd);
    }
  }
}

/** Default bound per process (node raises its soft `ulimit -n` to the hard one at start; sockets and the metadata log need the rest). */
export const logFilesOpenMaxDefault = 4096;

/** The pool every partition log of this process uses. */
export const logFiles = new FilePool(logFilesOpenMaxDefault);
