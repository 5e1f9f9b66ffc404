// Metadata records (proto/metadata.proto) as TypeScript values, and their protobuf codec.
// In TypeScript a record is one flat object tagged by `type` (the oneof field name); UUIDs are
// Kafka's 22-character base64url strings; optional fields are null when unset.
import protobuf from 'protobufjs';
import { repoPath } from '../common/paths.js';
import { uuidBytes, uuidFromBytes, uuidToBytes } from '../common/uuid.js';

export interface BrokerEndpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: string;
}

export interface QuotaEntity {
  readonly entityType: string;
  readonly entityName: string | null;
}

interface RecordBodies {
  registerBroker: {
    brokerId: number;
    incarnationId: string;
    brokerEpoch: number;
    endpoints: readonly BrokerEndpoint[];
    rack: string | null;
    fenced: boolean;
    inControlledShutdown: boolean;
  };
  registerController: { controllerId: number; incarnationId: string; endpoints: readonly BrokerEndpoint[] };
  unregisterBroker: { brokerId: number; brokerEpoch: number };
  fenceBroker: { brokerId: number; brokerEpoch: number };
  unfenceBroker: { brokerId: number; brokerEpoch: number };
  brokerRegistrationChange: {
    brokerId: number;
    brokerEpoch: number;
    fenced: boolean | null;
    inControlledShutdown: boolean | null;
  };
  topic: { name: string; topicId: string };
  partition: {
    topicId: string;
    partitionId: number;
    replicas: readonly number[];
    isr: readonly number[];
    removingReplicas: readonly number[];
    addingReplicas: readonly number[];
    leader: number;
    leaderEpoch: number;
    partitionEpoch: number;
  };
  partitionChange: {
    topicId: string;
    partitionId: number;
    isr: readonly number[] | null;
    leader: number | null;
    replicas: readonly number[] | null;
    removingReplicas: readonly number[] | null;
    addingReplicas: readonly number[] | null;
  };
  removeTopic: { topicId: string };
  config: { resourceType: number; resourceName: string; name: string; value: string | null };
  producerIds: { brokerId: number; brokerEpoch: number; nextProducerId: number };
  featureLevel: { name: string; featureLevel: number };
  accessControlEntry: {
    id: string;
    resourceType: number;
    resourceName: string;
    patternType: number;
    principal: string;
    host: string;
    operation: number;
    permissionType: number;
  };
  removeAccessControlEntry: { id: string };
  userScramCredential: {
    name: string;
    mechanism: number;
    salt: Uint8Array;
    storedKey: Uint8Array;
    serverKey: Uint8Array;
    iterations: number;
  };
  removeUserScramCredential: { name: string; mechanism: number };
  clientQuota: { entity: readonly QuotaEntity[]; key: string; value: number; remove: boolean };
  zkMigrationState: { zkMigrationState: number };
  noOp: object;
  beginTransaction: { name: string };
  endTransaction: object;
  abortTransaction: { reason: string };
}

export type RecordType = keyof RecordBodies;
export type RecordOf<K extends RecordType> = { readonly type: K } & Readonly<RecordBodies[K]>;
export type MetadataRecord = { [K in RecordType]: RecordOf<K> }[RecordType];

/** The newest record version this code writes and understands. */
const recordVersion = 0;

/** ConfigRecord resource types (Kafka's ConfigResource.Type). */
export const ConfigResourceType = { TOPIC: 2, BROKER: 4 } as const;

export class RecordDecodeError extends Error {
  override readonly name = 'RecordDecodeError';
}

let recordType: protobuf.Type | null = null;

function messageType(): protobuf.Type {
  if (!recordType)
    recordType = protobuf.loadSync(repoPath('proto', 'metadata.proto')).lookupType('raftka.metadata.MetadataRecord');
  return recordType;
}

const uuidFields = new Set(['topicId', 'incarnationId', 'id']);
const intListFields = new Set(['isr', 'replicas', 'removingReplicas', 'addingReplicas']);

/** A record's uuid field: exactly 16 bytes, or the record does not decode. */
function uuidOfField(b: Uint8Array): string {
  if (b.length !== uuidBytes) throw new RecordDecodeError(`a UUID needs 16 bytes, got ${b.length}`);
  return uuidFromBytes(b);
}

export function encodeRecord(record: MetadataRecord): Uint8Array {
  const { type, ...body } = record;
  const wire: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === null) continue; // unset optional
    if (uuidFields.has(k) && typeof v === 'string') wire[k] = uuidToBytes(v);
    else if (type === 'partitionChange' && intListFields.has(k)) wire[k] = { values: v };
    else if (k === 'entity')
      wire[k] = (v as QuotaEntity[]).map((e) => (e.entityName === null ? { entityType: e.entityType } : e));
    else wire[k] = v;
  }
  const t = messageType();
  return t.encode(t.fromObject({ version: recordVersion, [type]: wire })).finish();
}

export function decodeRecord(bytes: Uint8Array): MetadataRecord {
  const t = messageType();
  let obj: Record<string, unknown>;
  try {
    obj = t.toObject(t.decode(bytes), { longs: Number, defaults: true, oneofs: true, bytes: Buffer }) as Record<
      string,
      unknown
    >;
  } catch (err) {
    throw new RecordDecodeError(`undecodable metadata record: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (Number(obj['version']) > recordVersion)
    throw new RecordDecodeError(`metadata record version ${String(obj['version'])} is newer than ${recordVersion}`);
  const type = obj['record'] as RecordType | undefined;
  if (!type) throw new RecordDecodeError('metadata record without a body');
  const wire = (obj[type] ?? {}) as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(wire)) {
    if (k.startsWith('_')) continue; // synthetic oneof names of proto3 optionals
    if (uuidFields.has(k)) body[k] = uuidOfField(v as Uint8Array);
    else if (type === 'partitionChange' && intListFields.has(k)) body[k] = (v as { values?: number[] }).values ?? [];
    else if (k === 'entity')
      body[k] = (v as Record<string, unknown>[]).map((e) => ({
        entityType: String(e['entityType']),
        entityName: e['entityName'] === undefined ? null : String(e['entityName']),
      }));
    else if (v instanceof Uint8Array) body[k] = new Uint8Array(v);
    else body[k] = v;
  }
  return normalize({ type, ...body } as MetadataRecord);
}

/** Fill the fields protobuf leaves out (unset optionals → null, empty rack → null). */
function normalize(r: MetadataRecord): MetadataRecord {
  switch (r.type) {
    case 'registerBroker':
      return { ...r, rack: r.rack === '' || r.rack === undefined ? null : r.rack };
    case 'brokerRegistrationChange':
      return { ...r, fenced: r.fenced ?? null, inControlledShutdown: r.inControlledShutdown ?? null };
    case 'partitionChange':
      return {
        ...r,
        isr: r.isr ?? null,
        leader: r.leader ?? null,
        replicas: r.replicas ?? null,
        removingReplicas: r.removingReplicas ?? null,
        addingReplicas: r.addingReplicas ?? null,
      };
    case 'config':
      return { ...r, value: r.value ?? null };
    default:
      return r;
  }
}
