import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calibratedWeight, DEFAULT_CALIBRATION_FILE } from '../../src/fingerprint/calibration.ts';
import { loadFingerprintDb } from '../../src/fingerprint/index.ts';
import { calibrationJson, computeCalibration } from './calibrate.ts';

/**
 * Weights follow the measurement: config/calibration.json is what `npm run calibrate` computes
 * from the fitting cases now (never from held-out ones), and the loader applies it.
 */
describe('calibration', () => {
  it('config/calibration.json is up to date with the corpus and the database (npm run calibrate)', async () => {
    const expected = calibrationJson(await computeCalibration());
    expect(readFileSync(DEFAULT_CALIBRATION_FILE, 'utf8')).toBe(expected);
  }, 120_000);

  it('moves a weight by evidence, from the author\'s prior', () => {
    expect(calibratedWeight(0.6, 0, 0)).toBe(0.6);
    expect(calibratedWeight(0.6, 4, 4)).toBe(0.8);
    expect(calibratedWeight(0.8, 4, 0)).toBe(0.4);
    expect(calibratedWeight(0.9, 1000, 1000)).toBe(0.97);
    expect(calibratedWeight(0.2, 1000, 0)).toBe(0.05);
  });

  it('the packaged database carries the measured weights and shared flags; a custom one keeps its own', () => {
    const calibrated = loadFingerprintDb();
    const authored = loadFingerprintDb({ calibrationFile: false });
    const file = JSON.parse(readFileSync(DEFAULT_CALIBRATION_FILE, 'utf8')) as { fingerprints: Record<string, { weight: number; prior: number; sharedBy?: string }> };
    for (const [id, m] of Object.entries(file.fingerprints)) {
      expect(calibrated.byId(id)?.weight, id).toBe(m.weight);
      expect(authored.byId(id)?.weight, id).toBe(m.prior);
      if (m.sharedBy !== undefined) expect(calibrated.byId(id)?.shared, id).toBe(true);
    }
  });
});
