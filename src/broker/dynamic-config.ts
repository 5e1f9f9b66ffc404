// This broker's effective view of its dynamic configs (Kafka's DynamicBrokerConfig on a broker):
// the per-broker and cluster-default BROKER config resources of the metadata image, reduced to
// what Kafka applies (static-only names, per-broker names at the cluster level and bad values
// are ignored, with one warning per change), and the log defaults they make for topics without
// their own value. ReplicaManager asks for the log defaults of each image it follows, so a
// committed change reaches every hosted log on the next image (no restart); DescribeConfigs and
// the replication throttles read the layers. Results are cached by the identity of the image's
// config maps (the image is copy-on-write), so an unchanged image costs two map lookups.
import type { Logger } from 'pino';
import { applicableDynamicConfigs, type DynamicLayers, dynamicValue } from '../common/dynamic-broker-config.js';
import { configResourceKey, type MetadataImage } from '../metadata/image.js';
import { ConfigResourceType } from '../metadata/records.js';
import { type LogConfig, withDynamicBrokerDefaults } from '../storage/log-config.js';

export class BrokerDynamicConfig {
  private ownStored: ReadonlyMap<string, string> | undefined;
  private defaultStored: ReadonlyMap<string, string> | undefined;
  private cachedLayers: DynamicLayers = { perBroker: new Map(), clusterDefault: new Map() };
  private cachedLog: LogConfig;
  private primed = false;

  constructor(
    private readonly nodeId: number,
    /** The log defaults of the node's file (brokerLogConfig). */
    private readonly staticLog: LogConfig,
    private readonly logger: Logger | null = null,
  ) {
    this.cachedLog = staticLog;
  }

  /** This broker's applicable dynamic configs in `image`. */
  layers(image: MetadataImage | null): DynamicLayers {
    if (!image) return this.cachedLayers;
    const own = image.configs.get(configResourceKey(ConfigResourceType.BROKER, String(this.nodeId)));
    const dflt = image.configs.get(configResourceKey(ConfigResourceType.BROKER, ''));
    if (this.primed && own === this.ownStored && dflt === this.defaultStored) return this.cachedLayers;
    this.primed = true;
    this.ownStored = own;
    this.defaultStored = dflt;
    const perBroker = applicableDynamicConfigs(own, true);
    const clusterDefault = applicableDynamicConfigs(dflt, false);
    for (const why of [...perBroker.ignored, ...clusterDefault.ignored])
      this.logger?.warn({ reason: why }, 'dynamic broker config ignored, as Kafka ignores it');
    this.cachedLayers = { perBroker: perBroker.applied, clusterDefault: clusterDefault.applied };
    this.cachedLog = withDynamicBrokerDefaults(
      this.staticLog,
      new Map([...clusterDefault.applied, ...perBroker.applied]),
    );
    if (perBroker.applied.size + clusterDefault.applied.size > 0)
      this.logger?.info(
        {
          perBroker: Object.fromEntries(perBroker.applied),
          clusterDefault: Object.fromEntries(clusterDefault.applied),
        },
        'dynamic broker configs in force',
      );
    return this.cachedLayers;
  }

  /** The log defaults topics without their own value get under `image`. */
  logDefaults(image: MetadataImage | null): LogConfig {
    this.layers(image);
    return this.cachedLog;
  }

  /** A dynamic rate in bytes per second (replication throttles); null when unset or unbounded. */
  rate(image: MetadataImage | null, name: string): number | null {
    const v = dynamicValue(this.layers(image), name);
    const n = v === undefined ? Number.NaN : Number(v);
    return Number.isFinite(n) && n >= 0 && n < Number.MAX_SAFE_INTEGER ? n : null;
  }
}
