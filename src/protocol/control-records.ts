// Transaction markers: the one record of a control batch that ends a transaction on a partition.
// Key: version int16 (0), type int16 (0 ABORT, 1 COMMIT; other types are not markers). Value:
// version int16 (0), coordinator epoch int32. Written by leaders (WriteTxnMarkers), read by the
// log's producer state, the group coordinator's offsets loading and read_committed consumers.
import { ControlRecordType } from './txn-types.js';
import { readRecords, type RecordBatchHeader } from './record-batch.js';

export interface EndTxnMarker {
  readonly type: number;
  readonly coordinatorEpoch: number;
}

const keyBytes = 4;
const valueBytes = 6;

/** The marker of a control record, or null when the record is not a COMMIT/ABORT marker. */
export function parseEndTxnMarker(key: Buffer | null, value: Buffer | null): EndTxnMarker | null {
  if (key === null || key.length < keyBytes) return null;
  const type = key.readInt16BE(2);
  if (type !== ControlRecordType.ABORT && type !== ControlRecordType.COMMIT) return null;
  const coordinatorEpoch = value !== null && value.length >= valueBytes ? value.readInt32BE(2) : -1;
  return { type, coordinatorEpoch };
}

export function encodeEndTxnMarker(marker: EndTxnMarker): { key: Buffer; value: Buffer } {
  const key = Buffer.alloc(keyBytes);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(marker.type, 2);
  const value = Buffer.alloc(valueBytes);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(marker.coordinatorEpoch, 2);
  return { key, value };
}

/** The COMMIT/ABORT marker of control batch `h` in `buf` (null for other control records). */
export function batchEndTxnMarker(buf: Buffer, h: RecordBatchHeader): EndTxnMarker | null {
  const first = readRecords(buf, h)[0];
  return first ? parseEndTxnMarker(first.key, first.value) : null;
}
