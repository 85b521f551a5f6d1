import { z } from 'zod';
import { DEFAULT_HMAC_SECRET_ENV, DEFAULT_TOKEN_ENV } from '../report/config.ts';
import { configSchema } from './schema.ts';

/**
 * Environment overrides for the configuration file: `CAMSWEEP_<SECTION>_<KEY>=value` sets
 * `<section>.<key>` (camelCase keys in UPPER_SNAKE, nested keys joined the same way):
 *
 *   CAMSWEEP_SWEEP_TIMEOUT=5                    sweep.timeout: 5
 *   CAMSWEEP_ENRICH_REQUEST_TIMEOUT=1.5         enrich.requestTimeout: 1.5
 *   CAMSWEEP_REPORT_ENDPOINT=https://c/v1       report.endpoint
 *   CAMSWEEP_REPORT_BACKOFF_MAX=600             report.backoff.max
 *   CAMSWEEP_DAEMON_SCHEDULE_CRON='0 * * * *'   daemon.schedule.cron
 *   CAMSWEEP_DAEMON_HTTP_LISTEN=false           daemon.http.listen: false
 *   CAMSWEEP_POLICY_PACKS=us-ndaa-889,au-2023   policy.packs (comma-separated, or a JSON array)
 *   CAMSWEEP_DATA_DIR=/var/lib/camsweep         dataDir
 *
 * The table of variables is derived from the configuration's own schema, and the values go
 * through that same schema: the environment can set nothing the file could not, and a bad
 * value is reported like a bad value in the file (with the variable's name), with every other
 * problem. The environment wins over the file. An empty variable counts as unset.
 *
 * Not overrides: the variables that hold secrets (`CAMSWEEP_REPORT_TOKEN`,
 * `CAMSWEEP_REPORT_HMAC_SECRET`, and whatever report.tokenEnv, report.hmacSecretEnv or a
 * credential's passwordEnv name); `report.token` (the token variable is the way to pass it);
 * `credentials` (a list of objects: write it in the file, secrets via passwordEnv/passwordFile);
 * and the variables of OTHER_VARIABLES below (CAMSWEEP_CONFIG, the receiver's secrets, the
 * test harness's). Any other `CAMSWEEP_*` variable is an error, with the nearest known name:
 * a typo (CAMSWEEP_REPROT_ENDPOINT) must not pass silently and leave the agent never reporting.
 */

export const ENV_PREFIX = 'CAMSWEEP_';

/**
 * `CAMSWEEP_*` variables that are not configuration overrides but are read by some part of
 * camsweep (or set around it by its own scripts). A command that reads a new variable adds it
 * here, or every command would refuse it as unknown.
 */
export const OTHER_VARIABLES: ReadonlyMap<string, string> = new Map([
  ['CAMSWEEP_CONFIG', 'the configuration file of `camsweep daemon` and `camsweep health`'],
  ['CAMSWEEP_REPORT_TOKEN', 'the report endpoint\'s bearer token (report.tokenEnv)'],
  ['CAMSWEEP_REPORT_HMAC_SECRET', 'the report HMAC secret (report.hmacSecretEnv)'],
  ['CAMSWEEP_RECEIVER_TOKEN', 'the token `camsweep receive` requires'],
  ['CAMSWEEP_RECEIVER_HMAC_SECRET', 'the HMAC secret `camsweep receive` checks'],
  ['CAMSWEEP_CENTRAL_DATABASE', 'the PostgreSQL URL of `camsweep central` and `camsweep receive` (--database)'],
  ['CAMSWEEP_FORWARD_HEC_TOKEN', 'the Splunk HEC token `camsweep central serve --forward-hec` sends'],
  ['CAMSWEEP_FORWARD_WEBHOOK_SECRET', 'the secret `camsweep central serve --forward-webhook` signs with'],
  ['CAMSWEEP_CHROMIUM', 'the Chromium that prints the console\'s report as PDF (default /usr/bin/chromium)'],
  ['CAMSWEEP_PRIVATE_NETNS', 'set by scripts/private-netns.sh inside its private network namespace'],
  ['CAMSWEEP_LAB_KEEP', 'keeps a test lab\'s directory (tests/lab)'],
  ['CAMSWEEP_KILL_SEED', 'seed of the kill test (tests/lab)'],
]);

/** How a variable's text becomes a value for the schema. */
export type EnvValueKind = 'string' | 'number' | 'boolean' | 'list' | 'string-or-false';

export interface EnvVariable {
  name: string;
  /** Path in the configuration, e.g. ['report', 'backoff', 'max']. */
  path: string[];
  kind: EnvValueKind;
}

