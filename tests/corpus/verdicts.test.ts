import { describe, expect, it } from 'vitest';
import { MANIFEST, RESTRICTED_MAKERS } from './manifest/index.ts';
import { observe, readFixture } from './observe.ts';
import { CASE_IP, defaultJudge, runCase, type Outcome } from './run.ts';
import { isJudged, type JudgedCase } from './types.ts';

/**
 * Every usable corpus capture, through the real decoders, the merger, the fingerprint
 * database and the default policy, against the verdict INDEX.md's facts call for.
 */

const judge = defaultJudge();

function explain(c: JudgedCase, o: Outcome): string {
  const d = o.device;
  const got = `got manufacturer=${d.manufacturer} brand=${d.brand} kind=${d.kind} status=${d.status} (confidence ${d.confidence})`;
  const fingerprints = d.attribution?.matches.map((m) => `${m.fingerprint} <- ${m.field}="${m.value}"`).join('; ') || 'no fingerprint matched';
  return `${c.id}: ${got}; expected ${JSON.stringify(c.expect)}; ${fingerprints}; verdict: ${d.verdict.reason}`;
}

describe.each(MANIFEST.filter((e) => e.cases.length > 0).map((e) => [e.corpus, e] as const))('%s', (_corpus, entry) => {
  for (const c of entry.cases) {
    if (!isJudged(c)) {
      const read = c.read;
      if (read === undefined) continue;
      it(`${c.id}: not observable (${c.unusable.slice(0, 60)}...)`, async () => {
        expect(await observe(read, readFixture(entry.fixture!), CASE_IP)).toEqual([]);
      });
      continue;
    }

    it(c.id, async () => {
      const o = await runCase(entry, c, judge);
      const why = explain(c, o);
      if (c.gap) {
        // A known gap: still there, exactly as described, and on the safe side.
        expect([...o.mismatches].sort(), why).toEqual([...c.gap.fields].sort());
        if (c.gap.fields.includes('status')) expect(o.device.status, why).toBe('review');
      } else {
        expect(o.mismatches, why).toEqual([]);
      }
      expect(o.trapFired, why).toEqual([]);

      const truth = c.truth === undefined ? c.expect.manufacturer : c.truth;
      if (truth !== null && RESTRICTED_MAKERS.includes(truth)) {
        // A restricted maker's device is never cleared, whatever the capture shows.
        expect(o.device.status, why).not.toBe('clear');
      }
      if (c.expect.status === 'restricted') {
        // ...and a restricted verdict names the pack, rule and source behind it.
        expect(o.device.verdict, why).toMatchObject({ status: 'restricted', pack: expect.any(String), rule: expect.any(String), source: { url: expect.any(String) } });
      }
    });
  }
});
