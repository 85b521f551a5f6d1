import { hash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Evidence } from '../domain/types.ts';
import { packageSnapshotFile } from '../util/yaml-snapshot.ts';

/**
 * MAC address -> IEEE registrant, from the `oui-data` package (the IEEE MA-L, MA-M and MA-S
 * registries as one JSON object: 6, 7 or 9 hex digits -> "Organisation\naddress lines").
 *
 * - The longest assignment wins: 9 hex digits (MA-S, /36), then 7 (MA-M, /28), then 6 (MA-L, /24).
 * - The organisation is the registry's first line, exactly: fingerprints match it whole,
 *   never by substring ("Shanghai Dahua Scale Factory" is not Dahua Technology).
 * - A MA-L block that the IEEE split into MA-M/MA-S blocks is registered to "IEEE Registration
 *   Authority": a MAC in such a block whose sub-block is not in this registry has no known
 *   registrant (undefined), never "IEEE Registration Authority".
 * - Locally administered addresses (bit 0x02 of the first octet: randomised phone MACs,
 *   virtual interfaces, containers) are reported as such and never looked up; group
 *   (multicast) addresses (bit 0x01) name no device and give undefined.
 */

export type OuiRegistry = 'MA-L' | 'MA-M' | 'MA-S';

export interface OuiAssignment {
  /** The assigned prefix as the registry writes it: 6, 7 or 9 upper-case hex digits. */
  prefix: string;
  registry: OuiRegistry;
  /** The registrant's name, exactly as the registry's first line gives it. */
  organisation: string;
}

export type OuiResult = OuiAssignment | { local: true };

/** The registry as a plain prefix -> text object (the shape of oui-data's index.json). */
export type OuiTable = Readonly<Record<string, string>>;

const REGISTRY_BY_LENGTH: ReadonlyArray<readonly [number, OuiRegistry]> = [
  [9, 'MA-S'],
  [7, 'MA-M'],
  [6, 'MA-L'],
];

/** Blocks the IEEE split into smaller assignments carry this registrant on the MA-L level. */
const SPLIT_BLOCK = 'IEEE Registration Authority';

/** Twelve upper-case hex digits from a MAC in any common notation, or undefined. */
export function macHex(mac: string): string | undefined {
  if (typeof mac !== 'string' || mac.length > 32) return undefined;
  const hex = mac.trim().replace(/[:.\-\s]/gu, '').toUpperCase();
  return /^[0-9A-F]{12}$/u.test(hex) ? hex : undefined;
}

export interface OuiLookup {
  lookup(mac: string): OuiResult | undefined;
}

/**
 * A lookup over `load()`'s registry, loaded on the first lookup and kept: a prefix -> text
 * table (whose entries are cut to their first line) or, from loadOuiNames, the names already.
 */
export function createOuiLookup(load: () => OuiTable | ReadonlyMap<string, string> = loadOuiNames): OuiLookup {
  let table: ReadonlyMap<string, string> | undefined;
  const get = (): ReadonlyMap<string, string> => {
    if (!table) {
      const raw = load();
      if (raw instanceof Map) {
        table = raw;
      } else {
        const map = new Map<string, string>();
        for (const [prefix, text] of Object.entries(raw as OuiTable)) {
          if (typeof text === 'string') map.set(prefix.toUpperCase(), firstLine(text));
        }
        table = map;
      }
    }
    return table;
  };
  return {
    lookup(mac: string): OuiResult | undefined {
      const hex = macHex(mac);
      if (hex === undefined) return undefined;
      const first = Number.parseInt(hex.slice(0, 2), 16);
      if ((first & 0x01) !== 0) return undefined; // group address: not a device
      if ((first & 0x02) !== 0) return { local: true };
      if (/^0+$/u.test(hex)) return undefined;
      const map = get();
      for (const [length, registry] of REGISTRY_BY_LENGTH) {
        const prefix = hex.slice(0, length);
        const organisation = map.get(prefix);
        if (organisation === undefined) continue;
        if (organisation === SPLIT_BLOCK || organisation === '') return undefined;
        return { prefix, registry, organisation };
      }
      return undefined;
    },
  };
}

const firstLine = (text: string): string => {
  const nl = text.indexOf('\n');
  return (nl < 0 ? text : text.slice(0, nl)).trim();
};

function ouiDataPath(): string {
  return createRequire(import.meta.url).resolve('oui-data');
}

/** Reads oui-data's index.json (about 5.6 MB) whole. */
export function loadOuiData(): OuiTable {
  const path = ouiDataPath();
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`oui-data at ${path} is not a prefix table`);
  }
  return parsed as OuiTable;
}

/**
 * One entry of index.json up to the end of its first line: `"<6-9 hex digits>": "<first line>`,
 * the opening quote not escaped (so never inside a value), the line ending at the value's first
 * `\n` escape or its closing quote.
 */
