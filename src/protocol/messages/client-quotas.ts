// DescribeClientQuotas (key 48) and AlterClientQuotas (key 49), KIP-546. Kafka 3.9 and 4.x define
// versions 0-1, flexible from 1; raftka serves both. Served by the broker (src/broker/quota/
// quota-apis.ts), which forwards them to the active controller; sent by raftka's own client
// (src/client/client-quotas.ts) for `raftka configs --bootstrap-server`.
//
// DescribeClientQuotas request:  Components [EntityType, MatchType int8 (0 exact, 1 default,
//                                  2 any specified), Match nullable], Strict bool
// DescribeClientQuotas response: ThrottleTimeMs, ErrorCode, ErrorMessage nullable,
//                                  Entries nullable [Entity [EntityType, EntityName nullable],
//                                  Values [Key, Value float64]]
// AlterClientQuotas request:     Entries [Entity [EntityType, EntityName nullable (null: the
//                                  default entity)], Ops [Key, Value float64, Remove bool]],
//                                  ValidateOnly bool
// AlterClientQuotas response:    ThrottleTimeMs, Entries [ErrorCode, ErrorMessage nullable,
//                                  Entity [EntityType, EntityName nullable]]
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

const entity = array(
  struct([field('entityType', 'string', '0+'), field('entityName', 'string', '0+', { nullable: '0+' })]),
);

const describeClientQuotasRequestSchema = message('DescribeClientQuotasRequest', '1+', [
  field(
    'components',
    array(
      struct([
        field('entityType', 'string', '0+'),
        field('matchType', 'int8', '0+'),
        field('match', 'string', '0+', { nullable: '0+' }),
      ]),
    ),
    '0+',
  ),
  field('strict', 'bool', '0+'),
]);

const describeClientQuotasResponseSchema = message('DescribeClientQuotasResponse', '1+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '0+', { nullable: '0+' }),
  field(
    'entries',
    array(
      struct([
        field('entity', entity, '0+'),
        field('values', array(struct([field('key', 'string', '0+'), field('value', 'float64', '0+')])), '0+'),
      ]),
    ),
    '0+',
    { nullable: '0+' },
  ),
]);

const alterClientQuotasRequestSchema = message('AlterClientQuotasRequest', '1+', [
  field(
    'entries',
    array(
      struct([
        field('entity', entity, '0+'),
        field(
          'ops',
          array(struct([field('key', 'string', '0+'), field('value', 'float64', '0+'), field('remove', 'bool', '0+')])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
  field('validateOnly', 'bool', '0+'),
]);

const alterClientQuotasResponseSchema = message('AlterClientQuotasResponse', '1+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field(
    'entries',
    array(
      struct([
        field('errorCode', 'int16', '0+'),
        field('errorMessage', 'string', '0+', { nullable: '0+' }),
        field('entity', entity, '0+'),
      ]),
    ),
    '0+',
  ),
]);

export interface DescribeClientQuotasRequest extends MessageValue<typeof describeClientQuotasRequestSchema> {}
export type DescribeClientQuotasRequestInput = MessageInput<typeof describeClientQuotasRequestSchema>;
export interface DescribeClientQuotasResponse extends MessageValue<typeof describeClientQuotasResponseSchema> {}
export type DescribeClientQuotasResponseInput = MessageInput<typeof describeClientQuotasResponseSchema>;
export interface AlterClientQuotasRequest extends MessageValue<typeof alterClientQuotasRequestSchema> {}
export type AlterClientQuotasRequestInput = MessageInput<typeof alterClientQuotasRequestSchema>;
export interface AlterClientQuotasResponse extends MessageValue<typeof alterClientQuotasResponseSchema> {}
export type AlterClientQuotasResponseInput = MessageInput<typeof alterClientQuotasResponseSchema>;

export const describeClientQuotasApi = defineApi({
  key: 48,
  name: 'DescribeClientQuotas',
  minVersion: 0,
  maxVersion: 1,
  request: describeClientQuotasRequestSchema,
  response: describeClientQuotasResponseSchema,
});

export const alterClientQuotasApi = defineApi({
  key: 49,
  name: 'AlterClientQuotas',
  minVersion: 0,
  maxVersion: 1,
  request: alterClientQuotasRequestSchema,
  response: alterClientQuotasResponseSchema,
});
