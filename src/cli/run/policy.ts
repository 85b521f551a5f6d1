import { loadPolicy } from '../../policy/load.ts';
import { checkConfig } from '../../config/load.ts';
import { formatPolicyJson, formatPolicyTable } from '../../policy/format.ts';
import { EXIT, type CliIo } from '../context.ts';
import { Problems } from '../problems.ts';

export interface PolicyListOptions {
  config?: string;
  pack: string[];
  policyFile: string[];
  format?: 'table' | 'json';
}

/** `camsweep policy list`: loads the selected packs (every problem is a usage error) and prints them. */
export function runPolicyList(opts: PolicyListOptions, io: CliIo, problems: Problems = new Problems()): number {
  const checked = checkConfig({ ...(opts.config === undefined ? {} : { file: opts.config }), env: io.env });
  problems.add(...checked.problems);
  const config = checked.config;
  const policy = problems.check(() =>
    loadPolicy({
      packs: opts.pack.length > 0 ? opts.pack : (config?.policy.packs ?? checked.sections.policy?.packs ?? []),
      customFiles: [...(config?.policy.files ?? []), ...opts.policyFile],
    }),
  );
  problems.throwIfAny();
  const threshold = config?.policy.threshold;
  io.stdout(opts.format === 'json' ? formatPolicyJson(policy!, threshold) : formatPolicyTable(policy!, threshold));
  return EXIT.ok;
}
