import type { Device } from '../../src/domain/types.ts';
import { loadFingerprintDb } from '../../src/fingerprint/index.ts';
import { DEFAULT_THRESHOLD } from '../../src/policy/config.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { isVideoKind } from '../../src/domain/kinds.ts';
import { judgeDevice, type Judge } from '../../src/sweep/judge.ts';
import { mergeObservations } from '../../src/sweep/merge.ts';
import { RESTRICTED_MAKERS } from './manifest/index.ts';
import { observe, readFixture } from './observe.ts';
import type { Entry, Gap, JudgedCase } from './types.ts';

/**
 * One case, end to end: capture -> observations (real decoders) -> mergeObservations ->
 * judgeDevice with the shipped fingerprint database and the default policy, on a fixed day.
 */

/** The day every verdict is for (policy rules and ownerships have dates). */
export const AS_OF = new Date('2026-01-01T00:00:00Z');
/** The address replies come from: a documentation address (RFC 5737); nothing is sent. */
export const CASE_IP = '192.0.2.10';

/** The default judge: config/fingerprints, us-ndaa-889 + uk-2022-sensitive-sites, threshold 0.6. */
export function defaultJudge(): Judge {
  return { db: loadFingerprintDb(), policy: loadPolicy(), threshold: DEFAULT_THRESHOLD };
}

export type Field = Gap['fields'][number];

export interface Outcome {
  device: Device;
  /** Expected fields the verdict does not match. */
  mismatches: Field[];
  /** Trap rules the verdict broke (empty when the case is no trap or the trap held). */
  trapFired: string[];
}

/** The device a case's observations merge into; throws unless there is exactly one. */
export async function caseDevice(entry: Entry, c: JudgedCase, judge: Judge): Promise<Device> {
  if (entry.fixture === null) throw new Error(`${entry.corpus}: a judged case needs a fixture`);
  const observations = await observe(c.read, readFixture(entry.fixture), CASE_IP);
  const devices = mergeObservations({ observations });
  if (devices.length !== 1) throw new Error(`${entry.corpus} / ${c.id}: ${devices.length} devices from ${observations.length} observations`);
  return judgeDevice(devices[0]!, judge, AS_OF);
}

export function assess(c: JudgedCase, device: Device): Outcome {
  const e = c.expect;
  const mismatches: Field[] = [];
  if (device.manufacturer !== e.manufacturer) mismatches.push('manufacturer');
  if (e.brand !== undefined && device.brand !== e.brand) mismatches.push('brand');
  if (e.kind !== undefined && device.kind !== e.kind) mismatches.push('kind');
  if (device.status !== e.status) mismatches.push('status');

  const trapFired: string[] = [];
  if (c.trap) {
    const forbidden = new Set([...RESTRICTED_MAKERS, ...(c.trap.mustNotClaim ?? [])]);
    for (const m of device.attribution?.matches ?? []) {
      const maker = m.claims.manufacturer;
      if (maker !== undefined && forbidden.has(maker)) trapFired.push(`${m.fingerprint} claimed ${maker} from ${m.field} "${m.value}"`);
    }
    if (device.status === 'restricted') trapFired.push('judged restricted');
    if (c.trap.notVideo && isVideoKind(device.kind)) trapFired.push(`judged a ${device.kind}`);
  }
  return { device, mismatches, trapFired };
}

export async function runCase(entry: Entry, c: JudgedCase, judge: Judge): Promise<Outcome> {
  return assess(c, await caseDevice(entry, c, judge));
}
