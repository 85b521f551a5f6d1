import { readFileSync } from 'node:fs';
import { UsageError } from '../domain/errors.ts';
import { applyEnvOverrides, overrideFor } from '../config/env.ts';
import { dataDirSchema, type HostFacts } from '../config/data-dir.ts';
import {
  ReportConfigError,
  reportConfigSchema,
  resolveReportConfig,
  type ReportConfig,
  type ReportOverrides,
  type ReportSettingsInput,
} from './config.ts';
import { yaml } from '../util/yaml-snapshot.ts';

export interface ReportSettingsOptions {
  /** The YAML configuration file; none means defaults (and the environment). */
  file?: string;
  env: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
  overrides?: ReportOverrides;
  host?: HostFacts;
}

/**
 * The `report:` section and `dataDir` of a configuration file, validated but not resolved
 * (secrets not read yet): what resolveReportConfig and reportFromCli take. The other sections
 * belong to other commands and are checked by them. With `env`, the CAMSWEEP_REPORT_* and
 * CAMSWEEP_DATA_DIR overrides apply, as for the daemon (src/config/env.ts). Every problem at
 * once (UsageError: exit 2).
 */
export function readReportSection(
  file: string | undefined,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
  env?: NodeJS.ProcessEnv,
): ReportSettingsInput {
  let raw: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFile(file);
    } catch (err) {
      throw new UsageError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    try {
      raw = yaml().parse(text, { maxAliasCount: 100 }) ?? {};
    } catch (err) {
      throw new UsageError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
    }
  }
  const overrides = env === undefined ? undefined : applyEnvOverrides(raw, env, { only: ['report', 'dataDir'] });
  const merged = overrides?.raw ?? raw;
  const doc = merged !== null && typeof merged === 'object' && !Array.isArray(merged) ? (merged as Record<string, unknown>) : {};
  const problems: string[] = [...(overrides?.problems ?? [])];
  const from = (path: ReadonlyArray<PropertyKey>): string => {
    const variable = overrides === undefined ? undefined : overrideFor(overrides.applied, path);
    return variable === undefined ? '' : ` (from $${variable})`;
  };
  const report = reportConfigSchema.safeParse(doc.report ?? {});
  if (!report.success) for (const i of report.error.issues) problems.push(`report.${i.path.join('.')}${from(['report', ...i.path])}: ${i.message}`.replace(/\.: /u, ': '));
  const dataDir = dataDirSchema.safeParse(doc.dataDir);
  if (!dataDir.success) for (const i of dataDir.error.issues) problems.push(`dataDir${from(['dataDir'])}: ${i.message}`);
  if (!report.success || !dataDir.success || problems.length > 0) throw new ReportConfigError(problems, file);
  return { report: report.data, dataDir: dataDir.data };
}

/**
 * The report settings for the `outbox` and `receive` commands: readReportSection, then
 * resolved (secrets read, defaults filled) with the command-line overrides.
 */
export function loadReportSettings(options: ReportSettingsOptions): ReportConfig {
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const parsed = readReportSection(options.file, read, options.env);
  try {
    return resolveReportConfig(parsed, options.env, read, {
      ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
      ...(options.host === undefined ? {} : { host: options.host }),
    });
  } catch (err) {
    if (err instanceof ReportConfigError && options.file !== undefined) throw new ReportConfigError([...err.problems], options.file);
    throw err;
  }
}
