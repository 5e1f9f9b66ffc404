// IncrementalAlterConfigs for topics, brokers and the cluster default (a broker resource with
// an empty name), and AllocateProducerIds in blocks of 1000. Pure: records + answers.
import { appendAll } from '../common/arrays.js';
import { ErrorCode } from '../common/errors.js';
import { appliedDynamicBrokerConfigs, knownConfigKeys } from '../common/config.js';
import { configResourceKey, type MetadataImage } from '../metadata/image.js';
import { ConfigResourceType, type MetadataRecord } from '../metadata/records.js';
import { AlterConfigOp } from '../protocol/config-types.js';
import { validateTopicConfigs } from '../common/topic-configs.js';
import { isKnownBrokerConfig } from '../protocol/kafka-config-names.js';
import type { Decision } from './cluster-control.js';

export interface AlterableConfig {
  readonly name: string;
  readonly op: number;
  readonly value: string | null;
}

export interface AlterConfigsResource {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly configs: readonly AlterableConfig[];
}

export interface AlterConfigsResult {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

/**
 * Whether AlterConfigs may set `name` on a broker or the cluster default: the configs raftka
 * applies at run time, and the rest of Kafka's dynamic broker configs (stored and described, as
 * Kafka keeps them; raftka acts on those it implements).
 */
function isDynamicBrokerConfig(name: string): boolean {
  return (appliedDynamicBrokerConfigs.has(name) && knownConfigKeys.includes(name)) || isKnownBrokerConfig(name);
}

function applyOp(current: string | undefined, c: AlterableConfig): string | null | { error: string } {
  switch (c.op) {
    case AlterConfigOp.SET:
      return c.value ?? { error: `SET of ${c.name} needs a value` };
    case AlterConfigOp.DELETE:
      return null;
    case AlterConfigOp.APPEND: {
      const items = current ? current.split(',') : [];
      for (const v of (c.value ?? '').split(',').filter((x) => x !== '')) if (!items.includes(v)) items.push(v);
      return items.join(',');
    }
    case AlterConfigOp.SUBTRACT: {
      const drop = new Set((c.value ?? '').split(','));
      return (current ? current.split(',') : []).filter((x) => !drop.has(x)).join(',') || null;
    }
    default:
      return { error: `unknown config operation ${c.op}` };
  }
}

export function incrementalAlterConfigs(
  image: MetadataImage,
  resources: readonly AlterConfigsResource[],
  validateOnly: boolean,
): Decision<readonly AlterConfigsResult[]> {
  const records: MetadataRecord[] = [];
  const results: AlterConfigsResult[] = [];
  for (const r of resources) {
    const fail = (errorCode: number, errorMessage: string): void =>
      void results.push({ resourceType: r.resourceType, resourceName: r.resourceName, errorCode, errorMessage });
    let problem: string | null = null;
    if (r.resourceType === ConfigResourceType.TOPIC) {
      if (!image.topicsByName.has(r.resourceName)) {
        fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${r.resourceName}`);
        continue;
      }
    } else if (r.resourceType === ConfigResourceType.BROKER) {
      if (r.resourceName !== '' && !/^\d+$/.test(r.resourceName)) {
        fail(
          ErrorCode.INVALID_REQUEST,
          `broker resource name must be a broker id or empty (the cluster default), got "${r.resourceName}"`,
        );
        continue;
      }
    } else {
      fail(ErrorCode.INVALID_REQUEST, `unsupported config resource type ${r.resourceType}`);
      continue;
    }
    const current = image.configs.get(configResourceKey(r.resourceType, r.resourceName)) ?? new Map<string, string>();
    const next = new Map(current);
    const changes: MetadataRecord[] = [];
    for (const c of r.configs) {
      const v = applyOp(next.get(c.name), c);
      if (v !== null && typeof v === 'object') {
        problem = v.error;
        break;
      }
      if (r.resourceType === ConfigResourceType.BROKER && !isDynamicBrokerConfig(c.name)) {
        problem = `broker config ${c.name} is not dynamically changeable`;
        break;
      }
      if (v === null) next.delete(c.name);
      else next.set(c.name, v);
      changes.push({
        type: 'config',
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        name: c.name,
        value: v,
      });
    }
    if (!problem && r.resourceType === ConfigResourceType.TOPIC) problem = validateTopicConfigs(next);
    if (!problem && r.resourceType === ConfigResourceType.BROKER) {
      for (const [k, v] of next)
        if (appliedDynamicBrokerConfigs.has(k) && !/^-?\d+$|^(true|false)$/i.test(v))
          problem = `invalid value "${v}" for broker config ${k}`;
    }
    if (problem) {
      fail(ErrorCode.INVALID_CONFIG, problem);
      continue;
    }
    results.push({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
    });
    if (!validateOnly) appendAll(records, changes);
  }
  return { records, response: results };
}

export const producerIdBlockSize = 1000;

export interface AllocateProducerIdsResponse {
  readonly errorCode: number;
  readonly producerIdStart: number;
  readonly producerIdLen: number;
}

export function allocateProducerIds(
  image: MetadataImage,
  brokerId: number,
  brokerEpoch: number,
): Decision<AllocateProducerIdsResponse> {
  const b = image.brokers.get(brokerId);
  if (!b || b.epoch !== brokerEpoch) {
    return {
      records: [],
      response: {
        errorCode: b ? ErrorCode.STALE_BROKER_EPOCH : ErrorCode.BROKER_ID_NOT_REGISTERED,
        producerIdStart: -1,
        producerIdLen: 0,
      },
    };
  }
  const start = image.producerIds?.nextProducerId ?? 0;
  return {
    records: [{ type: 'producerIds', brokerId, brokerEpoch, nextProducerId: start + producerIdBlockSize }],
    response: { errorCode: ErrorCode.NONE, producerIdStart: start, producerIdLen: producerIdBlockSize },
  };
}
