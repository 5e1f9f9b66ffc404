// Reusable buffers for the bytes client fetches read out of segment files (called by the broker's
// Fetch handler through Log.read's `alloc`). Every fresh Buffer of a megabyte is external memory
// to V8, and external memory growing by some 64 MiB forces a full mark-compact: a consumer reading
// at hundreds of MiB/s made the broker collect garbage dozens of times a second. A pooled buffer is
// taken for one answer and given back once the socket has written it (kafka-server's after-send
// hooks), so a steady consumer reuses the same few buffers.
//
// Invariants: a buffer is handed out to at most one lease at a time (giving back one that is not
// out is our bug and asserts); the free lists hold at most `freeBytesMax` bytes; a buffer never
// given back (an answer dropped on an error path) is simply left to the garbage collector.
import { assert } from '../common/assert.js';

/** Reads below this many bytes take a plain Buffer (Node's own small-buffer pool serves them). */
export const pooledBytesMin = 64 * 1024;
/** Reads above this many bytes take a plain Buffer (a rare huge batch is not worth keeping). */
export const pooledBytesMax = 16 * 1024 * 1024;
/** Free buffers kept for reuse, in bytes, over all sizes. */
export const freeBytesMaxDefault = 64 * 1024 * 1024;

/** The pooled size serving a read of `bytes` (a power of two from pooledBytesMin), null when not pooled. */
export function pooledSizeFor(bytes: number): number | null {
  if (bytes < pooledBytesMin || bytes > pooledBytesMax) return null;
  let size = pooledBytesMin;
  while (size < bytes) size *= 2;
  return size;
}

export class ReadBufferPool {
  /** Free buffers by size. */
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  /** Buffers handed out and not yet given back (weakly: one never given back is still collected). */
  private readonly out = new WeakSet<Buffer>();
  /** How many buffers were handed out and not given back (those dropped unsent included). */
  private outCount = 0;

  constructor(private readonly freeBytesMax = freeBytesMaxDefault) {}

  /** A buffer of at least `bytes` bytes (exactly `bytes` when not pooled). */
  take(bytes: number): Buffer {
    const size = pooledSizeFor(bytes);
    if (size === null) return Buffer.allocUnsafe(bytes);
    const buf = this.free.get(size)?.pop();
    if (buf) this.freeBytes -= size;
    const taken = buf ?? Buffer.allocUnsafeSlow(size);
    this.out.add(taken);
    this.outCount++;
    return taken;
  }

  /** Gives back a buffer `take` returned; buffers that were not pooled are ignored. */
  give(buf: Buffer): void {
    if (pooledSizeFor(buf.length) !== buf.length) return;
    assert(this.out.delete(buf), 'a read buffer is given back once, after it was taken');
    this.outCount--;
    if (this.freeBytes + buf.length > this.freeBytesMax) return;
    const list = this.free.get(buf.length);
    if (list) list.push(buf);
    else this.free.set(buf.length, [buf]);
    this.freeBytes += buf.length;
  }

  /** A lease: buffers taken through it all go back at once with `release()`. */
  lease(): ReadLease {
    return new ReadLease(this);
  }

  /** Bytes held free for reuse, and buffers out on lease (for tests and metrics). */
  stats(): { freeBytes: number; out: number } {
    return { freeBytes: this.freeBytes, out: this.outCount };
  }
}

/** The buffers of one answer: taken while it is built, given back when it has been sent. */
export class ReadLease {
  private taken: Buffer[] = [];

  constructor(private readonly pool: ReadBufferPool) {}

  /** As ReadBufferPool.take, remembered for release(). Bound: an arrow, to pass as `alloc`. */
  readonly take = (bytes: number): Buffer => {
    const buf = this.pool.take(bytes);
    if (pooledSizeFor(bytes) !== null) this.taken.push(buf);
    return buf;
  };

  /** Gives every buffer taken so far back to the pool; the lease may be used again afterwards. */
  release(): void {
    const taken = this.taken;
    this.taken = [];
    for (const b of taken) this.pool.give(b);
  }
}
