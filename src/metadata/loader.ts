// MetadataLoader: turns the stream of committed metadata records into published images.
// Records between BeginTransaction and EndTransaction (KIP-868) are held back and become
// visible together at the End; an AbortTransaction drops them. Every node — active controller,
// standby controllers, brokers — and snapshot loading use this one path.
import { assert } from '../common/assert.js';
import { MetadataDelta } from './delta.js';
import { emptyImage, type MetadataImage } from './image.js';
import type { MetadataRecord } from './records.js';

/** Bound on records held in one open transaction (a bigger one is a controller bug). */
const transactionRecordsMax = 10_000_000;

export class MetadataLoader {
  private current: MetadataImage;
  private pending: MetadataRecord[] | null = null;

  constructor(image: MetadataImage = emptyImage) {
    this.current = image;
  }

  get image(): MetadataImage {
    return this.current;
  }

  /** True while a transaction is open (its records are not in the image yet). */
  get inTransaction(): boolean {
    return this.pending !== null;
  }

  /** Replay a run of committed records; publishes one new image at the end of the run. */
  replayAll(records: Iterable<MetadataRecord>): MetadataImage {
    let delta: MetadataDelta | null = null;
    const visible = (r: MetadataRecord): void => (delta ??= new MetadataDelta(this.current)).replay(r);
    for (const r of records) {
      switch (r.type) {
        case 'beginTransaction':
          assert(this.pending === null, 'BeginTransaction inside an open transaction');
          this.pending = [];
          break;
        case 'endTransaction':
          assert(this.pending !== null, 'EndTransaction without a transaction');
          for (const held of this.pending) visible(held);
          this.pending = null;
          break;
        case 'abortTransaction':
          assert(this.pending !== null, 'AbortTransaction without a transaction');
          this.pending = null;
          break;
        default:
          if (this.pending !== null) {
            assert(this.pending.length < transactionRecordsMax, 'metadata transaction too large');
            this.pending.push(r);
          } else {
            visible(r);
          }
      }
    }
    if (delta !== null) this.current = (delta as MetadataDelta).apply();
    return this.current;
  }
}