export interface EnvTable {
  variables: EnvVariable[];
  /** Section words (`SWEEP`, `REPORT`...): a variable starting with one must name a key. */
  sections: Map<string, string>;
  /** Variables (and prefixes) for settings that cannot come from the environment, with the reason. */
  refused: Map<string, { top: string; message: string }>;
}

/** Keys never taken from the environment (the secret has its own variable). */
const NOT_FROM_ENV = new Set(['report.token']);

export function envWord(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/gu, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/gu, '$1_$2')
    .toUpperCase();
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  const?: unknown;
};

function leafKind(node: JsonSchema): EnvValueKind | 'object' | undefined {
  if (node.anyOf !== undefined) {
    const kinds = node.anyOf.map((n) => (n.const === false ? 'false' : leafKind(n)));
    if (kinds.length === 2 && kinds.includes('false') && kinds.includes('string')) return 'string-or-false';
    return undefined;
  }
  switch (node.type) {
    case 'object':
      return node.properties === undefined ? undefined : 'object';
    case 'array': {
      const item = node.items === undefined ? undefined : leafKind(node.items);
      return item === 'string' || item === 'number' ? 'list' : undefined;
    }
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      // A bare enum ({ enum: [...] }) is a string here.
      return node.type === undefined && 'enum' in node ? 'string' : undefined;
  }
}

let derived: EnvTable | undefined;

/**
 * Every variable the configuration schema allows, derived from its JSON Schema (once per
 * process: the schema is a constant, and deriving it costs ~10 ms of start-up).
 */
export function envTable(): EnvTable {
  derived ??= deriveEnvTable();
  return derived;
}

function deriveEnvTable(): EnvTable {
  const root = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  const variables: EnvVariable[] = [];
  const sections = new Map<string, string>();
  const refused: EnvTable['refused'] = new Map();
  const refuse = (path: string[]): void => {
    refused.set(ENV_PREFIX + path.map(envWord).join('_'), {
      top: path[0] ?? '',
      message: `${path.join('.')} cannot be set from the environment: write it in the configuration file`,
    });
  };
  const walk = (node: JsonSchema, path: string[]): void => {
    const kind = leafKind(node);
    if (kind === 'object') {
      for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, [...path, key]);
      return;
    }
    if (NOT_FROM_ENV.has(path.join('.'))) return;
    if (kind === undefined) refuse(path);
    else variables.push({ name: ENV_PREFIX + path.map(envWord).join('_'), path, kind });
  };
  for (const [key, child] of Object.entries(root.properties ?? {})) {
    if (leafKind(child) === 'object') sections.set(envWord(key), key);
    walk(child, [key]);
  }
  return { variables, sections, refused };
}

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/iu;

/** The variable's text as the schema expects it; text that does not fit stays text, for the schema to refuse. */
export function envValue(kind: EnvValueKind, text: string): unknown {
  const t = text.trim();
  switch (kind) {
    case 'number':
      return NUMBER.test(t) ? Number(t) : text;
    case 'boolean': {
      const v = t.toLowerCase();
      if (['true', 'yes', 'on', '1'].includes(v)) return true;
      if (['false', 'no', 'off', '0'].includes(v)) return false;
      return text;
    }
    case 'list':
      if (t.startsWith('[')) {
        try {
          return JSON.parse(t) as unknown;
        } catch {
          return text;
        }
      }
      return t
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'string-or-false':
      return ['false', 'off', 'no'].includes(t.toLowerCase()) ? false : text;
    case 'string':
      return text;
  }
}

/** Variables the file (or the defaults) name as secret sources: never overrides. */
export function secretVariables(raw: unknown): Set<string> {
  const names = new Set([DEFAULT_TOKEN_ENV, DEFAULT_HMAC_SECRET_ENV]);
  const doc = asRecord(raw);
  const report = asRecord(doc?.report);
  for (const key of ['tokenEnv', 'hmacSecretEnv']) {
    const v = report?.[key];
    if (typeof v === 'string') names.add(v);
  }
  const credentials = doc?.credentials;
  if (Array.isArray(credentials)) {
    for (const c of credentials) {
      const v = asRecord(c)?.passwordEnv;
      if (typeof v === 'string') names.add(v);
    }
  }
  return names;
}

export interface AppliedOverride {
  variable: string;
  path: string[];
}

export interface EnvOverrideResult {
  /** The document with the overrides merged in (a copy; the input is not changed). */
  raw: unknown;
  applied: AppliedOverride[];
  problems: string[];
}

export interface EnvOverrideOptions {
  /** Only these top-level keys (e.g. ['report', 'dataDir'] for the outbox commands). */
  only?: readonly string[];
}

