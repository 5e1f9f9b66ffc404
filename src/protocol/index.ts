// The protocol layer's public surface: Kafka wire codecs, pure (no sockets, no I/O).
//
//   primitives  Reader / Writer over Buffers (int64 → number rule in reader.ts)
//   header      request/response headers; frame: size-prefixed frames and a stream splitter
//   apis        the registry (apiKey → versions + codecs) and the ApiVersions answers
//   messages/   one file per API: schema, derived interfaces, decode/encode × request/response
//   record-batch, compression   RecordBatch v2 and codecs 0-4
//   txn-types   control record types, isolation levels, coordinator key types, transaction states
export * from './errors.js';
export { Reader } from './primitives/reader.js';
export { Writer, zeroCopyBytesMin } from './primitives/writer.js';
export { uuidFromBytes, uuidToWireBytes, zeroUuid } from './primitives/uuid.js';
export * from './header.js';
export * from './frame.js';
export * from './apis.js';
export * from './record-batch.js';
export * from './compression.js';
export * from './messages/api-versions.js';
export * from './messages/produce.js';
export * from './messages/fetch.js';
export * from './messages/list-offsets.js';
export * from './messages/metadata.js';
export * from './messages/offset-for-leader-epoch.js';
export * from './messages/create-topics.js';
export * from './messages/delete-topics.js';
export * from './messages/create-partitions.js';
export * from './messages/describe-configs.js';
export * from './messages/alter-configs.js';
export * from './messages/incremental-alter-configs.js';
export * from './messages/describe-cluster.js';
export * from './messages/delete-records.js';
export * from './messages/acls.js';
export * from './messages/find-coordinator.js';
export * from './messages/join-group.js';
export * from './messages/sync-group.js';
export * from './messages/heartbeat.js';
export * from './messages/leave-group.js';
export * from './messages/offset-commit.js';
export * from './messages/offset-fetch.js';
export * from './messages/list-groups.js';
export * from './messages/describe-groups.js';
export * from './messages/delete-groups.js';
export * from './messages/offset-delete.js';
export * from './messages/init-producer-id.js';
export * from './messages/partition-reassignments.js';
export * from './messages/add-partitions-to-txn.js';
export * from './messages/add-offsets-to-txn.js';
export * from './messages/end-txn.js';
export * from './messages/write-txn-markers.js';
export * from './messages/txn-offset-commit.js';
export * from './messages/describe-producers.js';
export * from './messages/describe-transactions.js';
export * from './messages/list-transactions.js';
export * from './txn-types.js';
