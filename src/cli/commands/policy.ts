import { type Command } from 'commander';
import { type CommandModule, collect } from '../context.ts';
import { choiceOption } from '../flags.ts';
import type { PolicyListOptions } from '../run/policy.ts';

export const policyCommand: CommandModule = {
  register(program: Command, ctx) {
    const policy = program.command('policy').description('restricted-vendor policy packs: which makers are covered, and on what authority');
    policy
      .command('list')
      .description('show the policy packs in force: each rule, its entity, subsidiaries, affiliates and brands with dates, the device kinds it covers, and its source')
      .option('-c, --config <file>', 'YAML configuration file (its policy section: packs, files, threshold)')
      .option('--pack <id>', 'shipped pack to use (repeatable, in order; default: us-ndaa-889, uk-2022-sensitive-sites)', collect, [])
      .option('--policy-file <file>', 'custom pack file, after the shipped packs (repeatable)', collect, [])
      .addOption(choiceOption(ctx.problems, '-f, --format <format>', 'output format (default: table)', ['table', 'json']))
      .action(async (opts: PolicyListOptions) => {
        const { runPolicyList } = await import('../run/policy.ts');
        ctx.exit(runPolicyList(opts, ctx.io, ctx.problems));
      });
  },
};
