import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MANIFEST } from './manifest/index.ts';
import { observe, readFixture } from './observe.ts';
import { CASE_IP } from './run.ts';
import { isJudged } from './types.ts';

/**
 * Keeps the corpus cases honest: every evidence field they produce is one the real decoders
 * and enrichers emit. The allowed fields are read from the sources themselves: every
 * `add('field', ...)` and `add(\`template.${...}\`, ...)` under src/discovery and src/enrich.
 */

const SRC = new URL('../../src/', import.meta.url);

function sourceFiles(dir: URL): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const url = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    if (entry.isDirectory()) out.push(...sourceFiles(url));
    else if (entry.name.endsWith('.ts')) out.push(readFileSync(url, 'utf8'));
  }
  return out;
}

function emittedFieldPatterns(): RegExp[] {
  const patterns: RegExp[] = [];
  for (const source of [...sourceFiles(new URL('discovery/', SRC)), ...sourceFiles(new URL('enrich/', SRC))]) {
    for (const m of source.matchAll(/\badd\(\s*'([a-z][\w.-]*)'/gu)) patterns.push(new RegExp(`^${m[1]!.replace(/\./gu, '\\.')}$`, 'u'));
    for (const m of source.matchAll(/\badd\(\s*`([^`]+)`/gu)) {
      const body = m[1]!
        .split(/\$\{[^}]+\}/u)
        .map((part) => part.replace(/[.*+?^$()|[\]\\]/gu, '\\$&'))
        .join('.+');
      patterns.push(new RegExp(`^${body}$`, 'u'));
    }
  }
  return patterns;
}

describe('corpus evidence fields', () => {
  const patterns = emittedFieldPatterns();

  it('finds the decoders\' field names in the sources', () => {
    const sample = ['wsd.type', 'onvif.manufacturer', 'onvif.namespace', 'ssdp.server', 'ssdp.header.x-user-agent', 'upnp.modelName', 'mdns.txt.vendor', 'http.realm', 'sadp.reply', 'dhip.vendor', 'onvif.scope.name'];
    for (const field of sample) expect(patterns.some((p) => p.test(field)), field).toBe(true);
    expect(patterns.some((p) => p.test('recog.example'))).toBe(false);
  });

  it('uses only fields the real decoders and enrichers emit, in every case', async () => {
    const seen = new Set<string>();
    for (const entry of MANIFEST) {
      for (const c of entry.cases) {
        if (!isJudged(c)) continue;
        for (const obs of await observe(c.read, readFixture(entry.fixture!), CASE_IP)) for (const e of obs.evidence) seen.add(e.field);
      }
    }
    const unknown = [...seen].filter((field) => !patterns.some((p) => p.test(field)));
    expect(unknown).toEqual([]);
    expect(seen.size).toBeGreaterThan(50);
  });
});
