import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Yaml from 'yaml';

/**
 * Parsed YAML kept between runs (docs/performance.md). Parsing the packaged fingerprint files
 * and the vendor vocabulary with the `yaml` package cost ~300 ms of CPU on every sweep, JSON.parse
 * of the same values ~2 ms. A snapshot holds, for each YAML text it was given, the value that
 * text parses to, keyed by the SHA-256 of the parser's version, the parse options and the text
 * itself: an edited file, another parser version or other options is a miss and is parsed
 * anew, so the snapshot can only ever give what parsing would. Everything downstream (schema,
 * vocabulary and regex checks, compilation) runs on every load as before.
 *
 * - A value is kept only when JSON gives it back exactly (plain objects and arrays, strings,
 *   finite numbers other than -0, booleans, null); anything else is parsed every time.
 * - A text that does not parse is never kept: its error is the parser's, every time.
 * - The file is read once and rewritten (to a temporary name, then renamed, so concurrent runs
 *   never read half a file) only when something was parsed anew or an entry went unused; a
 *   snapshot that cannot be read is ignored, one that cannot be written is no error: the next
 *   run parses again.
 * - Where it lives (packageSnapshotFile): inside the package's own node_modules/.cache, as
 *   trusted as the code beside it; it is used only for the package's own data files, never for
 *   a file an operator passes.
 */

export interface YamlSnapshot {
  /**
   * What `text` parses to with `options`: from the snapshot when it holds it, else `parse()`
   * (which may throw: then nothing is kept). `options` names the parse for the key.
   */
  value(text: string, options: Readonly<Record<string, unknown>>, parse: () => unknown): unknown;
  /** Writes the snapshot when it changed (best effort, never throws). */
  save(): void;
  /** Values taken from the snapshot, and values parsed anew, since it was opened. */
  readonly stats: { hits: number; misses: number };
}

/** Format of the snapshot file; a change makes every old file a miss. */
const FORMAT = 1;

interface SnapshotFile {
  format: number;
  /** Key -> the value's JSON text (parsed only when asked for, and written back as it was read). */
  entries: Record<string, string>;
}

const require = createRequire(import.meta.url);
let yamlModule: typeof Yaml | undefined;

/** The `yaml` package, loaded on first use: a run whose every value comes from a snapshot never loads it. */
export function yaml(): typeof Yaml {
  yamlModule ??= require('yaml') as typeof Yaml;
  return yamlModule;
}

let parserVersion: string | undefined;
function yamlVersion(): string {
  parserVersion ??= (require('yaml/package.json') as { version: string }).version;
  return parserVersion;
}

/** The package's snapshot directory (from src/ and dist/ alike: both one level under the root). */
export const PACKAGE_SNAPSHOT_DIR = fileURLToPath(new URL('../../node_modules/.cache/camsweep/', import.meta.url));

export function packageSnapshotFile(name: string): string {
  return `${PACKAGE_SNAPSHOT_DIR}${name}.json`;
}

/** True when JSON.stringify then JSON.parse gives back exactly this value. */
export function jsonExact(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      if (!(i in value) || !jsonExact(value[i], depth + 1)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  // An own key named like Object.prototype's accessor stays an own key through JSON too.
  for (const key of Object.keys(value)) if (!jsonExact((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

function readSnapshot(file: string): Map<string, string> {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<SnapshotFile> | null;
    if (raw === null || typeof raw !== 'object' || raw.format !== FORMAT || raw.entries === null || typeof raw.entries !== 'object') return new Map();
    return new Map(Object.entries(raw.entries).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    // Missing, unreadable or not JSON: an empty snapshot (everything is parsed).
    return new Map();
  }
}

function writeSnapshot(file: string, entries: ReadonlyMap<string, string>): void {
  const body: SnapshotFile = { format: FORMAT, entries: Object.fromEntries(entries) };
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temp, JSON.stringify(body));
    renameSync(temp, file);
  } catch {
    // A read-only package (an image, a system-wide install): the next run parses again.
    rmSync(temp, { force: true });
  }
}

/** A snapshot kept in `file`; with `undefined`, none (every value is parsed). */
export function openYamlSnapshot(file: string | undefined): YamlSnapshot {
  const stats = { hits: 0, misses: 0 };
  if (file === undefined) {
    return {
      value: (_text, _options, parse) => parse(),
      save: () => undefined,
      stats,
    };
  }
  const stored = readSnapshot(file);
  const used = new Map<string, string>();
  let changed = false;
  return {
    value(text, options, parse) {
      const key = createHash('sha256').update(JSON.stringify([FORMAT, yamlVersion(), options])).update('\0').update(text).digest('hex');
      // Each call gets values of its own (JSON.parse of the kept text): a caller may change what it gets.
      const kept = used.get(key) ?? stored.get(key);
      if (kept !== undefined) {
        try {
          const value: unknown = JSON.parse(kept);
          stats.hits += 1;
          used.set(key, kept);
          return value;
        } catch {
          // A damaged entry: parsed anew below, and replaced.
        }
      }
      stats.misses += 1;
      const value = parse();
      if (jsonExact(value)) {
        used.set(key, JSON.stringify(value));
        changed = true;
      }
      return value;
    },
    save() {
      if (!changed && used.size === stored.size) return;
      writeSnapshot(file, used);
    },
    stats,
  };
}
