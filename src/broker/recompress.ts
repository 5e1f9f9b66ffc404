// Topic-level `compression.type`: when it names a codec (not `producer`), batches a producer sent
// with another codec are rebuilt with the topic's codec before they are stored, as Kafka's
// LogValidator does. Only then are records decoded on the produce path. raftka has no zstd
// compressor, so a topic set to zstd refuses other codecs with UNSUPPORTED_COMPRESSION_TYPE.
import { ErrorCode } from '../common/errors.js';
import { CompressionCodec } from '../protocol/compression.js';
import { readRecords, rebuildBatch, type RecordBatchHeader } from '../protocol/record-batch.js';

const codecByName: Readonly<Record<string, number>> = {
  uncompressed: CompressionCodec.none,
  gzip: CompressionCodec.gzip,
  snappy: CompressionCodec.snappy,
  lz4: CompressionCodec.lz4,
  zstd: CompressionCodec.zstd,
};

type Recompressed =
  | { readonly ok: true; readonly records: Buffer }
  | { readonly ok: false; readonly errorCode: number; readonly message: string };

/** `records` (validated batches with `headers`) in the topic's codec; the same Buffer when nothing changes. */
export function recompressForTopic(
  records: Buffer,
  headers: readonly RecordBatchHeader[],
  compressionType: string,
): Recompressed {
  const target = codecByName[compressionType];
  if (target === undefined || headers.every((h) => h.compression === target || h.isControl))
    return { ok: true, records };
  if (target === CompressionCodec.zstd)
    return {
      ok: false,
      errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      message:
        'the topic asks for zstd (compression.type=zstd), which raftka cannot write: send zstd batches, or change the topic to producer',
    };
  const parts = headers.map((h) => {
    const raw = records.subarray(h.position, h.position + h.sizeInBytes);
    if (h.compression === target || h.isControl) return raw;
    return rebuildBatch(h, readRecords(records, h), target);
  });
  return { ok: true, records: Buffer.concat(parts) };
}
