// UpdateFeatures (key 57), KIP-584 / KIP-778. Kafka 3.9 and 4.x: versions 0-2, flexible 0+.
// v1 replaces AllowDowngrade with UpgradeType (1 upgrade, 2 safe downgrade, 3 unsafe downgrade) and
// adds ValidateOnly; v2 answers without per-feature results (the top-level error says it all).
//
// Request:  TimeoutMs int32 (60000), FeatureUpdates [Feature, MaxVersionLevel int16,
//           v0 AllowDowngrade bool, v1+ UpgradeType int8 (1)], v1+ ValidateOnly bool (false)
// Response: ThrottleTimeMs, ErrorCode, ErrorMessage nullable,
//           v0-1 Results [Feature, ErrorCode, ErrorMessage nullable]
// Who calls: src/broker/features-api.ts, src/client/features-admin.ts (`raftka features`).
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const requestSchema = message('UpdateFeaturesRequest', '0+', [
  field('timeoutMs', 'int32', '0+', { default: 60000 }),
  field(
    'featureUpdates',
    array(
      struct([
        field('feature', 'string', '0+'),
        field('maxVersionLevel', 'int16', '0+'),
        field('allowDowngrade', 'bool', '0', { default: false }),
        field('upgradeType', 'int8', '1+', { default: 1 }),
      ]),
    ),
    '0+',
  ),
  field('validateOnly', 'bool', '1+', { default: false }),
]);

const responseSchema = message('UpdateFeaturesResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
  field(
    'results',
    array(
      struct([
        field('feature', 'string', '0+'),
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
      ]),
    ),
    '0-1',
    { optional: true },
  ),
]);

export interface UpdateFeaturesRequest extends MessageValue<typeof requestSchema> {}
export type UpdateFeaturesResponseInput = MessageInput<typeof responseSchema>;

export const updateFeaturesApi = defineApi({
  key: 57,
  name: 'UpdateFeatures',
  minVersion: 0,
  maxVersion: 2,
  request: requestSchema,
  response: responseSchema,
});
