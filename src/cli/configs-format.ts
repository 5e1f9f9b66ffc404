// `raftka configs --bootstrap-server ... --describe` output, as kafka-configs.sh prints it: a
// heading, then one line per config with its value, whether it is sensitive and its synonyms
// (source:name=value, highest precedence first). Without --all only the entries set at the
// described level are listed (topic: DYNAMIC_TOPIC_CONFIG; broker N: DYNAMIC_BROKER_CONFIG;
// --entity-default: DYNAMIC_DEFAULT_BROKER_CONFIG), as Kafka's ConfigCommand filters them.
import { ConfigSource, configSourceNames } from '../common/dynamic-broker-config.js';

export interface DescribedEntry {
  readonly name: string;
  readonly value: string | null;
  readonly configSource: number;
  readonly isSensitive: boolean;
  readonly synonyms?: readonly { readonly name: string; readonly value: string | null; readonly source: number }[];
}

/** The source an entry must come from to be listed without --all. */
export function dynamicSourceOf(entityType: 'topics' | 'brokers', entityName: string): number {
  if (entityType === 'topics') return ConfigSource.DYNAMIC_TOPIC;
  return entityName === '' ? ConfigSource.DYNAMIC_DEFAULT_BROKER : ConfigSource.DYNAMIC_BROKER;
}

export function formatDescribedConfigs(
  entityType: 'topics' | 'brokers',
  entityName: string,
  entries: readonly DescribedEntry[],
  all: boolean,
): string[] {
  const wanted = dynamicSourceOf(entityType, entityName);
  const heading =
    entityType === 'brokers' && entityName === ''
      ? 'Default configs for brokers in the cluster are:'
      : `${all ? 'All' : 'Dynamic'} configs for ${entityType.slice(0, -1)} ${entityName} are:`;
  const lines = [heading];
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!all && e.configSource !== wanted) continue;
    const synonyms = (e.synonyms ?? [])
      .map((s) => `${configSourceNames[s.source] ?? String(s.source)}:${s.name}=${s.value}`)
      .join(', ');
    lines.push(`  ${e.name}=${e.value} sensitive=${e.isSensitive} synonyms={${synonyms}}`);
  }
  return lines;
}

/** `--json`: name → {value, source, sensitive, synonyms}. */
export function describedConfigsJson(entries: readonly DescribedEntry[], wanted: number | null): unknown {
  return Object.fromEntries(
    entries
      .filter((e) => wanted === null || e.configSource === wanted)
      .map((e) => [
        e.name,
        {
          value: e.value,
          source: configSourceNames[e.configSource] ?? String(e.configSource),
          sensitive: e.isSensitive,
          synonyms: (e.synonyms ?? []).map((s) => ({
            name: s.name,
            value: s.value,
            source: configSourceNames[s.source] ?? String(s.source),
          })),
        },
      ]),
  );
}
