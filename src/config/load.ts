import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../domain/errors.ts';
import type { Credentials } from '../enrich/types.ts';
import { cidrContains, parseCidr, type Cidr } from '../util/cidr.ts';
import { resolveTargets } from '../discovery/unicast/targets.ts';
import { configSchema, type ConfigFile } from './schema.ts';
import type { ReportSettingsInput } from '../report/config.ts';
import { resolveDaemonConfig, type DaemonSettings } from '../daemon/config.ts';
import { applyEnvOverrides, overrideFor, type AppliedOverride } from './env.ts';
import type { z } from 'zod';
import { yaml } from '../util/yaml-snapshot.ts';

export { cidrContains, parseCidr, type Cidr } from '../util/cidr.ts';

/** The configuration in force: validated once, durations in ms, secrets resolved, frozen. */
export interface Config {
  sweep: {
    interfaces: string[];
    windowMs: number;
    /** Adaptive window: the idle time that closes it once every reply is due; undefined: fixed window. */
    idleMs: number | undefined;
    mx: number;
    protocols: ConfigFile['sweep']['protocols'];
  };
  enrich: { enabled: boolean; requestTimeoutMs: number; graceMs: number; maxBodyBytes: number; concurrency: number; followUps: 'needed' | 'always' };
  credentials: Array<{ match: Cidr; username: string; password: string }>;
  log: { level: ConfigFile['log']['level'] };
  audit: { file?: string };
  /** Packs in order, custom pack files (absolute), and the confidence that establishes a maker. */
  policy: { packs: string[]; files: string[]; threshold: number };
  /** The report section and data directory as written; secrets are resolved by src/report. */
  reportSettings: ReportSettingsInput;
  /**
   * Routed networks (sweep.targets, sweep.exclude, sweep.maxTargetAddresses, sweep.rate):
   * ranges checked here, expanded by the sweeper (docs/decisions/unicast.md).
   */
  unicast: { targets: Cidr[]; exclude: Cidr[]; maxAddresses: number; packetsPerSecond: number; concurrency: number };
  /** `camsweep daemon`: schedule, health/metrics listener, stop bound. */
  daemon: DaemonSettings;
  /** The CAMSWEEP_* variables that overrode the file (names only: values may be sensitive). */
  fromEnv: string[];
}

/** Credentials configured for `ip`: the most specific matching entry, or none. */
export function credentialsFor(config: Config, ip: string): Credentials | undefined {
  let best: Config['credentials'][number] | undefined;
  for (const c of config.credentials) {
    if (cidrContains(c.match, ip) && (!best || c.match.prefix > best.match.prefix)) best = c;
  }
  return best ? { username: best.username, password: best.password } : undefined;
}

export interface LoadOptions {
  /** Path of the YAML file; none means defaults only. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
}

/** What checkConfig found: the configuration when it is valid, else every problem. */
export interface ConfigCheck {
  config: Config | undefined;
  /** Each problem on its own line; empty when `config` is set. */
  problems: string[];
  /** The parsed document with the environment merged in (secret variables it names are not unknown). */
  raw: unknown;
  /** The sections that are valid on their own (all of them when `config` is set), for the checks a command adds. */
  sections: Partial<ConfigFile>;
}

/**
 * Reads, validates and resolves the configuration. `CAMSWEEP_<SECTION>_<KEY>` variables
 * override the file (src/config/env.ts) and go through the same schema. Every problem is
 * collected and reported at once in one UsageError (the CLI exits 2), each line naming the path
 * of the bad value (and the variable, when it came from the environment).
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const checked = check(options);
  if (checked.config === undefined) {
    throw new UsageError(configProblems(options.file, checked.problems), { problems: checked.problems.map((p) => inFile(options.file, p)) });
  }
  return checked.config;
}

/** A problem line with the file it is about, for lists that mix sources. */
const inFile = (file: string | undefined, problem: string): string => (file === undefined || problem.startsWith('$') || problem.includes(' (from $') ? problem : `${file}: ${problem}`);

/**
 * loadConfig without throwing, in one pass: the file (unreadable, not YAML), the environment
 * (unknown variables too), the schema of every section, and the checks that need parsing
 * (credential and target CIDRs, secret files, the target plan) on every section that parsed,
 * so the operator sees every problem at once, not one stage after another.
 */
export function checkConfig(options: LoadOptions = {}): ConfigCheck {
  const checked = check(options);
  return { ...checked, problems: checked.problems.map((p) => inFile(options.file, p)) };
}

function check(options: LoadOptions): ConfigCheck {
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const env = options.env ?? process.env;
  const problems: string[] = [];
  let raw: unknown = {};
  if (options.file !== undefined) {
    let text: string | undefined;
    try {
      text = read(options.file);
    } catch (err) {
      problems.push(`cannot read config file ${options.file}: ${(err as Error).message}`);
    }
    if (text !== undefined) {
      try {
        raw = yaml().parse(text, { maxAliasCount: 100 }) ?? {};
      } catch (err) {
        problems.push(`config file ${options.file} is not valid YAML: ${(err as Error).message}`);
      }
    }
  }
  const overrides = applyEnvOverrides(raw, env);
  problems.push(...overrides.problems);
  const parsed = configSchema.safeParse(overrides.raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = overrideFor(overrides.applied, issue.path);
      problems.push(`${issue.path.join('.') || '(root)'}${variable === undefined ? '' : ` (from $${variable})`}: ${issue.message}`);
    }
  }
  // The sections that parsed on their own, for the checks that need parsing.
  const sections = parsed.success ? parsed.data : parseSections(overrides.raw);

