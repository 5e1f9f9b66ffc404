// The RaftCore settings of the simulation and the scenario harness: the same shape of timeouts
// as a real cluster, scaled so a few hundred simulated milliseconds see several elections.
import type { RaftCoreConfig } from '../raft/core/raft-core.js';
import type { NodeId } from '../raft/core/types.js';

export const testClusterId = 'test-cluster';

export function testCoreConfig(
  nodeId: NodeId,
  voters: readonly NodeId[],
  overrides: Partial<RaftCoreConfig> = {},
): RaftCoreConfig {
  return {
    nodeId,
    clusterId: testClusterId,
    voters,
    electionTimeoutMs: 100,
    fetchTimeoutMs: 200,
    electionBackoffMaxMs: 100,
    requestTimeoutMs: 200,
    retryBackoffMs: 10,
    maxIdleIntervalMs: 50,
    fetchMaxBytes: 2048,
    // Tiny chunks, so snapshot downloads take several FetchSnapshot round trips.
    snapshotChunkBytes: 8,
    ...overrides,
  };
}
