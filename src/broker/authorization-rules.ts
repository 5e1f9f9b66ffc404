// The ACL each Kafka API needs on a raftka broker, as one table: what the handlers enforce (through
// authorization.ts), written down for operators (docs/security.md has the same table) and for
// test/broker/authorization-rules.test.ts, which fails when an API is served without an entry here.
// Kafka's rules (KafkaApis, AuthHelper, ControllerApis); "denied" is the error a refused item gets.

export interface ApiAclRule {
  /** Operation(s) and resource(s) needed, in Kafka's words. */
  readonly needs: string;
  /** What a principal without them gets. */
  readonly denied: string;
}

const topic = 'TOPIC_AUTHORIZATION_FAILED (29)';
const group = 'GROUP_AUTHORIZATION_FAILED (30)';
const cluster = 'CLUSTER_AUTHORIZATION_FAILED (31)';
const txnId = 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53)';

export const apiAclRules: Readonly<Record<string, ApiAclRule>> = {
  ApiVersions: { needs: 'none', denied: '-' },
  SaslHandshake: { needs: 'none', denied: '-' },
  SaslAuthenticate: { needs: 'none', denied: '-' },
  Metadata: {
    needs: 'DESCRIBE Topic; auto-creation: CREATE Cluster or CREATE Topic',
    denied: `${topic} per named topic (whether or not it exists); left out of an all-topics answer`,
  },
  Produce: {
    needs: 'WRITE Topic; with a transactional id also WRITE TransactionalId',
    denied: `${topic} per partition; ${txnId} on every partition; the log is not touched`,
  },
  Fetch: { needs: 'READ Topic', denied: `${topic} per partition` },
  ListOffsets: { needs: 'DESCRIBE Topic', denied: `${topic} per partition` },
  OffsetForLeaderEpoch: { needs: 'CLUSTER_ACTION Cluster or DESCRIBE Topic', denied: `${topic} per partition` },
  CreateTopics: { needs: 'CREATE Cluster or CREATE Topic', denied: `${topic} per topic; nothing is created` },
  DeleteTopics: { needs: 'DELETE Topic', denied: `${topic} per topic` },
  CreatePartitions: { needs: 'ALTER Topic', denied: `${topic} per topic` },
  DeleteRecords: { needs: 'DELETE Topic', denied: `${topic} per partition` },
  DescribeConfigs: {
    needs: 'DESCRIBE_CONFIGS Topic (topics), DESCRIBE_CONFIGS Cluster (brokers)',
    denied: `${topic} / ${cluster} per resource`,
  },
  AlterConfigs: {
    needs: 'ALTER_CONFIGS Topic (topics), ALTER_CONFIGS Cluster (brokers)',
    denied: `${topic} / ${cluster} per resource`,
  },
  IncrementalAlterConfigs: {
    needs: 'ALTER_CONFIGS Topic (topics), ALTER_CONFIGS Cluster (brokers)',
    denied: `${topic} / ${cluster} per resource`,
  },
  DescribeCluster: {
    needs: 'none (DESCRIBE Cluster to see clusterAuthorizedOperations)',
    denied: 'clusterAuthorizedOperations = 0',
  },
  DescribeLogDirs: { needs: 'DESCRIBE Cluster', denied: `${cluster}, no results` },
  AlterReplicaLogDirs: { needs: 'ALTER Cluster', denied: `${cluster} on every partition` },
  AlterPartitionReassignments: { needs: 'ALTER Cluster', denied: cluster },
  ListPartitionReassignments: { needs: 'DESCRIBE Cluster', denied: cluster },
  CreateAcls: { needs: 'ALTER Cluster', denied: `${cluster} per ACL` },
  DeleteAcls: { needs: 'ALTER Cluster', denied: `${cluster} per filter` },
  DescribeAcls: { needs: 'DESCRIBE Cluster', denied: cluster },
  DescribeClientQuotas: { needs: 'DESCRIBE_CONFIGS Cluster', denied: cluster },
  AlterClientQuotas: { needs: 'ALTER_CONFIGS Cluster', denied: `${cluster} per entity` },
  FindCoordinator: {
    needs: 'DESCRIBE Group (groups), DESCRIBE TransactionalId (transactions)',
    denied: `${group} / ${txnId} per key`,
  },
  JoinGroup: { needs: 'READ Group', denied: group },
  SyncGroup: { needs: 'READ Group', denied: group },
  Heartbeat: { needs: 'READ Group', denied: group },
  LeaveGroup: { needs: 'READ Group', denied: group },
  OffsetCommit: { needs: 'READ Group, READ Topic', denied: `${group} on every partition; ${topic} per partition` },
  OffsetFetch: {
    needs: 'DESCRIBE Group, DESCRIBE Topic',
    denied: `${group}; ${topic} per named partition; left out of an all-topics answer`,
  },
  OffsetDelete: { needs: 'DELETE Group, READ Topic', denied: `${group}; ${topic} per partition` },
  ListGroups: { needs: 'DESCRIBE Cluster, else DESCRIBE Group', denied: 'the group is left out' },
  DescribeGroups: { needs: 'DESCRIBE Group', denied: `${group} per group` },
  DeleteGroups: { needs: 'DELETE Group', denied: `${group} per group` },
  ConsumerGroupHeartbeat: {
    needs: 'READ Group, DESCRIBE Topic (subscribed by name)',
    denied: `${group}; ${topic}`,
  },
  ConsumerGroupDescribe: { needs: 'DESCRIBE Group', denied: `${group} per group` },
  InitProducerId: {
    needs: 'WRITE TransactionalId; idempotent: IDEMPOTENT_WRITE Cluster or WRITE on any Topic',
    denied: `${txnId} / ${cluster}`,
  },
  AddPartitionsToTxn: {
    needs: 'WRITE TransactionalId, WRITE Topic (v0-3); CLUSTER_ACTION Cluster (v4+, brokers)',
    denied: `${txnId}; ${topic} per partition (the others OPERATION_NOT_ATTEMPTED); ${cluster}`,
  },
  AddOffsetsToTxn: { needs: 'WRITE TransactionalId, READ Group', denied: `${txnId} / ${group}` },
  TxnOffsetCommit: {
    needs: 'WRITE TransactionalId, READ Group, READ Topic',
    denied: `${txnId} / ${group} on every partition; ${topic} per partition`,
  },
  EndTxn: { needs: 'WRITE TransactionalId', denied: txnId },
  WriteTxnMarkers: { needs: 'CLUSTER_ACTION Cluster', denied: `${cluster} per partition` },
  DescribeProducers: { needs: 'READ Topic', denied: `${topic} per partition` },
  DescribeTransactions: {
    needs: 'DESCRIBE TransactionalId (partitions shown for topics with DESCRIBE Topic)',
    denied: `${txnId} per id`,
  },
  ListTransactions: { needs: 'DESCRIBE TransactionalId', denied: 'the id is left out' },
  DescribeUserScramCredentials: { needs: 'DESCRIBE Cluster', denied: `${cluster} (top level and per named user)` },
  AlterUserScramCredentials: { needs: 'ALTER Cluster', denied: `${cluster} per user; nothing is written` },
  DescribeTopicPartitions: {
    needs: 'DESCRIBE Topic',
    denied: `${topic} per named topic (zero topic id); left out of an all-topics answer`,
  },
  ElectLeaders: { needs: 'ALTER Cluster', denied: `${cluster} (top level and per named partition)` },
  UpdateFeatures: { needs: 'ALTER Cluster', denied: `${cluster} (top level); nothing is written` },
  GetTelemetrySubscriptions: { needs: 'none', denied: '-' },
  PushTelemetry: { needs: 'none', denied: '-' },
};