  const credentials: Config['credentials'] = [];
  if (sections.credentials === undefined) {
    // The list has problems the schema reported; its CIDRs are checked now all the same.
    const list = asRecord(overrides.raw)?.credentials;
    (Array.isArray(list) ? list : []).forEach((c: unknown, i) => {
      const match = asRecord(c)?.match;
      if (typeof match === 'string' && !parseCidr(match)) problems.push(`credentials.${i}.match: not an IPv4 address or CIDR range: ${match}`);
    });
  }
  sections.credentials?.forEach((c, i) => {
    const match = parseCidr(c.match);
    if (!match) problems.push(`credentials.${i}.match: not an IPv4 address or CIDR range: ${c.match}`);
    let password: string | undefined = c.password;
    if (c.passwordFile !== undefined) {
      try {
        password = read(c.passwordFile).replace(/\r?\n$/u, '');
      } catch {
        problems.push(`credentials.${i}.passwordFile: cannot read ${c.passwordFile}`);
      }
    }
    if (c.passwordEnv !== undefined) {
      password = env[c.passwordEnv];
      if (password === undefined || password === '') problems.push(`credentials.${i}.passwordEnv: ${c.passwordEnv} is not set`);
    }
    if (match && password) credentials.push({ match, username: c.username, password });
  });
  let rangesOk = true;
  // From the raw document when the section has other problems: its ranges are still checked now.
  const rangeTexts = (key: 'targets' | 'exclude'): string[] => sections.sweep?.[key] ?? stringList(asRecord(asRecord(overrides.raw)?.sweep)?.[key]);
  const ranges = (key: 'targets' | 'exclude'): Cidr[] =>
    rangeTexts(key).flatMap((text, i) => {
      const cidr = parseCidr(text);
      if (!cidr) {
        rangesOk = false;
        problems.push(`sweep.${key}.${i}${fromVariable(overrides.applied, ['sweep', key])}: not an IPv4 address or CIDR range: ${text}`);
      }
      return cidr ? [cidr] : [];
    });
  const targets = ranges('targets');
  const exclude = ranges('exclude');
  if (rangesOk && sections.sweep !== undefined && targets.length > 0) {
    try {
      resolveTargets({ targets, exclude, maxAddresses: sections.sweep.maxTargetAddresses });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problems.push(`sweep.targets: ${err.message}`);
    }
  }
  if (!parsed.success || problems.length > 0) return { config: undefined, problems, raw: overrides.raw, sections };
  const file = parsed.data;

  const config = deepFreeze<Config>({
    sweep: {
      interfaces: file.sweep.interfaces,
      windowMs: Math.round(file.sweep.timeout * 1000),
      idleMs: file.sweep.adaptive ? Math.round(file.sweep.idle * 1000) : undefined,
      mx: file.sweep.mx,
      protocols: file.sweep.protocols,
    },
    enrich: {
      enabled: file.enrich.enabled,
      requestTimeoutMs: Math.round(file.enrich.requestTimeout * 1000),
      graceMs: Math.round(file.enrich.grace * 1000),
      maxBodyBytes: file.enrich.maxBodyBytes,
      concurrency: file.enrich.concurrency,
      followUps: file.enrich.followUps,
    },
    credentials,
    log: { level: file.log.level },
    audit: file.audit.file === undefined ? {} : { file: file.audit.file },
    policy: {
      packs: file.policy.packs,
      // Custom pack paths are relative to the config file, like every path an operator writes there.
      files: file.policy.files.map((f) => (options.file === undefined ? path.resolve(f) : path.resolve(path.dirname(options.file), f))),
      threshold: file.policy.threshold,
    },
    reportSettings: { report: file.report, ...(file.dataDir === undefined ? {} : { dataDir: file.dataDir }) },
    unicast: {
      targets,
      exclude,
      maxAddresses: file.sweep.maxTargetAddresses,
      packetsPerSecond: file.sweep.rate.packetsPerSecond,
      concurrency: file.sweep.rate.concurrency,
    },
    daemon: resolveDaemonConfig(file.daemon),
    fromEnv: overrides.applied.map((a) => a.variable),
  });
  return { config, problems: [], raw: overrides.raw, sections };
}

const fromVariable = (applied: readonly AppliedOverride[], path: string[]): string => {
  const variable = overrideFor(applied, path);
  return variable === undefined ? '' : ` (from $${variable})`;
};

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** Each top-level section parsed on its own: the valid ones, when the whole document is not. */
function parseSections(raw: unknown): Partial<ConfigFile> {
  const doc = asRecord(raw) ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(configSchema.shape)) {
    const r = (schema as z.ZodType).safeParse(doc[key]);
    if (r.success) out[key] = r.data;
  }
  return out as Partial<ConfigFile>;
}

function configProblems(file: string | undefined, problems: string[]): string {
  return `invalid configuration${file ? ` in ${file}` : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
