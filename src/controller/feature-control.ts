// Finalized feature levels (KIP-584/KIP-778): the cluster's `metadata.version` and `group.version`,
// written once when the first controller becomes active on an empty log (Kafka writes them at
// format time as bootstrap metadata; here the first active controller does, so a freshly
// formatted quorum and an upgraded one look the same), and UpdateFeatures / DescribeFeatures. A
// cluster bootstrapped before group.version existed keeps it at 0 (the consumer group protocol
// off) until an operator upgrades it, as Kafka does.
//
// raftka's metadata.version levels are its own, not Apache Kafka's numbering: level 1 is the
// record format of proto/metadata.proto as it stands. A later level is added with the records
// that need it; until then the supported range is [1, 1] and upgrades beyond it are refused.
import { ErrorCode } from '../common/errors.js';
import type { MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import {
  FeatureUpgradeType,
  groupVersionFeature,
  metadataVersionFeature,
  supportedFeatures,
} from '../protocol/feature-types.js';
import type { Decision } from './cluster-control.js';

export { supportedFeatures };

export interface FeatureUpdate {
  readonly feature: string;
  readonly maxVersionLevel: number;
  readonly upgradeType: number;
}
export interface FeatureUpdateResult {
  readonly feature: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/** The records that bootstrap an empty cluster's features (nothing when already finalized). */
export function bootstrapFeatureRecords(image: MetadataImage): MetadataRecord[] {
  if (image.features.has(metadataVersionFeature)) return [];
  return [metadataVersionFeature, groupVersionFeature].map((name) => ({
    type: 'featureLevel' as const,
    name,
    featureLevel: supportedFeatures.get(name)!.max,
  }));
}

function updateProblem(image: MetadataImage, u: FeatureUpdate): string | null {
  const range = supportedFeatures.get(u.feature);
  if (!range) return `unknown feature ${u.feature} (supported: ${[...supportedFeatures.keys()].join(', ')})`;
  const current = image.features.get(u.feature) ?? 0;
  if (u.upgradeType < FeatureUpgradeType.UPGRADE || u.upgradeType > FeatureUpgradeType.UNSAFE_DOWNGRADE)
    return `unknown upgrade type ${u.upgradeType}`;
  if (u.maxVersionLevel > range.max)
    return `${u.feature} level ${u.maxVersionLevel} is above the highest this cluster supports (${range.max})`;
  if (u.maxVersionLevel < current) {
    if (u.upgradeType === FeatureUpgradeType.UPGRADE)
      return `${u.feature} would go down from ${current} to ${u.maxVersionLevel}; ask for a downgrade`;
    if (u.feature === metadataVersionFeature)
      return `${u.feature} cannot be downgraded (records written at level ${current} may not be readable below it)`;
  }
  if (u.maxVersionLevel < range.min && !(u.maxVersionLevel === 0 && u.feature !== metadataVersionFeature))
    return `${u.feature} level ${u.maxVersionLevel} is below the lowest this cluster supports (${range.min})`;
  return null;
}

/** All or nothing, as Kafka's UpdateFeatures: one invalid update fails every other one. */
export function updateFeatures(
  image: MetadataImage,
  updates: readonly FeatureUpdate[],
  validateOnly: boolean,
): Decision<readonly FeatureUpdateResult[]> {
  const names = updates.map((u) => u.feature);
  const problems = updates.map((u) =>
    names.indexOf(u.feature) !== names.lastIndexOf(u.feature)
      ? `${u.feature} is updated twice in one request`
      : updateProblem(image, u),
  );
  const failed = problems.some((p) => p !== null);
  const response = updates.map((u, i) => {
    const p = problems[i] ?? null;
    if (p !== null) return { feature: u.feature, errorCode: ErrorCode.INVALID_UPDATE_VERSION, errorMessage: p };
    if (failed)
      return {
        feature: u.feature,
        errorCode: ErrorCode.FEATURE_UPDATE_FAILED,
        errorMessage: 'another update in the request is invalid',
      };
    return { feature: u.feature, errorCode: ErrorCode.NONE, errorMessage: null };
  });
  if (failed || validateOnly) return { records: [], response };
  const records: MetadataRecord[] = updates
    .filter((u) => (image.features.get(u.feature) ?? 0) !== u.maxVersionLevel)
    .map((u) => ({ type: 'featureLevel', name: u.feature, featureLevel: u.maxVersionLevel }));
  return { records, response };
}

interface FeatureDescription {
  readonly name: string;
  readonly supportedMin: number;
  readonly supportedMax: number;
  readonly finalizedLevel: number;
}

export function describeFeatures(image: MetadataImage): readonly FeatureDescription[] {
  return [...supportedFeatures].map(([name, r]) => ({
    name,
    supportedMin: r.min,
    supportedMax: r.max,
    finalizedLevel: image.features.get(name) ?? 0,
  }));
}
