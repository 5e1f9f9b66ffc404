// IncrementalAlterConfigs for topics, brokers and the cluster default (a broker resource with
// an empty name), and AllocateProducerIds in blocks of 1000. Pure: records + answers.
import { appendAll } from '../common/arrays.js';
import { ErrorCode } from '../common/errors.js';
import { isListBrokerConfig, validateDynamicBrokerConfigs } from '../common/dynamic-broker-config.js';
import { configResourceKey, type MetadataImage } from '../metadata/image.js';
import { ConfigResourceType, type MetadataRecord } from '../metadata/records.js';
import { AlterConfigOp } from '../protocol/config-types.js';
import { validateTopicConfigs } from '../common/topic-configs.js';
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

function applyOp(current: string | undefined, c: AlterableConfig): string | null | { error: string } {
  switch (c.op) {
    case AlterConfigOp.SET:
      return c.value ?? { error: `Null value not supported for : ${c.name}` };
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

/** Kafka: APPEND and SUBTRACT only on list-typed broker configs. */
function listOpProblem(c: AlterableConfig): string | null {
  if (c.op !== AlterConfigOp.APPEND && c.op !== AlterConfigOp.SUBTRACT) return null;
  const isList = isListBrokerConfig(c.name);
  if (isList === null) return `Unknown config name: ${c.name}`;
  if (isList) return null;
  return `Config value ${c.op === AlterConfigOp.APPEND ? 'append' : 'subtract'} is not allowed for config key: ${c.name}`;
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
      if (r.resourceType === ConfigResourceType.BROKER) problem = listOpProblem(c);
      if (problem) break;
      const v = applyOp(next.get(c.name), c);
      if (v !== null && typeof v === 'object') {
        problem = v.error;
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
    if (problem) {
      fail(ErrorCode.INVALID_CONFIG, problem);
      continue;
    }
    if (r.resourceType === ConfigResourceType.BROKER) {
      // Kafka checks the names and values being set (stored ones it cannot apply are ignored, not
      // refused) and answers INVALID_REQUEST (KAFKA-13609).
      const touched = new Map(r.configs.flatMap((c) => (next.has(c.name) ? [[c.name, next.get(c.name)!]] : [])));
      const refused = validateDynamicBrokerConfigs(touched, r.resourceName !== '');
      if (refused) {
        fail(ErrorCode.INVALID_REQUEST, refused);
        continue;
      }
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
