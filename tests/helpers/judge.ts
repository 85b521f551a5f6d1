import type { Device, MergedDevice } from '../../src/domain/types.ts';
import { loadFingerprintDb } from '../../src/fingerprint/index.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { judgeDevice, type Judge } from '../../src/sweep/judge.ts';

let loaded: Judge | undefined;

/** The shipped fingerprint database and the default policy packs, threshold 0.6 (loaded once per file). */
export function defaultJudge(): Judge {
  loaded ??= { db: loadFingerprintDb(), policy: loadPolicy(), threshold: 0.6 };
  return loaded;
}

/** `SweepOptions.judge` with the default judge. */
export function judgeWithDefaults(device: MergedDevice, asOf: Date): Device {
  return judgeDevice(device, defaultJudge(), asOf);
}
