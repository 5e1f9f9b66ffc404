// Byte-array helpers shared by every layer that gets Uint8Arrays (protobufjs, fflate, gRPC) and
// wants Buffer's readers and writers over them.

/** `bytes` as a Buffer over the same memory (no copy); `bytes` itself when it already is one. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
