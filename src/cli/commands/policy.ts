import { Option, type Command } from 'commander';
import { loadPolicy } from '../../policy/load.ts';
import { loadConfig } from '../../config/load.ts';
import { formatPolicyJson, formatPolicyTable } from '../../policy/format.ts';
import { EXIT, type CliIo, type CommandModule, collect } from '../context.ts';

export interface PolicyListOptions {
  config?: string;
  pack: string[];
  policyFile: string[];
  format?: 'table' | 'json';
}

/** `camsweep policy list`: loads the selected packs (every problem is a usage error) and prints them. */
export function runPolicyList(opts: PolicyListOptions, io: CliIo): number {
  const config = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  const policy = loadPolicy({
    packs: opts.pack.length > 0 ? opts.pack : config.policy.packs,
    customFiles: [...config.policy.files, ...opts.policyFile],
  });
  const { threshold } = config.policy;
  io.stdout(opts.format === 'json' ? formatPolicyJson(policy, threshold) : formatPolicyTable(policy, threshold));
  return EXIT.ok;
}

export const policyCommand: CommandModule = {
  register(program: Command, ctx) {
    const policy = program.command('policy').description('restricted-vendor policy packs: which makers are covered, and on what authority');
    policy
      .command('list')
      .description('show the policy packs in force: each rule, its entity, subsidiaries, affiliates and brands with dates, the device kinds it covers, and its source')
      .option('-c, --config <file>', 'YAML configuration file (its policy section: packs, files, threshold)')
      .option('--pack <id>', 'shipped pack to use (repeatable, in order; default: us-ndaa-889, uk-2022-sensitive-sites)', collect, [])
      .option('--policy-file <file>', 'custom pack file, after the shipped packs (repeatable)', collect, [])
      .addOption(new Option('-f, --format <format>', 'output format (default: table)').choices(['table', 'json']))
      .action((opts: PolicyListOptions) => {
        ctx.exit(runPolicyList(opts, ctx.io));
      });
  },
};
