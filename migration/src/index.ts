// The migration module's public surface (issue 7): readers, the Kafka layout model,
// translation to metadata records, and rehearse. `apply` and `verify` will build on
// translateToRecords() / MigrationPlan.
export { MigrationInputError } from './errors.js';
export type { Problem, Severity } from './problems.js';
export { readDataDir, type DataDirRead, type DataDirOptions } from './zk/data-dir-reader.js';
export { readJsonDump, parseJsonDump, type DumpRead } from './zk/json-dump-reader.js';
export { readSnapshot } from './zk/snapshot-reader.js';
export { readTxnLog } from './zk/txn-log-reader.js';
export { MemoryZnodeTree, type Znode, type ZnodeSource, type ZnodeStat } from './zk/znode-tree.js';
export { treeToDump } from './zk/json-dump-writer.js';
export { parseKafkaLayout } from './kafka/parse-layout.js';
export type { KafkaZkModel, TopicModel, PartitionModel } from './kafka/model.js';
export { translateToRecords, aclBindingId, type MigrationPlan, type TranslateOptions } from './translate.js';
export { buildReport, formatReport, type RehearseReport } from './report.js';
export { rehearse, readZkInput, RehearseExit, type ZkInput, type RehearseResult } from './rehearse.js';
