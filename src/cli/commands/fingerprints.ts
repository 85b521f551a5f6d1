import { type Command } from 'commander';
import { type CommandModule } from '../context.ts';
import { choiceOption } from '../flags.ts';
import type { VerifyCliOptions } from '../run/fingerprints.ts';

export const fingerprintsCommand: CommandModule = {
  register(program: Command, ctx) {
    const group = program.command('fingerprints').description('work with the fingerprint database (config/fingerprints)');
    group
      .command('verify')
      .description('check the fingerprint database for authors: schema, vendor names, duplicates, regex sanity, every example and counter-example')
      .option('-d, --dir <dir>', 'directory of <vendor>.yaml fingerprint files (default: the packaged config/fingerprints)')
      .option('--vendors <file>', 'vendor vocabulary file (default: the packaged config/vendors.yaml)')
      .addOption(choiceOption(ctx.problems, '-f, --format <format>', 'output format', ['text', 'json']).default('text'))
      .action(async (opts: VerifyCliOptions) => {
        const { runVerifyCommand } = await import('../run/fingerprints.ts');
        ctx.exit(runVerifyCommand(opts, ctx.io, ctx.problems));
      });
  },
};
