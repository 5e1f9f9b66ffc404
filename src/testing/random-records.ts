// Random but valid metadata record sequences for property tests: each op (a tuple of small
// numbers from the test framework) is read against a shadow image of what is visible so far
// (records of an open transaction included; an abort rolls the shadow back), so the records
// only ever reference brokers, topics and partitions that exist.
import { MetadataDelta } from '../metadata/delta.js';
import { emptyImage, type MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';

export type Op = readonly [kind: number, a: number, b: number];

function uuid(n: number, salt: number): string {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(n >>> 0, 0);
  b.writeUInt32BE(salt >>> 0, 12);
  return b.toString('base64url');
}

function pick<T>(items: readonly T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length];
}

/** What every op sees: the records so far and the shadow image they make. */
interface Generation {
  readonly out: MetadataRecord[];
  shadow: MetadataImage;
  beforeTxn: MetadataImage | null;
  counter: number;
  readonly brokers: readonly BrokerView[];
  readonly topics: readonly TopicView[];
  emit(r: MetadataRecord): void;
}

type BrokerView = MetadataImage['brokers'] extends ReadonlyMap<number, infer B> ? B : never;
type TopicView = MetadataImage['topicsById'] extends ReadonlyMap<string, infer T> ? T : never;
type OpGenerator = (g: Generation, a: number, b: number) => void;

const registerBroker: OpGenerator = (g, a, b) => {
  const id = a % 6;
  const epoch = (g.shadow.brokers.get(id)?.epoch ?? 0) + 1 + (b % 3);
  g.emit({
    type: 'registerBroker',
    brokerId: id,
    incarnationId: uuid(id, g.counter),
    brokerEpoch: epoch,
    endpoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 + 100 * id, securityProtocol: 'PLAINTEXT' }],
    rack: b % 2 ? `rack-${b % 3}` : null,
    fenced: b % 2 === 0,
    inControlledShutdown: false,
  });
};

const fenceOrUnfence: OpGenerator = (g, a, b) => {
  const br = pick(g.brokers, a);
  if (br) g.emit({ type: b % 2 ? 'fenceBroker' : 'unfenceBroker', brokerId: br.id, brokerEpoch: br.epoch });
};

const brokerRegistrationChange: OpGenerator = (g, a, b) => {
  const br = pick(g.brokers, a);
  if (br)
    g.emit({
      type: 'brokerRegistrationChange',
      brokerId: br.id,
      brokerEpoch: br.epoch,
      fenced: b % 3 === 0 ? null : b % 3 === 1,
      inControlledShutdown: b % 2 ? true : null,
    });
};

const unregisterBroker: OpGenerator = (g, a, _b) => {
  const br = pick(g.brokers, a);
  if (br) g.emit({ type: 'unregisterBroker', brokerId: br.id, brokerEpoch: br.epoch });
};

const createTopic: OpGenerator = (g, a, b) => {
  const name = `topic-${a % 20}`;
  if (g.shadow.topicsByName.has(name)) return;
  const topicId = uuid(a, g.counter);
  g.emit({ type: 'topic', name, topicId });
  for (let p = 0; p < 1 + (b % 4); p++) {
    const replicas = [p % 6, (p + 1) % 6, (p + 2) % 6];
    g.emit({
      type: 'partition',
      topicId,
      partitionId: p,
      replicas,
      isr: replicas.slice(0, 1 + (b % 3)),
      removingReplicas: [],
      addingReplicas: [],
      leader: replicas[0]!,
      leaderEpoch: 0,
      partitionEpoch: 0,
    });
  }
};

const partitionChange: OpGenerator = (g, a, b) => {
  const t = pick(g.topics, a);
  const p = t ? pick([...t.partitions.keys()], b) : undefined;
  if (t && p !== undefined) {
    g.emit({
      type: 'partitionChange',
      topicId: t.id,
      partitionId: p,
      isr: b % 2 ? [b % 6] : null,
      leader: b % 3 === 0 ? -1 : b % 3 === 1 ? b % 6 : null,
      replicas: null,
      removingReplicas: b % 5 === 0 ? [b % 6] : null,
      addingReplicas: null,
    });
  }
};

const removeTopic: OpGenerator = (g, a, _b) => {
  const t = pick(g.topics, a);
  if (t) g.emit({ type: 'removeTopic', topicId: t.id });
};