const ENTRY = /(?<=[{,\s])"([0-9A-Fa-f]{6,9})"\s*:\s*"((?:[^"\\]|\\[^n])*)/gu;

/**
 * Prefix -> registrant, read by scanning index.json's text for each entry's first line instead
 * of JSON.parse of the whole, which builds every address line too (measured: peak RSS ~20 MB
 * lower, 30 % faster). Names are decoded as JSON strings and shared between prefixes. Falls back
 * to the whole parse if the scan finds nothing (a changed layout); a test checks that both
 * agree on every entry of the installed package.
 */
export function parseOuiNames(text: string): Map<string, string> {
  const map = new Map<string, string>();
  const names = new Map<string, string>();
  for (const m of text.matchAll(ENTRY)) {
    let name: string;
    try {
      name = (JSON.parse(`"${m[2]!}"`) as string).trim();
    } catch {
      continue;
    }
    const shared = names.get(name);
    if (shared === undefined) names.set(name, name);
    map.set(m[1]!.toUpperCase(), shared ?? name);
  }
  return map;
}

/** The package's snapshot of the registry's names (docs/performance.md). */
export const OUI_SNAPSHOT_FILE = packageSnapshotFile('oui').replace(/\.json$/u, '.tsv');

/** First line of a snapshot: format and the SHA-1 of the index.json bytes the names came from. */
const snapshotHeader = (source: string): string => `camsweep-oui-names 1 ${source}\n`;

/**
 * The names read from the registry before, when `file` holds them for exactly these bytes (by
 * their SHA-1): one `PREFIX<TAB>name` line each. Scanning the 5.6 MB text costs ~100 ms of CPU
 * at the end of every sweep; hashing its bytes and reading the names back, ~25 ms.
 */
function snapshotNames(file: string, source: string): Map<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const header = snapshotHeader(source);
  if (!text.startsWith(header)) return undefined;
  const map = new Map<string, string>();
  const lines = text.slice(header.length).split('\n');
  for (const line of lines) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    if (tab < 6) return undefined;
    map.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return map;
}

function saveNames(file: string, source: string, names: ReadonlyMap<string, string>): void {
  const lines: string[] = [];
  for (const [prefix, name] of names) {
    if (/[\t\n]/u.test(name) || /[\t\n]/u.test(prefix)) return; // not representable: scan every time
    lines.push(`${prefix}\t${name}\n`);
  }
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temp, snapshotHeader(source) + lines.join(''));
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true }); // a read-only package: the next run scans again
  }
}

/**
 * The registry's names (parseOuiNames), or the whole-parse table if the scan finds none. With
 * `snapshotFile` (the package's by default; `false`: none), names scanned once are kept there,
 * keyed by the SHA-1 of the registry file's bytes, and read back while those are the same.
 */
export function loadOuiNames(snapshotFile: string | false = OUI_SNAPSHOT_FILE): ReadonlyMap<string, string> | OuiTable {
  const bytes = readFileSync(ouiDataPath());
  const source = snapshotFile === false ? '' : hash('sha1', bytes);
  if (snapshotFile !== false) {
    const kept = snapshotNames(snapshotFile, source);
    if (kept !== undefined && kept.size > 0) return kept;
  }
  const names = parseOuiNames(bytes.toString('utf8'));
  if (names.size === 0) return loadOuiData();
  if (snapshotFile !== false) saveNames(snapshotFile, source, names);
  return names;
}

/**
 * The package's registry, loaded once on first use. The table is immutable reference data;
 * tests and tools that want their own build one with createOuiLookup().
 */
const shared = createOuiLookup(() => loadOuiNames());

/** The IEEE registrant of a MAC (longest prefix first), `{ local: true }`, or undefined. */
export function lookupOui(mac: string): OuiResult | undefined {
  return shared.lookup(mac);
}

/**
 * What a MAC says about a device, as evidence (protocol `mac`): `mac.oui` (the registrant),
 * `mac.oui.prefix` and `mac.oui.registry`, or `mac.local` = `true`. Nothing for a malformed,
 * group or unregistered address.
 */
export function macEvidence(mac: string, registry: OuiLookup = shared): Evidence[] {
  const result = registry.lookup(mac);
  if (!result) return [];
  if ('local' in result) return [{ protocol: 'mac', field: 'mac.local', value: 'true' }];
  return [
    { protocol: 'mac', field: 'mac.oui', value: result.organisation },
    { protocol: 'mac', field: 'mac.oui.prefix', value: result.prefix },
    { protocol: 'mac', field: 'mac.oui.registry', value: result.registry },
  ];
}

/** `evidence` plus the MAC's evidence (when not already there). */
export function withMacEvidence(evidence: readonly Evidence[], mac: string | null | undefined, registry: OuiLookup = shared): Evidence[] {
  const out = [...evidence];
  if (!mac) return out;
  for (const e of macEvidence(mac, registry)) {
    if (!out.some((o) => o.field === e.field && o.value === e.value)) out.push(e);
  }
  return out;
}
