// `raftka features (--bootstrap-server H:P | --bootstrap-controller H:P) describe |
// upgrade|downgrade (--metadata LEVEL | --feature name=level[,...]) [--dry-run]`, like
// kafka-features.sh: finalized and supported feature levels (metadata.version, group.version). Over --bootstrap-server (with
// --command-config) it speaks the Kafka protocol as kafka-features.sh does: the description comes
// from a broker's ApiVersions answer, upgrades are UpdateFeatures (key 57); over
// --bootstrap-controller it uses the controllers' gRPC RPCs. Same output either way.
import type { CommandModule } from 'yargs';
import { ControllerClient } from '../client/controller-client.js';
import { describeFeatures, updateFeatures, type FeatureDescription } from '../client/cluster-admin.js';
import { parseConfigAssignments } from '../client/config-assignments.js';
import { KafkaClient } from '../client/kafka-client.js';
import { errorName } from '../common/errors.js';
import { FeatureUpgradeType, metadataVersionFeature } from '../protocol/feature-types.js';
import { parseEndpoint, parseEndpoints } from '../common/endpoint.js';
import { exitWithError } from './errors.js';
import {
  type CommandConfigArgs,
  clientSecurityOf,
  commandConfigOption,
  controllerSecurityOf,
} from './command-config.js';
import { formatTable } from './table.js';

interface FeaturesArgs extends CommandConfigArgs {
  'bootstrap-controller'?: string;
  'bootstrap-server'?: string;
  action: string;
  feature?: string;
  metadata?: number;
  'dry-run'?: boolean;
  json?: boolean;
}

interface Update {
  readonly feature: string;
  readonly maxVersionLevel: number;
  readonly upgradeType: number;
}

/** Describe and update through either path. */
interface FeaturesAdmin {
  describe(): Promise<FeatureDescription[]>;
  update(updates: readonly Update[], validateOnly: boolean): Promise<void>;
  close(): void;
}

function kafkaAdmin(args: FeaturesArgs): FeaturesAdmin {
  const client = new KafkaClient(parseEndpoints(args['bootstrap-server']!), {
    clientId: 'raftka-features',
    security: clientSecurityOf(args),
  });
  return {
    describe: () => describeFeatures(client),
    update: (updates, validateOnly) => updateFeatures(client, updates, validateOnly),
    close: () => client.close(),
  };
}

function controllerAdmin(args: FeaturesArgs): FeaturesAdmin {
  const client = new ControllerClient([parseEndpoint(args['bootstrap-controller']!)], controllerSecurityOf(args));
  return {
    describe: async () =>
      (await client.describeFeatures({}, { anyController: true })).results.map((r) => ({
        feature: r.feature,
        supportedMinVersion: r.supportedMin,
        supportedMaxVersion: r.supportedMax,
        finalizedVersionLevel: r.finalizedLevel,
      })),
    update: async (updates, validateOnly) => {
      const res = await client.updateFeatures({ updates: [...updates], validateOnly });
      const failed = res.results.filter((r) => r.errorCode !== 0);
      if (failed.length > 0)
        throw new Error(failed.map((r) => `${r.feature}: ${errorName(r.errorCode)}: ${r.errorMessage}`).join('; '));
    },
    close: () => client.close(),
  };
}

function requestedUpdates(args: FeaturesArgs): Update[] {
  const assignments = parseConfigAssignments(args.feature ?? '');
  if (args.metadata !== undefined) assignments.push({ name: metadataVersionFeature, value: String(args.metadata) });
  // downgrade asks for Kafka's safe downgrade (the controller refuses what is not safe).
  const updates = assignments.map((a) => ({
    feature: a.name,
    maxVersionLevel: Number(a.value),
    upgradeType: args.action === 'downgrade' ? FeatureUpgradeType.SAFE_DOWNGRADE : FeatureUpgradeType.UPGRADE,
  }));
  if (updates.length === 0 || updates.some((u) => !Number.isInteger(u.maxVersionLevel)))
    throw new Error(`${args.action} needs --metadata LEVEL or --feature name=level`);
  return updates;
}

function printDescription(rows: readonly FeatureDescription[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify(rows));
    return;
  }
  console.log(
    formatTable(
      ['Feature', 'SupportedMinVersion', 'SupportedMaxVersion', 'FinalizedVersionLevel'],
      rows.map((r) => [
        r.feature,
        String(r.supportedMinVersion),
        String(r.supportedMaxVersion),
        String(r.finalizedVersionLevel),
      ]),
    ),
  );
}

export const featuresCommand: CommandModule<object, FeaturesArgs> = {
  command: 'features <action>',
  describe: 'Describe, upgrade or downgrade finalized feature levels (metadata.version, group.version)',
  builder: (y) =>
    y
      .positional('action', { type: 'string', choices: ['describe', 'upgrade', 'downgrade'], demandOption: true })
      .option('bootstrap-server', { type: 'string', describe: 'host:port of brokers (Kafka protocol)' })
      .option('bootstrap-controller', { type: 'string', describe: 'host:port of any controller (gRPC)' })
      .option('command-config', commandConfigOption)
      .option('feature', { type: 'string', describe: 'name=level[,name=level]' })
      .option('metadata', { type: 'number', describe: 'the metadata.version level to upgrade to' })
      .option('dry-run', { type: 'boolean' })
      .option('json', { type: 'boolean' })
      .check((a) => {
        if ((a['bootstrap-server'] === undefined) === (a['bootstrap-controller'] === undefined))
          throw new Error('give exactly one of --bootstrap-server or --bootstrap-controller');
        return true;
      }),
  handler: async (args) => {
    let admin: FeaturesAdmin | null = null;
    try {
      admin = args['bootstrap-server'] !== undefined ? kafkaAdmin(args) : controllerAdmin(args);
      if (args.action === 'describe') {
        printDescription(await admin.describe(), Boolean(args.json));
        return;
      }
      const updates = requestedUpdates(args);
      await admin.update(updates, Boolean(args['dry-run']));
      for (const u of updates)
        console.log(
          `${u.feature} was ${args['dry-run'] ? `validated for ${args.action}` : `${args.action}d`} to ${u.maxVersionLevel}.`,
        );
    } catch (err) {
      exitWithError(err);
    } finally {
      admin?.close();
    }
  },
};
