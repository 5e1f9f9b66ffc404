// DescribeUserScramCredentials (key 50) and AlterUserScramCredentials (key 51), KIP-554. Kafka 3.9
// and 4.x: version 0 only, flexible 0+. The client salts and hashes the password itself
// (SaltedPassword = Hi(password, salt, iterations)); the broker never sees a password.
//
// Describe request:  Users [Name] nullable (null or empty: every user)
// Describe response: ThrottleTimeMs, ErrorCode, ErrorMessage nullable,
//                    Results [User, ErrorCode, ErrorMessage nullable, CredentialInfos [Mechanism int8, Iterations int32]]
// Alter request:     Deletions [Name, Mechanism int8],
//                    Upsertions [Name, Mechanism int8, Iterations int32, Salt bytes, SaltedPassword bytes]
// Alter response:    ThrottleTimeMs, Results [User, ErrorCode, ErrorMessage nullable]
// Who calls: the broker's handlers (src/broker/scram-apis.ts) and raftka's client (src/client/scram-admin.ts).
import { array, field, message, struct, type MessageInput, type MessageValue } from '../schema/dsl.js';
import { defineApi } from './define.js';

/** A per-user result's first fields, in both responses. */
const userResultFields = [
  field('user', 'string', '0+'),
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
] as const;

const describeRequestSchema = message('DescribeUserScramCredentialsRequest', '0+', [
  field('users', array(struct([field('name', 'string', '0+')])), '0+', { nullable: '0+' }),
]);

const describeResponseSchema = message('DescribeUserScramCredentialsResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('errorCode', 'int16', '0+'),
  field('errorMessage', 'string', '0+', { nullable: '0+', default: null }),
  field(
    'results',
    array(
      struct([
        ...userResultFields,
        field(
          'credentialInfos',
          array(struct([field('mechanism', 'int8', '0+'), field('iterations', 'int32', '0+')])),
          '0+',
        ),
      ]),
    ),
    '0+',
  ),
]);

const alterRequestSchema = message('AlterUserScramCredentialsRequest', '0+', [
  field('deletions', array(struct([field('name', 'string', '0+'), field('mechanism', 'int8', '0+')])), '0+'),
  field(
    'upsertions',
    array(
      struct([
        field('name', 'string', '0+'),
        field('mechanism', 'int8', '0+'),
        field('iterations', 'int32', '0+'),
        field('salt', 'bytes', '0+'),
        field('saltedPassword', 'bytes', '0+'),
      ]),
    ),
    '0+',
  ),
]);

const alterResponseSchema = message('AlterUserScramCredentialsResponse', '0+', [
  field('throttleTimeMs', 'int32', '0+', { default: 0 }),
  field('results', array(struct(userResultFields)), '0+'),
]);

export interface DescribeUserScramCredentialsRequest extends MessageValue<typeof describeRequestSchema> {}
export type DescribeUserScramCredentialsResponseInput = MessageInput<typeof describeResponseSchema>;
export interface AlterUserScramCredentialsRequest extends MessageValue<typeof alterRequestSchema> {}
export type AlterUserScramCredentialsResponseInput = MessageInput<typeof alterResponseSchema>;

export const describeUserScramCredentialsApi = defineApi({
  key: 50,
  name: 'DescribeUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  request: describeRequestSchema,
  response: describeResponseSchema,
});

export const alterUserScramCredentialsApi = defineApi({
  key: 51,
  name: 'AlterUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  request: alterRequestSchema,
  response: alterResponseSchema,
});
