// ApiVersions (key 18). Kafka: versions 0-4, flexible 3+; raftka serves 0-4. v4 has v3's
// fields; it only lets SupportedFeatures list a feature whose MinVersion is 0, which answers below
// v4 leave out (KAFKA-17011/17492: older clients fail to parse it; apis.ts apiVersionsResponse).
// The response header is ALWAYS v0 (see header.ts); an unsupported request version is answered
// with error 35 in a v0-shaped body (apis.ts: unsupportedApiVersionsResponse).
//
// Request:  v3+ ClientSoftwareName compact string, ClientSoftwareVersion compact string.
// Response: ErrorCode int16, ApiKeys [ApiKey int16, MinVersion int16, MaxVersion int16],
//           v1+ ThrottleTimeMs int32;
//           v3+ tagged: 0 SupportedFeatures [Name, MinVersion int16, MaxVersion int16],
//           1 FinalizedFeaturesEpoch int64 (default -1), 2 FinalizedFeatures [Name, MaxVersionLevel,
//           MinVersionLevel], 3 ZkMigrationReady bool.
import { array, field, message, struct, type MessageInput } from '../schema/dsl.js';
import { defineApi } from './define.js';

const apiVersionsRequestSchema = message('ApiVersionsRequest', '3+', [
  field('clientSoftwareName', 'string', '3+'),
  field('clientSoftwareVersion', 'string', '3+'),
]);

const apiVersionsResponseSchema = message('ApiVersionsResponse', '3+', [
  field('errorCode', 'int16', '0+'),
  field(
    'apiKeys',
    array(
      struct([field('apiKey', 'int16', '0+'), field('minVersion', 'int16', '0+'), field('maxVersion', 'int16', '0+')]),
    ),
    '0+',
  ),
  field('throttleTimeMs', 'int32', '1+', { default: 0 }),
  field(
    'supportedFeatures',
    array(
      struct([field('name', 'string', '3+'), field('minVersion', 'int16', '3+'), field('maxVersion', 'int16', '3+')]),
    ),
    '3+',
    { tag: 0 },
  ),
  field('finalizedFeaturesEpoch', 'int64', '3+', { tag: 1, default: -1 }),
  field(
    'finalizedFeatures',
    array(
      struct([
        field('name', 'string', '3+'),
        field('maxVersionLevel', 'int16', '3+'),
        field('minVersionLevel', 'int16', '3+'),
      ]),
    ),
    '3+',
    { tag: 2 },
  ),
  field('zkMigrationReady', 'bool', '3+', { tag: 3, default: false }),
]);

export type ApiVersionsResponseInput = MessageInput<typeof apiVersionsResponseSchema>;

export const apiVersionsApi = defineApi({
  key: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 4,
  request: apiVersionsRequestSchema,
  response: apiVersionsResponseSchema,
});
export const {
  decodeRequest: decodeApiVersionsRequest,
  encodeRequest: encodeApiVersionsRequest,
  decodeResponse: decodeApiVersionsResponse,
  encodeResponse: encodeApiVersionsResponse,
} = apiVersionsApi;
