/**
 * The real captures under tests/fixtures, as seeds for mutation. Documentation files
 * (README.md, SOURCES.md, INDEX.md) are not captures. Every parser family fuzzes every file
 * of its own area(s), so a capture added later is fuzzed without touching these tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Capture {
  /** `<area>/<file>`, e.g. `wsd/axis.m2036-le.ProbeMatches.xml`. */
  name: string;
  bytes: Buffer;
}

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const DOCS = /^(?:README|SOURCES|INDEX)\.md$/u;

/** Every capture in tests/fixtures/<area>, optionally only file names matching `include`. */
export function captures(area: string, include?: RegExp): Capture[] {
  const dir = join(FIXTURES, area);
  return readdirSync(dir)
    .filter((f) => !DOCS.test(f) && (include === undefined || include.test(f)))
    .sort()
    .map((f) => ({ name: `${area}/${f}`, bytes: readFileSync(join(dir, f)) }));
}

/** Every capture of every area: foreign input for a parser (a DHIP reply sent to the SSDP decoder). */
export function allCaptures(): Capture[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .flatMap((area) => captures(area));
}

/** Deduplicated by name, in first-seen order. */
export function uniqueCaptures(...lists: Capture[][]): Capture[] {
  const seen = new Set<string>();
  const out: Capture[] = [];
  for (const c of lists.flat()) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    out.push(c);
  }
  return out;
}
