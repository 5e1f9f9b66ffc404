// Golden bytes for DescribeClientQuotas (48) and AlterClientQuotas (49), v0 and v1 (flexible),
// derived by hand from the public field grammar. Strings: 75736572 "user", 75 "u", 6b "k",
// 636c69656e742d6964 "client-id", 63 "c". float64 1000 = 408f400000000000, 1.5 = 3ff8000000000000.
import { test } from 'node:test';
import { alterClientQuotasApi, describeClientQuotasApi } from '../../src/protocol/messages/client-quotas.js';
import { golden } from './golden.js';

test('DescribeClientQuotas v0 and v1 requests, v1 response', () => {
  golden(
    describeClientQuotasApi,
    'request',
    0,
    { components: [{ entityType: 'user', matchType: 0, match: 'u' }], strict: true },
    [
      '00000001', // components: 1
      '0004 75736572 00 0001 75', // "user", exact, "u"
      '01', // strict
    ],
  );
  golden(
    describeClientQuotasApi,
    'request',
    1,
    { components: [{ entityType: 'user', matchType: 1, match: null }], strict: false },
    [
      '02', // compact array of 1
      '05 75736572 01 00 00', // "user", default, match null, tagged fields
      '00 00', // strict false, tagged fields
    ],
  );
  golden(
    describeClientQuotasApi,
    'response',
    1,
    {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      entries: [{ entity: [{ entityType: 'user', entityName: null }], values: [{ key: 'k', value: 1000 }] }],
    },
    [
      '00000000 0000 00', // throttle, error code, error message null
      '02 02 05 75736572 00 00', // entries: 1; entity: 1 ("user", default)
      '02 02 6b 408f400000000000 00', // values: 1 (k = 1000)
      '00 00', // entry and message tagged fields
    ],
  );
  golden(
    describeClientQuotasApi,
    'response',
    0,
    { throttleTimeMs: 5, errorCode: 42, errorMessage: 'x', entries: null },
    [
      '00000005 002a 0001 78', // throttle 5, INVALID_REQUEST, "x"
      'ffffffff', // entries null
    ],
  );
});

test('AlterClientQuotas v0 request, v1 response', () => {
  golden(
    alterClientQuotasApi,
    'request',
    0,
    {
      entries: [
        {
          entity: [{ entityType: 'client-id', entityName: 'c' }],
          ops: [{ key: 'k', value: 1.5, remove: false }],
        },
      ],
      validateOnly: true,
    },
    [
      '00000001 00000001', // entries: 1; entity: 1
      '0009 636c69656e742d6964 0001 63', // "client-id", "c"
      '00000001 0001 6b 3ff8000000000000 00', // ops: 1 (k = 1.5, set)
      '01', // validateOnly
    ],
  );
  golden(
    alterClientQuotasApi,
    'response',
    1,
    {
      throttleTimeMs: 0,
      entries: [{ errorCode: 0, errorMessage: null, entity: [{ entityType: 'user', entityName: null }] }],
    },
    [
      '00000000 02', // throttle, entries: 1
      '0000 00', // error code, message null
      '02 05 75736572 00 00', // entity: 1 ("user", default)
      '00 00', // entry and message tagged fields
    ],
  );
});
