// Deliberately broken Raft cores, for proving that the simulation catches real bugs. Never used
// outside tests and `npm run simulate -- --bug NAME`.
import { RaftCore } from '../raft/core/raft-core.js';
import type { NodeId, VoteResponse } from '../raft/core/types.js';

/** Counts every granted vote twice: a candidate "wins" with too few real votes. */
export class DoubleVoteCountingCore extends RaftCore {
  protected override handleVoteResponse(from: NodeId, resp: VoteResponse): void {
    if (resp.voteGranted) this.grantedVotes.add(-1000 - from); // a phantom second vote
    super.handleVoteResponse(from, resp);
  }
}

export const brokenCores = {
  'double-vote': DoubleVoteCountingCore,
} as const;

export type BrokenCoreName = keyof typeof brokenCores;
