// `raftka features --bootstrap-controller H:P describe | upgrade --feature name=level
// [--dry-run]`, like kafka-features.sh: finalized and supported feature levels (metadata.version).
import type { CommandModule } from 'yargs';
import { ControllerClient } from '../client/controller-client.js';
import { parseConfigAssignments } from '../client/config-assignments.js';
import { errorName } from '../common/errors.js';
import { FeatureUpgradeType } from '../protocol/feature-types.js';
import { parseEndpoint } from '../common/endpoint.js';
import { exitWithError } from './errors.js';
import { type CommandConfigArgs, controllerSecurityOf, commandConfigOption } from './command-config.js';
import { formatTable } from './table.js';

interface FeaturesArgs extends CommandConfigArgs {
  'bootstrap-controller': string;
  action: string;
  feature?: string;
  'dry-run'?: boolean;
  json?: boolean;
}

export const featuresCommand: CommandModule<object, FeaturesArgs> = {
  command: 'features <action>',
  describe: 'Describe or upgrade finalized feature levels (metadata.version)',
  builder: (y) =>
    y
      .positional('action', { type: 'string', choices: ['describe', 'upgrade'], demandOption: true })
      .option('bootstrap-controller', { type: 'string', demandOption: true })
      .option('command-config', commandConfigOption)
      .option('feature', { type: 'string', describe: 'name=level[,name=level]' })
      .option('dry-run', { type: 'boolean' })
      .option('json', { type: 'boolean' }),
  handler: async (args) => {
    const client = new ControllerClient([parseEndpoint(args['bootstrap-controller'])], controllerSecurityOf(args));
    try {
      if (args.action === 'describe') {
        const res = await client.describeFeatures({}, { anyController: true });
        const rows = res.results.map((r) => ({
          feature: r.feature,
          supportedMinVersion: r.supportedMin,
          supportedMaxVersion: r.supportedMax,
          finalizedVersionLevel: r.finalizedLevel,
        }));
        if (args.json) console.log(JSON.stringify(rows));
        else
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
        return;
      }
      const updates = parseConfigAssignments(args.feature ?? '').map((a) => ({
        feature: a.name,
        maxVersionLevel: Number(a.value),
        upgradeType: FeatureUpgradeType.UPGRADE,
      }));
      if (updates.length === 0 || updates.some((u) => !Number.isInteger(u.maxVersionLevel)))
        throw new Error('upgrade needs --feature name=level');
      const res = await client.updateFeatures({ updates, validateOnly: Boolean(args['dry-run']) });
      const failed = res.results.filter((r) => r.errorCode !== 0);
      if (failed.length > 0)
        throw new Error(failed.map((r) => `${r.feature}: ${errorName(r.errorCode)}: ${r.errorMessage}`).join('; '));
      for (const u of updates)
        console.log(
          `${u.feature} was ${args['dry-run'] ? 'validated for upgrade' : 'upgraded'} to ${u.maxVersionLevel}.`,
        );
    } catch (err) {
      exitWithError(err);
    } finally {
      client.close();
    }
  },
};
