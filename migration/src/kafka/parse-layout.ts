// Parses Kafka's ZooKeeper layout out of a znode tree into a KafkaZkModel, reporting every
// problem with its znode path, severity and code. Reads only through ZnodeSource (async get /
// children), so the tree may live in memory or in a staging store. Entry point of item 2 of
// issue 7; the per-area parsers live beside it (parse-topics, parse-configs, parse-acls).
// Owns: /cluster/id (missing_cluster_id), /brokers/ids/* (brokers, used for the unregistered-
// replica check), /controller + /controller_epoch, /latest_producer_id_block, /feature.
import { compareProblems } from '../problems.js';
import type { ZnodeSource } from '../zk/znode-tree.js';
import type { BrokerInfo, KafkaZkModel, ProducerIdBlock } from './model.js';
import { parseAcls } from './parse-acls.js';
import { parseBrokerConfigs, parseUserAndClientConfigs } from './parse-configs.js';
import { intOf, isObject, ParseContext } from './parse-context.js';
import { parseTopics } from './parse-topics.js';

async function parseClusterId(ctx: ParseContext): Promise<string | null> {
  const obj = await ctx.object('/cluster/id', 'cluster id');
  if (obj === undefined)
    ctx.report(
      'error',
      'missing_cluster_id',
      '/cluster/id',
      'no cluster id: /cluster/id is missing or empty; a KRaft cluster cannot be matched to this data',
    );
  if (!obj) return null;
  const id = obj['id'];
  if (typeof id !== 'string' || id === '') {
    ctx.report('error', 'invalid_znode', '/cluster/id', 'cluster id: "id" must be a non-empty string');
    return null;
  }
  return id;
}

async function parseBrokers(ctx: ParseContext): Promise<Map<number, BrokerInfo>> {
  const out = new Map<number, BrokerInfo>();
  for (const b of await ctx.zk.children('/brokers/ids')) {
    const path = `/brokers/ids/${b}`;
    if (!/^\d+$/.test(b)) {
      ctx.report('warning', 'invalid_znode', path, `broker registration ${b}: not a broker id`);
      continue;
    }
    const id = Number(b);
    // A registration we cannot read still proves the broker is registered; it is not migrated
    // (brokers register with the KRaft controller themselves), so problems here are warnings.
    const obj = await ctx.object(path, `registration of broker ${b}`, 'warning');
    const endpoints =
      obj && Array.isArray(obj['endpoints']) ? obj['endpoints'].filter((e): e is string => typeof e === 'string') : [];
    out.set(id, {
      id,
      host: obj && typeof obj['host'] === 'string' ? obj['host'] : null,
      port: (obj && intOf(obj['port'])) ?? -1,
      endpoints,
      rack: obj && typeof obj['rack'] === 'string' ? obj['rack'] : null,
      version: (obj && intOf(obj['version'])) ?? 0,
    });
  }
  return out;
}

async function parseProducerIdBlock(ctx: ParseContext): Promise<ProducerIdBlock | null> {
  const path = '/latest_producer_id_block';
  const obj = await ctx.object(path, 'latest producer id block');
  if (!obj) return null;
  const brokerId = intOf(obj['broker']);
  const blockStart = intOf(obj['block_start']);
  const blockEnd = intOf(obj['block_end']);
  if (brokerId === null || blockStart === null || blockEnd === null || blockEnd < blockStart || blockStart < 0) {
    ctx.report('error', 'invalid_znode', path, 'latest producer id block: needs broker, block_start <= block_end');
    return null;
  }
  return { brokerId, blockStart, blockEnd };
}

async function parseController(ctx: ParseContext): Promise<KafkaZkModel['controller']> {
  const c = await ctx.object('/controller', 'controller', 'warning');
  const epochNode = await ctx.zk.get('/controller_epoch');
  const epochText = await ctx.text('/controller_epoch');
  const epoch = epochText === null ? null : intOf(epochText.trim());
  if (epochText !== null && epoch === null)
    ctx.report(
      'warning',
      'invalid_znode',
      '/controller_epoch',
      `controller epoch ${JSON.stringify(epochText)} is not an integer`,
    );
  return {
    brokerId: c ? intOf(c['brokerid']) : null,
    epoch,
    epochZkVersion: epochNode ? epochNode.stat.version : null,
  };
}

export async function parseKafkaLayout(zk: ZnodeSource): Promise<KafkaZkModel> {
  const ctx = new ParseContext(zk);
  const clusterId = await parseClusterId(ctx);
  const brokers = await parseBrokers(ctx);
  const controller = await parseController(ctx);
  const topics = await parseTopics(ctx, brokers, clusterId ?? '');
  const brokerConfigs = await parseBrokerConfigs(ctx);
  const { scram, quotas } = await parseUserAndClientConfigs(ctx);
  const acls = await parseAcls(ctx);
  const producerIdBlock = await parseProducerIdBlock(ctx);
  const feature = await ctx.json('/feature', 'feature znode', 'warning');
  return {
    clusterId,
    controller,
    brokers,
    topics,
    brokerConfigs,
    scramCredentials: scram,
    clientQuotas: quotas,
    acls,
    producerIdBlock,
    featureZnode: isObject(feature ?? undefined) ? feature : null,
    znodeCount: zk.size,
    problems: [...ctx.problems].sort(compareProblems),
  };
}