const config: OpGenerator = (g, a, b) => {
  const t = pick(g.topics, a);
  const [resourceType, resourceName] = b % 3 === 0 && t ? [2, t.name] : b % 3 === 1 ? [4, String(a % 6)] : [4, ''];
  g.emit({ type: 'config', resourceType, resourceName, name: `key.${b % 4}`, value: a % 4 === 0 ? null : `v${a}` });
};

const producerIds: OpGenerator = (g, a, b) => {
  const next = (g.shadow.producerIds?.nextProducerId ?? 0) + 1000 * (1 + (b % 2));
  g.emit({ type: 'producerIds', brokerId: a % 6, brokerEpoch: b, nextProducerId: next });
};

const featureLevel: OpGenerator = (g, a, b) => {
  g.emit({ type: 'featureLevel', name: `feature.${a % 3}`, featureLevel: b % 4 });
};

const aclEntry: OpGenerator = (g, a, b) => {
  const acl = pick([...g.shadow.acls.values()], a);
  if (acl && b % 2) g.emit({ type: 'removeAccessControlEntry', id: acl.id });
  else
    g.emit({
      type: 'accessControlEntry',
      id: uuid(a, g.counter + 7),
      resourceType: 2,
      resourceName: `topic-${a % 20}`,
      patternType: 3,
      principal: `User:u${b % 4}`,
      host: '*',
      operation: 2 + (b % 10),
      permissionType: 3,
    });
};

const scram: OpGenerator = (g, a, b) => {
  if (b % 2) g.emit({ type: 'removeUserScramCredential', name: `u${a % 4}`, mechanism: 1 + (b % 2) });
  else
    g.emit({
      type: 'userScramCredential',
      name: `u${a % 4}`,
      mechanism: 1 + (a % 2),
      salt: Uint8Array.from([a & 255, b & 255]),
      storedKey: Uint8Array.from([b & 255]),
      serverKey: Uint8Array.from([a & 255]),
      iterations: 4096 + b,
    });
};

const clientQuota: OpGenerator = (g, a, b) => {
  g.emit({
    type: 'clientQuota',
    entity:
      b % 2
        ? [
            { entityType: 'user', entityName: `u${a % 3}` },
            { entityType: 'client-id', entityName: null },
          ]
        : [{ entityType: 'client-id', entityName: `c${a % 3}` }],
    key: `rate.${b % 3}`,
    value: a + b / 8,
    remove: a % 5 === 0,
  });
};

const zkMigrationState: OpGenerator = (g, a, _b) => {
  g.emit({ type: 'zkMigrationState', zkMigrationState: a % 4 });
};

const noOp: OpGenerator = (g, _a, _b) => {
  g.emit({ type: 'noOp' });
};

/** Ops 0..14 by kind; kind 15 opens, ends or aborts a metadata transaction. */
const opGenerators: readonly OpGenerator[] = [
  registerBroker,
  fenceOrUnfence,
  brokerRegistrationChange,
  unregisterBroker,
  createTopic,
  partitionChange,
  removeTopic,
  config,
  producerIds,
  featureLevel,
  aclEntry,
  scram,
  clientQuota,
  zkMigrationState,
  noOp,
];

function transactionOp(g: Generation, b: number): void {
  if (g.beforeTxn === null) {
    g.out.push({ type: 'beginTransaction', name: `txn-${g.counter}` });
    g.beforeTxn = g.shadow;
  } else if (b % 2) {
    g.out.push({ type: 'endTransaction' });
    g.beforeTxn = null;
  } else {
    g.out.push({ type: 'abortTransaction', reason: 'test' });
    g.shadow = g.beforeTxn;
    g.beforeTxn = null;
  }
}

export function generateRecords(ops: readonly Op[]): MetadataRecord[] {
  const state = {
    out: [] as MetadataRecord[],
    shadow: emptyImage as MetadataImage,
    beforeTxn: null as MetadataImage | null,
    counter: 0,
  };
  const emit = (r: MetadataRecord): void => {
    state.out.push(r);
    const d = new MetadataDelta(state.shadow);
    d.replay(r);
    state.shadow = d.apply();
  };
  for (const [kind, a, b] of ops) {
    state.counter++;
    const g: Generation = Object.assign(state, {
      brokers: [...state.shadow.brokers.values()],
      topics: [...state.shadow.topicsById.values()],
      emit,
    });
    const generator = opGenerators[kind % 16];
    if (generator) generator(g, a, b);
    else transactionOp(g, b);
  }
  return state.out;
}
