import { describe, expect, it } from 'vitest';
import { PROTOCOLS, type Evidence, type Protocol } from '../../../src/domain/types.ts';
import { loadFingerprintDb } from '../../../src/fingerprint/db.ts';
import { attribute } from '../../../src/fingerprint/match.ts';
import { selfCheck } from '../../../src/fingerprint/selfcheck.ts';

/**
 * THE example test (Recog style): every example of every fingerprint in config/fingerprints
 * is fed to attribute() as device evidence (with its context) and must be matched by its own
 * entry - not first by another one - extracting exactly the claims it declares. Every
 * counter-example must produce no claim for the entry's maker (or label).
 */

const db = loadFingerprintDb();

function protocolOf(field: string): Protocol {
  if (field.startsWith('onvif.scope.')) return 'wsd';
  const root = field.split('.')[0] as Protocol;
  return PROTOCOLS.includes(root) ? root : 'http';
}

const ev = (field: string, value: string): Evidence => ({ protocol: protocolOf(field), field, value });

describe('fingerprint database examples', () => {
  it('loads with fingerprints from every vendor file', () => {
    expect(db.fingerprints.length).toBeGreaterThan(100);
    expect(db.files).toEqual(expect.arrayContaining(['hikvision', 'dahua', 'axis', 'uniview', 'tiandy', 'huawei', 'zte', 'hytera', 'panasonic', 'generic']));
  });

  it('passes its own self-check (no problems at all)', () => {
    expect(selfCheck(db)).toEqual([]);
  });

  for (const fp of db.fingerprints) {
    describe(fp.id, () => {
      fp.examples.forEach((ex, i) => {
        it(`example ${i}: ${ex.field} "${ex.value}" is matched first by this entry and yields its claims`, () => {
          const evidence = [ev(ex.field, ex.value), ...ex.context.map((c) => ev(c.field, c.value))];
          const a = attribute(evidence, db);
          const hit = a.matches.find((m) => m.field === ex.field && m.value === ex.value);
          expect(hit?.fingerprint, `matched by ${hit?.fingerprint ?? 'nothing'}`).toBe(fp.id);
          expect(hit?.claims).toEqual(ex.claims);
          expect(hit?.weight).toBe(fp.weight);
        });
      });
      fp.counterExamples.forEach((ce, i) => {
        it(`counter-example ${i}: ${ce.field} "${ce.value}" does not fire`, () => {
          const a = attribute([ev(ce.field, ce.value)], db);
          expect(a.matches.map((m) => m.fingerprint)).not.toContain(fp.id);
          if (fp.claims.manufacturer !== undefined) {
            expect(a.candidates.map((c) => c.manufacturer)).not.toContain(fp.claims.manufacturer);
          } else if (fp.claims.brand !== undefined) {
            expect(a.matches.map((m) => m.claims.brand)).not.toContain(fp.claims.brand);
          }
        });
      });
    });
  }
});
