import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { STATEMENT_WEIGHT, type StatementClass } from './statements.ts';

/**
 * Weights follow the measurement (docs/fingerprints.md, "Calibration"). `npm run calibrate`
 * runs every fitting case of the corpus (never a held-out one) through the matcher and counts,
 * per fingerprint and per statement class, how often it fired on a device whose maker of record
 * (for label entries: whose label) the facts establish, and how often what it claimed was that
 * maker (its family, subsidiaries included). The weight is the posterior mean of its precision
 * under a Beta prior centred on the author's weight with PRIOR_STRENGTH pseudo-observations:
 *
 *     weight = (right + w0 * k) / (fired + k),  clamped to [MIN_WEIGHT, MAX_WEIGHT]
 *
 * so an entry that never fired keeps the author's weight, and evidence moves it. An entry that
 * fired on another maker's device is marked shared (it cannot establish a maker alone), with
 * the case that shows it. The result, config/calibration.json, is data: the loader applies it,
 * and a test recomputes it so that it can never drift from the corpus and the database.
 */

export const PRIOR_STRENGTH = 4;
export const MIN_WEIGHT = 0.05;
export const MAX_WEIGHT = 0.97;

export const DEFAULT_CALIBRATION_FILE = fileURLToPath(new URL('../../config/calibration.json', import.meta.url));

const measured = z
  .object({
    /** Fitting cases with an established maker (or label) it fired on. */
    fired: z.number().int().min(0),
    /** Of those, the cases where its claim was right. */
    right: z.number().int().min(0),
    /** The author's weight (the prior). */
    prior: z.number().min(0).max(1),
    weight: z.number().min(0).max(1),
    /** Fired on another maker's device: a case id that shows it. */
    sharedBy: z.string().max(300).optional(),
  })
  .strict();

export const calibrationSchema = z
  .object({
    method: z.string().max(2000),
    fitting: z.object({ cases: z.number().int().min(0), sources: z.number().int().min(0) }).strict(),
    fingerprints: z.record(z.string().max(120), measured),
    statements: z.record(z.enum(['maker', 'product', 'text']), measured),
  })
  .strict();

export type Calibration = z.infer<typeof calibrationSchema>;
export type Measured = z.infer<typeof measured>;

/** Posterior mean of the precision (see the module comment). */
export function calibratedWeight(prior: number, fired: number, right: number): number {
  const w = (right + prior * PRIOR_STRENGTH) / (fired + PRIOR_STRENGTH);
  return Math.round(Math.min(MAX_WEIGHT, Math.max(MIN_WEIGHT, w)) * 1000) / 1000;
}

/** Reads config/calibration.json (or `file`); undefined when there is none (a database without one). */
export function loadCalibration(file: string = DEFAULT_CALIBRATION_FILE): Calibration | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = calibrationSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Statement weights by class: calibrated where measured, else the starting weights. */
export function statementWeightsOf(calibration: Calibration | undefined): Record<StatementClass, number> {
  const out = { ...STATEMENT_WEIGHT };
  for (const cls of Object.keys(out) as StatementClass[]) {
    const m = calibration?.statements[cls];
    if (m !== undefined) out[cls] = m.weight;
  }
  return out;
}