/**
 * Merges the `CAMSWEEP_*` overrides into the parsed file. Problems (a variable that names a
 * section but no key of it, a section that cannot come from the environment) are returned,
 * not thrown, so the caller reports them with the schema's.
 */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv, options: EnvOverrideOptions = {}): EnvOverrideResult {
  const table = envTable();
  const byName = new Map(table.variables.map((v) => [v.name, v]));
  const secrets = secretVariables(raw);
  const within = (top: string): boolean => options.only === undefined || options.only.includes(top);
  const doc = asRecord(raw);
  const out: Record<string, unknown> | undefined = doc === undefined ? undefined : structuredClone(doc);
  const applied: AppliedOverride[] = [];
  const problems: string[] = [];

  for (const name of Object.keys(env).filter((n) => n.startsWith(ENV_PREFIX)).sort()) {
    const text = env[name];
    if (text === undefined || text === '' || secrets.has(name) || OTHER_VARIABLES.has(name)) continue;
    const variable = byName.get(name);
    if (variable === undefined) {
      const refusal = table.refused.get(name) ?? [...table.refused].find(([prefix]) => name.startsWith(`${prefix}_`))?.[1];
      if (refusal !== undefined) {
        if (within(refusal.top)) problems.push(`$${name}: ${refusal.message}`);
        continue;
      }
      // Unknown whatever section the caller reads: a typo is an error for every command.
      problems.push(unknownVariable(name, table, secrets));
      continue;
    }
    if (!within(variable.path[0] ?? '')) continue;
    if (out === undefined) continue; // the file is not a mapping: the schema reports it
    if (setPath(out, variable.path, envValue(variable.kind, text))) applied.push({ variable: name, path: variable.path });
  }
  return { raw: out ?? raw, applied, problems };
}

/** Every `CAMSWEEP_*` name camsweep knows: the overrides, the secrets, OTHER_VARIABLES. */
export function knownVariables(table: EnvTable = envTable(), secrets: ReadonlySet<string> = secretVariables(undefined)): string[] {
  return [...new Set([...table.variables.map((v) => v.name), ...secrets, ...OTHER_VARIABLES.keys()])].filter((n) => n.startsWith(ENV_PREFIX)).sort();
}

/** The problem line for an unknown `CAMSWEEP_*` variable, with the nearest known name. */
export function unknownVariable(name: string, table: EnvTable = envTable(), secrets: ReadonlySet<string> = secretVariables(undefined)): string {
  const known = knownVariables(table, secrets);
  const near = nearest(name, known);
  const word = name.slice(ENV_PREFIX.length).split('_')[0] ?? '';
  const section = table.sections.get(word);
  const what = section === undefined ? 'not a camsweep variable' : `no such setting in ${section}`;
  if (near !== undefined) return `$${name}: ${what} (did you mean $${near}?)`;
  const sectionNames = section === undefined ? [] : table.variables.filter((v) => v.path[0] === section).map((v) => v.name);
  return `$${name}: ${what} (known: ${(sectionNames.length > 0 ? sectionNames : known).join(', ')})`;
}

/**
 * Only the unknown `CAMSWEEP_*` variables, for commands that read no configuration file
 * (`fingerprints verify`, `receive`, the inventory commands given --data-dir).
 */
export function unknownVariableProblems(env: NodeJS.ProcessEnv, raw?: unknown): string[] {
  const table = envTable();
  const secrets = secretVariables(raw);
  const known = new Set(knownVariables(table, secrets));
  return Object.keys(env)
    .filter((n) => n.startsWith(ENV_PREFIX) && env[n] !== undefined && env[n] !== '' && !known.has(n))
    .filter((n) => !table.refused.has(n) && ![...table.refused.keys()].some((prefix) => n.startsWith(`${prefix}_`)))
    .sort()
    .map((n) => unknownVariable(n, table, secrets));
}

/** The closest name within a small edit distance (a typo), or undefined. */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(2, Math.floor((name.length - ENV_PREFIX.length) / 4));
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= limit ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps (REPROT -> REPORT is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j]!;
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * cols + j] = v;
    }
  }
  return at(a.length, b.length);
}

/** The variable that set `path` (or a parent of it), for error messages. */
export function overrideFor(applied: readonly AppliedOverride[], path: ReadonlyArray<PropertyKey>): string | undefined {
  const dotted = path.map(String).join('.');
  return applied.find((a) => dotted === a.path.join('.') || dotted.startsWith(`${a.path.join('.')}.`))?.variable;
}

function setPath(doc: Record<string, unknown>, path: string[], value: unknown): boolean {
  let node = doc;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
      continue;
    }
    const rec = asRecord(next);
    // Something that is not a mapping where a section belongs: the schema reports the file's error.
    if (rec === undefined) return false;
    node = rec;
  }
  const last = path.at(-1);
  if (last === undefined) return false;
  node[last] = value;
  return true;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
