// Kafka's own version ranges for every API key, as checked-in facts: what Kafka 3.9 accepts and
// what the newest Kafka 4.x release defines. raftka's target for each API it serves is the oldest
// version Kafka 3.9 accepts up to the newest stable version of Kafka 4.x (issue 15 item 1).
// Read by scripts/gen-protocol-doc.mjs (docs/protocol-versions.md) and by
// test/protocol/version-table.test.ts, which fails when the registry (apis.ts) drifts from them.
//
// Source: `validVersions`, `flexibleVersions`, `latestVersionUnstable` and `listeners` of
// clients/src/main/resources/common/message/*Request.json in apache/kafka at the release commits
// "Bump version to 3.9.2" (5e9866f43ab8e7e41ef39e5584ac50019381328d) and "Bump version to 4.3.1"
// (26b251a451ce941d3d7a55e6487bcb7f16b5ad48, the newest 4.x release readable here). A version
// marked latestVersionUnstable is left out (no released client sends it). `null` means no stable
// version: not yet defined in 3.9, or removed ("validVersions": "none") in 4.x.
// Kafka 4.x still advertises Produce from v0 in ApiVersions (KAFKA-18659, for librdkafka) while
// refusing v0-2; the range here is what it accepts.

/** An inclusive version range [min, max]. */
export type VersionSpan = readonly [min: number, max: number];

export interface KafkaApiRange {
  readonly key: number;
  /** Kafka's message name without "Request". */
  readonly name: string;
  /** Stable versions Kafka 3.9.2 accepts (null: none). */
  readonly kafka39: VersionSpan | null;
  /** Stable versions Kafka 4.3.1 accepts (null: none, e.g. ZooKeeper-era APIs removed in 4.0). */
  readonly kafka4: VersionSpan | null;
  /** Kafka 4.3.1's first flexible version (null: never flexible, or removed). */
  readonly flexibleFrom: number | null;
  /** Which of Kafka's listeners answer it in 4.3.1 (empty when removed). */
  readonly listeners: readonly ('broker' | 'controller')[];
}

/** The Kafka 4.x release the `kafka4` column describes. */
export const kafka4Release = '4.3.1';
/** The Kafka 3.9 release the `kafka39` column describes. */
export const kafka39Release = '3.9.2';

