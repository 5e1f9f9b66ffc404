// `migrate verify` as a library call (issue 7): read the ZooKeeper input, replay the records
// apply writes (with --force's choices) into an empty image, fetch the active controller's
// committed image (DescribeMetadataImage) and compare them with diffMigratedImage. Read-only.
// Throws MigrationInputError (unreadable input) and ControllerUnavailableError.
import type { Endpoint } from '../../src/common/node-config.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { plaintextRpc, type RpcClientSecurity } from '../../src/rpc/rpc-security.js';
import { diffMigratedImage } from './image-diff.js';
import type { Problem } from './problems.js';
import { rehearse, type ZkInput } from './rehearse.js';
import { fetchLiveImage } from './target.js';

const VerifyExit = { equal: 0, different: 1, unreadable: 2 } as const;

interface VerifyResult {
  readonly equal: boolean;
  readonly exitCode: 0 | 1;
  readonly differences: readonly string[];
  readonly changedSinceMigration: readonly string[];
  readonly blockingProblems: readonly Problem[];
  /** What apply --force skipped; the comparison expects exactly that. */
  readonly forced: readonly string[];
  /** The live image's metadata offset. */
  readonly metadataOffset: number;
  readonly topics: number;
  readonly partitions: number;
}

/** `security`: how the controller listener is reached (plaintext, or mutual TLS when it is SSL). */
export async function verifyMigration(
  input: ZkInput,
  controllers: readonly Endpoint[],
  security: RpcClientSecurity = plaintextRpc,
): Promise<VerifyResult> {
  const { plan, report } = await rehearse(input);
  const expected = new MetadataLoader().replayAll(plan.records);
  const live = await fetchLiveImage(controllers, security);
  const diff = diffMigratedImage(expected, live.image);
  const equal = diff.differences.length === 0;
  return {
    equal,
    exitCode: equal ? VerifyExit.equal : VerifyExit.different,
    differences: diff.differences,
    changedSinceMigration: diff.changedSinceMigration,
    blockingProblems: plan.blockingProblems,
    forced: plan.forced,
    metadataOffset: live.metadataOffset,
    topics: report.counts.topics,
    partitions: report.counts.partitions,
  };
}

/** What `migrate verify` prints. */
export function formatVerifyResult(r: VerifyResult): string {
  const lines: string[] = [];
  if (r.equal)
    lines.push(
      `KRaft metadata (offset ${r.metadataOffset}) matches the ZooKeeper state: ${r.topics} topics, ${r.partitions} partitions, configs, ACLs, SCRAM credentials, quotas, producer ids.`,
    );
  else {
    lines.push(
      `KRaft metadata (offset ${r.metadataOffset}) differs from the ZooKeeper state in ${r.differences.length} places (- only in ZooKeeper, + only in KRaft, ~ different):`,
    );
    for (const d of r.differences) lines.push(`  ${d}`);
  }
  if (r.changedSinceMigration.length > 0) {
    lines.push(
      `${r.changedSinceMigration.length} partitions changed in KRaft since the migration (leader/ISR moves; not differences):`,
    );
    for (const c of r.changedSinceMigration.slice(0, 20)) lines.push(`  ${c}`);
    if (r.changedSinceMigration.length > 20) lines.push(`  ... and ${r.changedSinceMigration.length - 20} more`);
  }
  if (r.blockingProblems.length > 0)
    lines.push(
      `note: the input has ${r.blockingProblems.length} blocking problems; compared with what apply --force writes (${r.forced.length} entities skipped or replaced).`,
    );
  return lines.join('\n');
}
