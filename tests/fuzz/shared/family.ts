/**
 * The capture-driven part every parser family shares, as vitest cases: the seed list covers
 * every capture of the family's areas; every capture is cut at every byte; every capture is
 * mutated. The family's own generators and the 10,000-input floor are added by its file.
 */
import { expect, it } from 'vitest';
import { captures, type Capture } from './captures.ts';
import { everyCut, mutantsOf } from './mutate.ts';
import { fuzz, MIN_INPUTS, sweep, type Tally } from './run.ts';

export interface CaptureFamily {
  /** Label used in property names and seeds (`wsd`). */
  family: string;
  /** Areas under tests/fixtures whose every capture must be among `seeds`. */
  areas: ReadonlyArray<{ area: string; include?: RegExp }>;
  seeds: readonly Capture[];
  /** Captures spliced into mutants (default: the seeds). */
  pool?: readonly Capture[];
  /**
   * Seeds cut at every byte (default all). The XML helpers leave out the captures whose own
   * family already cuts them through the same parseXml.
   */
  cut?: (seed: Capture) => boolean;
  /** Mutants in all, spread evenly over the seeds (each seed gets at least 50). */
  mutants: number;
  /** Feeds one input through the family's parsers, checking every property; throws on a violation. */
  input: (bytes: Buffer) => void;
}

export function captureCases(f: CaptureFamily): void {
  it(`fuzzes every ${f.areas.map((a) => a.area).join(' + ')} capture`, () => {
    const names = new Set(f.seeds.map((s) => s.name));
    const missing = f.areas.flatMap(({ area, include }) => captures(area, include).map((c) => c.name)).filter((n) => !names.has(n));
    expect(missing).toEqual([]);
    expect(f.seeds.length).toBeGreaterThan(0);
  });

  it('survives every capture cut at every byte', () => {
    for (const seed of f.seeds.filter(f.cut ?? (() => true))) {
      sweep(`${f.family} cuts of ${seed.name}`, everyCut(seed.bytes), f.input, (cut) => `the first ${cut.length} bytes`);
    }
  });

  it('survives mutants of every capture (flips, cuts, duplicated slices, hostile tokens, splices)', () => {
    const perSeed = Math.max(50, Math.ceil(f.mutants / f.seeds.length));
    for (const seed of f.seeds) {
      fuzz(`${f.family} mutants of ${seed.name}`, mutantsOf(seed, f.pool ?? f.seeds), (m) => f.input(m.bytes), perSeed);
    }
  });
}

/** The last case of a family file: every listed function saw at least MIN_INPUTS inputs. */
export function inputFloorCase(tally: Tally, functions: readonly string[], file: string): void {
  it(`ran at least ${MIN_INPUTS} inputs through each of ${functions.join(', ')}`, () => {
    tally.report(file);
    expect(tally.short(functions)).toEqual([]);
  });
}
