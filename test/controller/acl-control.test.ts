import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/common/errors.js';
import { MetadataLoader } from '../../src/metadata/loader.js';
import {
  createAcls,
  deleteAcls,
  describeAcls,
  type AclBinding,
  type AclFilter,
} from '../../src/controller/acl-control.js';
import { AclOperation, AclPatternType, AclPermission, AclResourceType } from '../../src/protocol/acl-types.js';

let n = 0;
const newId = () => {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(++n);
  return b.toString('base64url');
};

const read: AclBinding = {
  resourceType: AclResourceType.TOPIC,
  resourceName: 'orders',
  patternType: AclPatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: AclOperation.READ,
  permissionType: AclPermission.ALLOW,
};
const any: AclFilter = {
  resourceType: AclResourceType.ANY,
  resourceName: null,
  patternType: AclPatternType.ANY,
  principal: null,
  host: null,
  operation: AclOperation.ANY,
  permissionType: AclPermission.ANY,
};

test('CreateAcls validates bindings, is idempotent, and DescribeAcls/DeleteAcls match by filter', () => {
  const loader = new MetadataLoader();
  const write: AclBinding = { ...read, operation: AclOperation.WRITE, principal: 'User:bob' };
  const bad: AclBinding[] = [
    { ...read, resourceType: AclResourceType.ANY },
    { ...read, patternType: AclPatternType.MATCH },
    { ...read, operation: AclOperation.ANY },
    { ...read, permissionType: AclPermission.ANY },
    { ...read, principal: 'alice' },
    { ...read, resourceType: AclResourceType.CLUSTER, resourceName: 'other' },
    { ...read, host: '' },
  ];
  const created = createAcls(loader.image, [read, write, read, ...bad], newId);
  assert.deepEqual(
    created.response.map((r) => r.errorCode),
    [0, 0, 0, ...bad.map(() => ErrorCode.INVALID_REQUEST)],
  );
  assert.equal(created.records.length, 2, 'the repeated binding is written once');
  loader.replayAll(created.records);
  assert.equal(createAcls(loader.image, [read], newId).records.length, 0, 'an existing ACL writes nothing');
  assert.equal(describeAcls(loader.image, any).length, 2);
  assert.deepEqual(
    describeAcls(loader.image, { ...any, principal: 'User:bob' }).map((e) => e.operation),
    [AclOperation.WRITE],
  );
  const del = deleteAcls(loader.image, [
    { ...any, operation: AclOperation.READ },
    { ...any, resourceName: 'none' },
  ]);
  assert.deepEqual(
    del.response.map((r) => r.matched.length),
    [1, 0],
  );
  loader.replayAll(del.records);
  assert.deepEqual(
    describeAcls(loader.image, any).map((e) => e.principal),
    ['User:bob'],
  );
});