// biome-ignore format: one API per line reads as a table
export const kafkaApiRanges: readonly KafkaApiRange[] = [
  { key: 0, name: 'Produce', kafka39: [0,11], kafka4: [3,13], flexibleFrom: 9, listeners: ['broker'] },
  { key: 1, name: 'Fetch', kafka39: [0,17], kafka4: [4,18], flexibleFrom: 12, listeners: ['broker', 'controller'] },
  { key: 2, name: 'ListOffsets', kafka39: [0,9], kafka4: [1,11], flexibleFrom: 6, listeners: ['broker'] },
  { key: 3, name: 'Metadata', kafka39: [0,12], kafka4: [0,13], flexibleFrom: 9, listeners: ['broker'] },
  { key: 4, name: 'LeaderAndIsr', kafka39: [0,7], kafka4: null, flexibleFrom: null, listeners: [] },
  { key: 5, name: 'StopReplica', kafka39: [0,4], kafka4: null, flexibleFrom: null, listeners: [] },
  { key: 6, name: 'UpdateMetadata', kafka39: [0,8], kafka4: null, flexibleFrom: null, listeners: [] },
  { key: 7, name: 'ControlledShutdown', kafka39: [0,3], kafka4: null, flexibleFrom: null, listeners: [] },
  { key: 8, name: 'OffsetCommit', kafka39: [0,9], kafka4: [2,10], flexibleFrom: 8, listeners: ['broker'] },
  { key: 9, name: 'OffsetFetch', kafka39: [0,9], kafka4: [1,10], flexibleFrom: 6, listeners: ['broker'] },
  { key: 10, name: 'FindCoordinator', kafka39: [0,6], kafka4: [0,6], flexibleFrom: 3, listeners: ['broker'] },
  { key: 11, name: 'JoinGroup', kafka39: [0,9], kafka4: [0,9], flexibleFrom: 6, listeners: ['broker'] },
  { key: 12, name: 'Heartbeat', kafka39: [0,4], kafka4: [0,4], flexibleFrom: 4, listeners: ['broker'] },
  { key: 13, name: 'LeaveGroup', kafka39: [0,5], kafka4: [0,5], flexibleFrom: 4, listeners: ['broker'] },
  { key: 14, name: 'SyncGroup', kafka39: [0,5], kafka4: [0,5], flexibleFrom: 4, listeners: ['broker'] },
  { key: 15, name: 'DescribeGroups', kafka39: [0,5], kafka4: [0,6], flexibleFrom: 5, listeners: ['broker'] },
  { key: 16, name: 'ListGroups', kafka39: [0,5], kafka4: [0,5], flexibleFrom: 3, listeners: ['broker'] },
  { key: 17, name: 'SaslHandshake', kafka39: [0,1], kafka4: [0,1], flexibleFrom: null, listeners: ['broker', 'controller'] },
  { key: 18, name: 'ApiVersions', kafka39: [0,4], kafka4: [0,4], flexibleFrom: 3, listeners: ['broker', 'controller'] },
  { key: 19, name: 'CreateTopics', kafka39: [0,7], kafka4: [2,7], flexibleFrom: 5, listeners: ['broker', 'controller'] },
  { key: 20, name: 'DeleteTopics', kafka39: [0,6], kafka4: [1,6], flexibleFrom: 4, listeners: ['broker', 'controller'] },
  { key: 21, name: 'DeleteRecords', kafka39: [0,2], kafka4: [0,2], flexibleFrom: 2, listeners: ['broker'] },
  { key: 22, name: 'InitProducerId', kafka39: [0,5], kafka4: [0,5], flexibleFrom: 2, listeners: ['broker'] },
  { key: 23, name: 'OffsetForLeaderEpoch', kafka39: [0,4], kafka4: [2,4], flexibleFrom: 4, listeners: ['broker'] },
  { key: 24, name: 'AddPartitionsToTxn', kafka39: [0,5], kafka4: [0,5], flexibleFrom: 3, listeners: ['broker'] },
  { key: 25, name: 'AddOffsetsToTxn', kafka39: [0,4], kafka4: [0,4], flexibleFrom: 3, listeners: ['broker'] },
  { key: 26, name: 'EndTxn', kafka39: [0,4], kafka4: [0,5], flexibleFrom: 3, listeners: ['broker'] },
  { key: 27, name: 'WriteTxnMarkers', kafka39: [0,1], kafka4: [1,2], flexibleFrom: 1, listeners: ['broker'] },
  { key: 28, name: 'TxnOffsetCommit', kafka39: [0,4], kafka4: [0,5], flexibleFrom: 3, listeners: ['broker'] },
  { key: 29, name: 'DescribeAcls', kafka39: [0,3], kafka4: [1,3], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 30, name: 'CreateAcls', kafka39: [0,3], kafka4: [1,3], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 31, name: 'DeleteAcls', kafka39: [0,3], kafka4: [1,3], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 32, name: 'DescribeConfigs', kafka39: [0,4], kafka4: [1,4], flexibleFrom: 4, listeners: ['broker', 'controller'] },
  { key: 33, name: 'AlterConfigs', kafka39: [0,2], kafka4: [0,2], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 34, name: 'AlterReplicaLogDirs', kafka39: [0,2], kafka4: [1,2], flexibleFrom: 2, listeners: ['broker'] },
  { key: 35, name: 'DescribeLogDirs', kafka39: [0,4], kafka4: [1,5], flexibleFrom: 2, listeners: ['broker'] },
  { key: 36, name: 'SaslAuthenticate', kafka39: [0,2], kafka4: [0,2], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 37, name: 'CreatePartitions', kafka39: [0,3], kafka4: [0,3], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 38, name: 'CreateDelegationToken', kafka39: [0,3], kafka4: [1,3], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 39, name: 'RenewDelegationToken', kafka39: [0,2], kafka4: [1,2], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 40, name: 'ExpireDelegationToken', kafka39: [0,2], kafka4: [1,2], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 41, name: 'DescribeDelegationToken', kafka39: [0,3], kafka4: [1,3], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 42, name: 'DeleteGroups', kafka39: [0,2], kafka4: [0,2], flexibleFrom: 2, listeners: ['broker'] },
  { key: 43, name: 'ElectLeaders', kafka39: [0,2], kafka4: [0,2], flexibleFrom: 2, listeners: ['broker', 'controller'] },
  { key: 44, name: 'IncrementalAlterConfigs', kafka39: [0,1], kafka4: [0,1], flexibleFrom: 1, listeners: ['broker', 'controller'] },
  { key: 45, name: 'AlterPartitionReassignments', kafka39: [0,0], kafka4: [0,1], flexibleFrom: 0, listeners: ['broker', 'controller'] },
  { key: 46, name: 'ListPartitionReassignments', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['broker', 'controller'] },
  { key: 47, name: 'OffsetDelete', kafka39: [0,0], kafka4: [0,0], flexibleFrom: null, listeners: ['broker'] },
  { key: 48, name: 'DescribeClientQuotas', kafka39: [0,1], kafka4: [0,1], flexibleFrom: 1, listeners: ['broker'] },
  { key: 49, name: 'AlterClientQuotas', kafka39: [0,1], kafka4: [0,1], flexibleFrom: 1, listeners: ['broker', 'controller'] },
  { key: 50, name: 'DescribeUserScramCredentials', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['broker', 'controller'] },
  { key: 51, name: 'AlterUserScramCredentials', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['broker', 'controller'] },
  { key: 52, name: 'Vote', kafka39: [0,1], kafka4: [0,2], flexibleFrom: 0, listeners: ['controller'] },
  { key: 53, name: 'BeginQuorumEpoch', kafka39: [0,1], kafka4: [0,1], flexibleFrom: 1, listeners: ['controller'] },
  { key: 54, name: 'EndQuorumEpoch', kafka39: [0,1], kafka4: [0,1], flexibleFrom: 1, listeners: ['controller'] },
  { key: 55, name: 'DescribeQuorum', kafka39: [0,2], kafka4: [0,2], flexibleFrom: 0, listeners: ['broker', 'controller'] },
  { key: 56, name: 'AlterPartition', kafka39: [0,3], kafka4: [2,3], flexibleFrom: 0, listeners: ['controller'] },
  { key: 57, name: 'UpdateFeatures', kafka39: [0,1], kafka4: [0,2], flexibleFrom: 0, listeners: ['broker', 'controller'] },
  { key: 58, name: 'Envelope', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['controller'] },
  { key: 59, name: 'FetchSnapshot', kafka39: [0,1], kafka4: [0,1], flexibleFrom: 0, listeners: ['controller'] },
  { key: 60, name: 'DescribeCluster', kafka39: [0,1], kafka4: [0,2], flexibleFrom: 0, listeners: ['broker', 'controller'] },
  { key: 61, name: 'DescribeProducers', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 62, name: 'BrokerRegistration', kafka39: [0,4], kafka4: [0,4], flexibleFrom: 0, listeners: ['controller'] },
  { key: 63, name: 'BrokerHeartbeat', kafka39: [0,1], kafka4: [0,2], flexibleFrom: 0, listeners: ['controller'] },
  { key: 64, name: 'UnregisterBroker', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['broker', 'controller'] },
  { key: 65, name: 'DescribeTransactions', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 66, name: 'ListTransactions', kafka39: [0,1], kafka4: [0,2], flexibleFrom: 0, listeners: ['broker'] },
  { key: 67, name: 'AllocateProducerIds', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['controller'] },
  { key: 68, name: 'ConsumerGroupHeartbeat', kafka39: [0,0], kafka4: [0,1], flexibleFrom: 0, listeners: ['broker'] },
  { key: 69, name: 'ConsumerGroupDescribe', kafka39: [0,0], kafka4: [0,1], flexibleFrom: 0, listeners: ['broker'] },
  { key: 70, name: 'ControllerRegistration', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['controller'] },
  { key: 71, name: 'GetTelemetrySubscriptions', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 72, name: 'PushTelemetry', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 73, name: 'AssignReplicasToDirs', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['controller'] },
  { key: 74, name: 'ListConfigResources', kafka39: [0,0], kafka4: [0,1], flexibleFrom: 0, listeners: ['broker'] },
  { key: 75, name: 'DescribeTopicPartitions', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 76, name: 'ShareGroupHeartbeat', kafka39: null, kafka4: [1,1], flexibleFrom: 0, listeners: ['broker'] },
  { key: 77, name: 'ShareGroupDescribe', kafka39: null, kafka4: [1,1], flexibleFrom: 0, listeners: ['broker'] },
  { key: 78, name: 'ShareFetch', kafka39: null, kafka4: [1,2], flexibleFrom: 0, listeners: ['broker'] },
  { key: 79, name: 'ShareAcknowledge', kafka39: null, kafka4: [1,2], flexibleFrom: 0, listeners: ['broker'] },
  { key: 80, name: 'AddRaftVoter', kafka39: [0,0], kafka4: [0,1], flexibleFrom: 0, listeners: ['broker', 'controller'] },
  { key: 81, name: 'RemoveRaftVoter', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['broker', 'controller'] },
  { key: 82, name: 'UpdateRaftVoter', kafka39: [0,0], kafka4: [0,0], flexibleFrom: 0, listeners: ['controller'] },
  { key: 83, name: 'InitializeShareGroupState', kafka39: null, kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 84, name: 'ReadShareGroupState', kafka39: null, kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 85, name: 'WriteShareGroupState', kafka39: null, kafka4: [0,1], flexibleFrom: 0, listeners: ['broker'] },
  { key: 86, name: 'DeleteShareGroupState', kafka39: null, kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 87, name: 'ReadShareGroupStateSummary', kafka39: null, kafka4: [0,1], flexibleFrom: 0, listeners: ['broker'] },
  { key: 88, name: 'StreamsGroupHeartbeat', kafka39: null, kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 89, name: 'StreamsGroupDescribe', kafka39: null, kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 90, name: 'DescribeShareGroupOffsets', kafka39: null, kafka4: [0,1], flexibleFrom: 0, listeners: ['broker'] },
  { key: 91, name: 'AlterShareGroupOffsets', kafka39: null, kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
  { key: 92, name: 'DeleteShareGroupOffsets', kafka39: null, kafka4: [0,0], flexibleFrom: 0, listeners: ['broker'] },
];

/** raftka's target for a served API: from Kafka 3.9's oldest version to Kafka 4.x's newest stable one. */
export function targetRange(r: KafkaApiRange): VersionSpan | null {
  const spans = [r.kafka39, r.kafka4].filter((s): s is VersionSpan => s !== null);
  if (spans.length === 0) return null;
  return [Math.min(...spans.map((s) => s[0])), Math.max(...spans.map((s) => s[1]))];
}

export function kafkaApiRange(key: number): KafkaApiRange | undefined {
  return kafkaApiRanges.find((r) => r.key === key);
}
