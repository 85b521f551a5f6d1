import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { jsonExact, openYamlSnapshot } from '../../../src/util/yaml-snapshot.ts';
import { FINGERPRINT_SNAPSHOT, loadFingerprintDb } from '../../../src/fingerprint/db.ts';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'camsweep-snapshot-'));
  dirs.push(dir);
  return join(dir, 'sub', 'snap.json');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const OPTIONS = { maxAliasCount: 10 };
const counted = (text: string): { parse: () => unknown; calls: () => number } => {
  let calls = 0;
  return {
    parse: () => {
      calls += 1;
      return parse(text, OPTIONS) as unknown;
    },
    calls: () => calls,
  };
};

describe('yaml snapshot', () => {
  it('parses once, then gives the same value from the file in the next run', () => {
    const file = tempFile();
    const text = 'a: 1\nb: [x, "y", 2.5, true, null]\nc: { d: e }\n';
    const first = openYamlSnapshot(file);
    const p1 = counted(text);
    const v1 = first.value(text, OPTIONS, p1.parse);
    first.save();
    expect(p1.calls()).toBe(1);
    expect(existsSync(file)).toBe(true);

    const second = openYamlSnapshot(file);
    const p2 = counted(text);
    const v2 = second.value(text, OPTIONS, p2.parse);
    expect(p2.calls()).toBe(0);
    expect(v2).toEqual(v1);
    expect(second.stats).toEqual({ hits: 1, misses: 0 });
  });

  it('an edited text, or other options, is a miss: never a stale value', () => {
    const file = tempFile();
    const s = openYamlSnapshot(file);
    s.value('a: 1\n', OPTIONS, () => parse('a: 1\n'));
    s.save();
    const again = openYamlSnapshot(file);
    expect(again.value('a: 2\n', OPTIONS, () => parse('a: 2\n'))).toEqual({ a: 2 });
    expect(again.value('a: 1\n', { other: true }, () => ({ parsed: 'anew' }))).toEqual({ parsed: 'anew' });
    expect(again.stats).toEqual({ hits: 0, misses: 2 });
  });

  it('keeps only what the last run used', () => {
    const file = tempFile();
    const s = openYamlSnapshot(file);
    s.value('a: 1\n', OPTIONS, () => parse('a: 1\n'));
    s.value('b: 1\n', OPTIONS, () => parse('b: 1\n'));
    s.save();
    const t = openYamlSnapshot(file);
    t.value('a: 1\n', OPTIONS, () => parse('a: 1\n'));
    t.save();
    const entries = Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { entries: object }).entries);
    expect(entries).toHaveLength(1);
  });

  it('gives each caller a value of its own', () => {
    const file = tempFile();
    const s = openYamlSnapshot(file);
    s.value('a: [1]\n', OPTIONS, () => parse('a: [1]\n'));
    s.save();
    const t = openYamlSnapshot(file);
    const v = t.value('a: [1]\n', OPTIONS, () => parse('a: [1]\n')) as { a: number[] };
    v.a.push(2);
    expect(t.value('a: [1]\n', OPTIONS, () => parse('a: [1]\n'))).toEqual({ a: [1] });
  });

  it('never keeps a text that does not parse, nor a value JSON cannot hold exactly', () => {
    const file = tempFile();
    const s = openYamlSnapshot(file);
    expect(() => s.value('a: [\n', OPTIONS, () => parse('a: [\n'))).toThrow();
    s.value('a: .inf\n', OPTIONS, () => parse('a: .inf\n'));
    s.save();
    const t = openYamlSnapshot(file);
    expect(() => t.value('a: [\n', OPTIONS, () => parse('a: [\n'))).toThrow();
    expect(t.value('a: .inf\n', OPTIONS, () => parse('a: .inf\n'))).toEqual({ a: Infinity });
    expect(t.stats.hits).toBe(0);
  });

  it('a damaged file is ignored and replaced, an unwritable place is no error', () => {
    const file = tempFile();
    const s = openYamlSnapshot(file);
    s.value('a: 1\n', OPTIONS, () => parse('a: 1\n'));
    s.save();
    writeFileSync(file, '{"format":1,"entries":{');
    const t = openYamlSnapshot(file);
    expect(t.value('a: 1\n', OPTIONS, () => parse('a: 1\n'))).toEqual({ a: 1 });
    expect(t.stats).toEqual({ hits: 0, misses: 1 });
    t.save();
    expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { entries: object }).entries)).toHaveLength(1);

    const readOnly = mkdtempSync(join(tmpdir(), 'camsweep-snapshot-ro-'));
    dirs.push(readOnly);
    chmodSync(readOnly, 0o500);
    try {
      const r = openYamlSnapshot(join(readOnly, 'x', 'snap.json'));
      expect(r.value('a: 1\n', OPTIONS, () => parse('a: 1\n'))).toEqual({ a: 1 });
      expect(() => r.save()).not.toThrow();
    } finally {
      chmodSync(readOnly, 0o700);
    }
  });

  it('jsonExact: only what JSON gives back unchanged', () => {
    expect(jsonExact({ a: [1, 'x', true, null, { b: 2 }] })).toBe(true);
    expect(jsonExact({ a: Number.NaN })).toBe(false);
    expect(jsonExact(-0)).toBe(false);
    expect(jsonExact(undefined)).toBe(false);
    expect(jsonExact({ a: undefined })).toBe(false);
    expect(jsonExact(new Date(0))).toBe(false);
    expect(jsonExact(new Map())).toBe(false);
    expect(jsonExact([1, , 2])).toBe(false); // eslint-disable-line no-sparse-arrays
    const ownProto = JSON.parse('{"__proto__": 1}') as object;
    expect(jsonExact(ownProto)).toBe(true);
    expect(Object.getPrototypeOf(JSON.parse(JSON.stringify(ownProto)))).toBe(Object.prototype); // still an own key
  });
});

describe('the fingerprint database with a snapshot', () => {
  it('loads the same database from the snapshot as from the YAML', () => {
    const file = tempFile();
    const plain = loadFingerprintDb({ snapshotFile: false });
    const filled = loadFingerprintDb({ snapshotFile: file });
    const fromSnapshot = loadFingerprintDb({ snapshotFile: file });
    const shape = (db: typeof plain): unknown => db.fingerprints.map((fp) => ({ ...fp, regex: String(fp.regex), requires: fp.requires.map((r) => ({ ...r, regex: String(r.regex) })) }));
    expect(shape(filled)).toEqual(shape(plain));
    expect(shape(fromSnapshot)).toEqual(shape(plain));
    expect(fromSnapshot.vocabulary.names).toEqual(plain.vocabulary.names);
    expect(FINGERPRINT_SNAPSHOT).toBe('fingerprints');
  });
});
