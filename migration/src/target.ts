// The running KRaft cluster a migration goes into, as `migrate rehearse --bootstrap-controller`
// and `migrate apply` check it (issue 17 item 2): its cluster id and controllers (DescribeQuorum),
// its registered brokers, finalized features and migration state (the active controller's
// committed image, DescribeMetadataImage, which `migrate verify` compares with too). Read-only.
// The checks themselves are pure: target-checks.ts. `security` is how the controller listener is
// reached: plaintext, or mutual TLS when it is SSL (the tools' --command-config).
import { ControllerClient } from '../../src/client/controller-client.js';
import { describeQuorum, type QuorumDescription } from '../../src/client/quorum-client.js';
import { ErrorCode, errorName } from '../../src/common/errors.js';
import type { Endpoint } from '../../src/common/node-config.js';
import type { MetadataImage } from '../../src/metadata/image.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import { splitRecordFrames } from '../../src/metadata/record-frames.js';
import { decodeRecord } from '../../src/metadata/records.js';
import { plaintextRpc, type RpcClientSecurity } from '../../src/rpc/rpc-security.js';
import type { TargetDescription } from './target-description.js';

const describeTimeoutMs = 60_000;

export class TargetUnavailableError extends Error {
  override readonly name = 'TargetUnavailableError';
}

/** The active controller's committed image and its offset. */
export async function fetchLiveImage(
  controllers: readonly Endpoint[],
  security: RpcClientSecurity = plaintextRpc,
): Promise<{ image: MetadataImage; metadataOffset: number }> {
  const client = new ControllerClient(controllers, security);
  try {
    const res = await client.describeMetadataImage({}, { timeoutMs: describeTimeoutMs, stopWhenRefused: true });
    const code = res.errorCode;
    if (code !== ErrorCode.NONE) throw new TargetUnavailableError(`DescribeMetadataImage failed: ${errorName(code)}`);
    const frames = splitRecordFrames(res.records, res.recordCount);
    const image = new MetadataLoader().replayAll(frames.map(decodeRecord));
    return { image, metadataOffset: res.metadataOffset };
  } finally {
    client.close();
  }
}

/** DescribeQuorum from the first controller that answers. */
async function quorumOf(controllers: readonly Endpoint[], security: RpcClientSecurity): Promise<QuorumDescription> {
  const failures: string[] = [];
  for (const c of controllers) {
    try {
      return await describeQuorum(c, security);
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    }
  }
  throw new TargetUnavailableError(`no controller described the quorum: ${failures.join('; ')}`);
}

export async function describeTarget(
  controllers: readonly Endpoint[],
  security: RpcClientSecurity = plaintextRpc,
): Promise<TargetDescription> {
  const quorum = await quorumOf(controllers, security);
  const { image } = await fetchLiveImage(controllers, security);
  return {
    clusterId: quorum.clusterId,
    controllerIds: [...quorum.currentVoters].sort((a, b) => a - b),
    brokers: [...image.brokers.values()].map((b) => ({ id: b.id, fenced: b.fenced })).sort((a, b) => a.id - b.id),
    features: Object.fromEntries([...image.features].sort(([a], [b]) => (a < b ? -1 : 1))),
    zkMigrationState: image.zkMigrationState,
  };
}
