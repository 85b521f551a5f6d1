/**
 * The seeded runner. Every property runs from a seed derived from FUZZ_SEED and the
 * property's label, so a run is reproducible and one property's inputs do not depend on
 * another's. On failure the message names FUZZ_SEED and the property seed; fast-check adds
 * the counterexample (a mutant prints as its capture and mutations) and its replay path.
 *
 * Environment: FUZZ_SEED (default fixed, for CI), FUZZ_SCALE (multiplies every run count;
 * 10 for a long local run), FUZZ_MAX_MS (CPU time limit per input, default 50), FUZZ_STATS=1
 * (print inputs and time per parser function after each file). The time limit is per input
 * up to 64 KB, and grows linearly past that (a 256 KB document may take four times as long).
 */
import fc from 'fast-check';

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name}=${raw} is not a number`);
  return n;
}

export const FUZZ_SEED = Math.trunc(envNumber('FUZZ_SEED') ?? 20_261_126);
export const FUZZ_SCALE = envNumber('FUZZ_SCALE') ?? 1;
export const MAX_MS_PER_INPUT = envNumber('FUZZ_MAX_MS') ?? 50;
/** Inputs larger than this get proportionally more time: parsing is linear, not constant. */
export const TIME_BUDGET_BYTES = 64 * 1024;
/**
 * Longest a property may run, shrinking included: a guard against a runaway, in wall time (what
 * fast-check measures), so far above what a passing property takes (1-12 s here: the output
 * formats' 10,000 hostile sweeps are the longest) that a busy 2-core machine running the whole
 * suite stays under it; at 20 s the output property was cut at 5,600-6,100 inputs, under the
 * floor. What each input may cost is bounded in CPU time (MAX_MS_PER_INPUT).
 */
export const PROPERTY_TIME_LIMIT_MS = 60_000 * Math.max(1, FUZZ_SCALE);
/** vitest's limit for one case of a fuzz file (several properties; room for one shrink). */
export const CASE_TIMEOUT_MS = 120_000 * Math.max(1, FUZZ_SCALE);
/**
 * What the issue asks of every parser: this many generated or mutated inputs per run (fewer
 * for a quick run with FUZZ_SCALE below 1; a longer run does not raise the floor, since the
 * every-cut sweeps do not scale).
 */
export const MIN_INPUTS = Math.ceil(10_000 * Math.min(1, FUZZ_SCALE));

/** `n` scaled by FUZZ_SCALE (at least 1). */
export function runs(n: number): number {
  return Math.max(1, Math.round(n * FUZZ_SCALE));
}

function hash(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i += 1) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The seed fast-check uses for property `label`. */
function propertySeed(label: string): number {
  return (FUZZ_SEED ^ hash(label)) | 0;
}

/** CPU time (user + system, this process) that `fn` took, in ms. */
function cpuMs(fn: () => unknown): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

interface Stat {
  inputs: number;
  ms: number;
  maxMs: number;
}

/** Inputs and time per parser function, to check the 10,000-input floor and report cost. */
export class Tally {
  readonly stats = new Map<string, Stat>();

  /**
   * Runs `fn` (one input of `bytes` through one function), timing it against
   * MAX_MS_PER_INPUT. The time is the worker process's CPU time, so other processes busy on
   * the machine (other tests, builds) do not count; a GC pause does, so a slow measurement is
   * repeated (twice at most) and the fastest kept: a slow input is slow every time.
   */
  time<T>(name: string, fn: () => T, bytes = 0): T {
    const limit = MAX_MS_PER_INPUT * Math.max(1, bytes / TIME_BUDGET_BYTES);
    let out!: T;
    let ms = cpuMs(() => {
      out = fn();
    });
    for (let retry = 0; retry < 2 && ms > limit; retry += 1) ms = Math.min(ms, cpuMs(fn));
    if (ms > limit) throw new Error(`${name}: one ${bytes}-byte input took ${ms.toFixed(1)} ms of CPU (limit ${limit.toFixed(0)} ms)`);
    const s = this.stats.get(name) ?? { inputs: 0, ms: 0, maxMs: 0 };
    s.inputs += 1;
    s.ms += ms;
    s.maxMs = Math.max(s.maxMs, ms);
    this.stats.set(name, s);
    return out;
  }

  /** Functions that saw fewer than `min` inputs. */
  short(names: readonly string[], min = MIN_INPUTS): string[] {
    return names.filter((n) => (this.stats.get(n)?.inputs ?? 0) < min).map((n) => `${n}: ${this.stats.get(n)?.inputs ?? 0} inputs`);
  }

  report(file: string): void {
    if (process.env.FUZZ_STATS !== '1') return;
    const lines = [...this.stats].map(
      ([name, s]) => `  ${name.padEnd(32)} ${String(s.inputs).padStart(7)} inputs  ${s.ms.toFixed(0).padStart(6)} ms  max ${s.maxMs.toFixed(2)} ms`,
    );
    console.log(`fuzz ${file} (FUZZ_SEED=${FUZZ_SEED}, FUZZ_SCALE=${FUZZ_SCALE})\n${lines.join('\n')}`);
  }
}

/**
 * Runs `check` on `numRuns` (scaled) inputs drawn from `arb`, seeded from `label`.
 * Throws with the seeds to reproduce when a check fails.
 */
export function fuzz<T>(label: string, arb: fc.Arbitrary<T>, check: (input: T) => void, numRuns: number): void {
  const seed = propertySeed(label);
  try {
    fc.assert(
      fc.property(arb, (input) => {
        check(input);
      }),
      // Shrinking a large counterexample can take long: stop it (and any run this slow) after
      // PROPERTY_TIME_LIMIT_MS; the failure found so far is still reported.
      { seed, numRuns: runs(numRuns), includeErrorInReport: true, interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS, markInterruptAsFailure: true },
    );
  } catch (err) {
    throw new Error(`fuzz "${label}" failed: reproduce with FUZZ_SEED=${FUZZ_SEED} (property seed ${seed})\n${clip(err)}`, { cause: err });
  }
}

/** An error's message with every line cut to 2000 characters (a counterexample can be 70 KB). */
function clip(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message
    .split('\n')
    .map((line) => (line.length > 2000 ? `${line.slice(0, 2000)}…(${line.length} chars)` : line))
    .join('\n');
}

/** Runs `check` on each of `inputs` (a deterministic sweep such as every cut of every capture). */
export function sweep<T>(label: string, inputs: Iterable<T>, check: (input: T) => void, describe: (input: T) => string): void {
  for (const input of inputs) {
    try {
      check(input);
    } catch (err) {
      throw new Error(`sweep "${label}" failed on ${describe(input)}\n${clip(err)}`, { cause: err });
    }
  }
}
