// The aborted-transaction index of one segment, `<segment base>.txnindex`, in Kafka's format:
// 34-byte entries (version int16 = 0, producerId int64, firstOffset int64, lastOffset int64,
// lastStableOffset int64), one per ABORT marker in the segment, in marker order. Read-committed
// fetches use it to tell consumers which producers' records to drop. Mirrored in memory (a
// segment holds few aborted transactions); the file is created on the first entry.
//
// `lastStableOffset` is Kafka's: the first offset of the oldest other transaction still open when
// the marker was written, else the marker's offset + 1. A search can stop at an entry whose
// lastStableOffset reaches the upper bound: no transaction overlapping the range starts later.
import { existsSync, fsyncSync, ftruncateSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { logFiles } from './file-pool.js';

const entryBytes = 34;
const entryVersion = 0;

export interface AbortedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly lastStableOffset: number;
}

export class TransactionIndex {
  private entries: AbortedTxn[] = [];
  private dirty = false;

  constructor(readonly path: string) {
    if (!existsSync(path)) return;
    const buf = readFileSync(path);
    // A torn last entry (crash mid-write) is dropped; recovery rebuilds the index of the tail anyway.
    const whole = buf.length - (buf.length % entryBytes);
    for (let p = 0; p < whole; p += entryBytes) {
      if (buf.readInt16BE(p) !== entryVersion) break;
      this.entries.push({
        producerId: Number(buf.readBigInt64BE(p + 2)),
        firstOffset: Number(buf.readBigInt64BE(p + 10)),
        lastOffset: Number(buf.readBigInt64BE(p + 18)),
        lastStableOffset: Number(buf.readBigInt64BE(p + 26)),
      });
    }
    if (whole !== buf.length || this.entries.length * entryBytes !== whole) this.rewrite();
  }

  get all(): readonly AbortedTxn[] {
    return this.entries;
  }

  append(txn: AbortedTxn): void {
    const last = this.entries.at(-1);
    if (last && txn.lastOffset <= last.lastOffset) return; // replayed twice: already indexed
    const buf = Buffer.alloc(entryBytes);
    buf.writeInt16BE(entryVersion, 0);
    buf.writeBigInt64BE(BigInt(txn.producerId), 2);
    buf.writeBigInt64BE(BigInt(txn.firstOffset), 10);
    buf.writeBigInt64BE(BigInt(txn.lastOffset), 18);
    buf.writeBigInt64BE(BigInt(txn.lastStableOffset), 26);
    const at = this.entries.length * entryBytes;
    let written = 0;
    while (written < entryBytes)
      written += writeSync(logFiles.fd(this.path), buf, written, entryBytes - written, at + written);
    this.entries.push(txn);
    this.dirty = true;
  }

  /**
   * Aborted transactions overlapping [fetchOffset, upperBound), and whether the search is complete
   * (an entry's last stable offset reached the upper bound: later segments need not be read).
   */
  collect(fetchOffset: number, upperBound: number): { found: AbortedTxn[]; complete: boolean } {
    const found: AbortedTxn[] = [];
    for (const t of this.entries) {
      if (t.lastOffset >= fetchOffset && t.firstOffset < upperBound) found.push(t);
      if (t.lastStableOffset >= upperBound) return { found, complete: true };
    }
    return { found, complete: false };
  }

  /** Drop the entries whose marker is at or after `offset`. */
  truncateTo(offset: number): void {
    const keep = this.entries.filter((t) => t.lastOffset < offset);
    if (keep.length === this.entries.length) return;
    this.entries = keep;
    this.rewrite();
  }

  clear(): void {
    if (this.entries.length === 0 && !existsSync(this.path)) return;
    this.entries = [];
    this.rewrite();
  }

  private rewrite(): void {
    if (this.entries.length === 0) {
      logFiles.close(this.path);
      rmSync(this.path, { force: true });
      return;
    }
    ftruncateSync(logFiles.fd(this.path), this.entries.length * entryBytes);
    this.dirty = true;
  }

  flush(): void {
    if (!this.dirty) return;
    if (this.entries.length > 0) fsyncSync(logFiles.fd(this.path));
    this.dirty = false;
  }

  close(): void {
    logFiles.close(this.path);
  }

  delete(): void {
    this.close();
    rmSync(this.path, { force: true });
  }
}
