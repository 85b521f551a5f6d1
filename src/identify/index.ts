import { ERR, errorCode, errorMessage } from '../domain/errors.ts';
import type { Device, MergedDevice, Observation, SweepError } from '../domain/types.ts';
import { STATEMENT_FIELDS } from '../fingerprint/statements.ts';
import type { FingerprintDb } from '../fingerprint/types.ts';
import { judgeDevice, type Judge } from '../sweep/judge.ts';
import { mergeObservations } from '../sweep/merge.ts';
import { cleanText } from '../util/text.ts';
import { detectFormat, type CaptureFormat } from './detect.ts';
import { readCapture } from './read.ts';

/**
 * `camsweep identify`: one device judged from answers captured elsewhere, offline. Each
 * capture is read by the decoder a sweep uses for that message, the observations are merged
 * into one device and judged exactly as a sweep judges it. Nothing is sent anywhere.
 */

export interface Capture {
  /** For messages (a file name, or `-`). */
  name: string;
  bytes: Buffer;
  /** The format, when the caller knows it (`--as`); else detected from the bytes. */
  as?: CaptureFormat;
}

export interface IdentifyOptions {
  /** The device's address; default: one the captures give, else 192.0.2.1 (documentation range). */
  ip?: string;
  /** The day the verdict is for (policy dates). */
  asOf: Date;
}

export interface IdentifyResult {
  device: Device;
  /** Per capture: the format it was read as (or why it could not be read). */
  read: Array<{ name: string; format?: CaptureFormat }>;
  errors: SweepError[];
}

/** Where a device with no address in its captures is placed (RFC 5737 TEST-NET-1). */
export const DOCUMENTATION_ADDRESS = '192.0.2.1';

/** Every evidence field the database or the name matcher reads, by lower-cased spelling. */
export function knownFieldsOf(db: FingerprintDb): Map<string, string> {
  const fields = new Map<string, string>();
  for (const fp of db.fingerprints) for (const f of fp.fields) if (!f.endsWith('.*')) fields.set(f.toLowerCase(), f);
  for (const s of STATEMENT_FIELDS) if (!s.field.endsWith('.*')) fields.set(s.field.toLowerCase(), s.field);
  return fields;
}

export function identify(captures: readonly Capture[], judge: Judge, options: IdentifyOptions): IdentifyResult {
  const knownFields = knownFieldsOf(judge.db);
  const errors: SweepError[] = [];
  const read: IdentifyResult['read'] = [];
  const parts: Array<{ observations: Observation[]; addresses: string[] }> = [];
  const placeholder = options.ip ?? DOCUMENTATION_ADDRESS;
  for (const capture of captures) {
    const name = cleanText(capture.name, 200);
    const format = capture.as ?? detectFormat(capture.bytes);
    if (format === undefined) {
      read.push({ name });
      errors.push({ code: ERR.IDENTIFY_UNKNOWN_FORMAT, message: `${name}: not a format identify reads (name it with --as)` });
      continue;
    }
    try {
      parts.push(readCapture(format, capture.bytes, placeholder, knownFields));
      read.push({ name, format });
    } catch (err) {
      read.push({ name });
      errors.push({ code: errorCode(err, ERR.IDENTIFY_UNREADABLE), message: `${name} (as ${format}): ${cleanText(errorMessage(err), 300)}` });
    }
  }
  const ip = options.ip ?? parts.flatMap((p) => p.addresses)[0] ?? DOCUMENTATION_ADDRESS;
  // One device: every observation from the same address (an mDNS reply read from its own A record included).
  const observations = parts.flatMap((p) => p.observations).map((o) => ({ ...o, ip }));
  const merged = mergeObservations({ observations });
  const base: MergedDevice = merged[0] ?? emptyDevice(ip);
  return { device: judgeDevice(base, judge, options.asOf), read, errors };
}

/** Nothing was read: a device with no evidence, which the judge judges like any other. */
function emptyDevice(ip: string): MergedDevice {
  return { ip, addresses: [ip], mac: null, model: null, firmware: null, serial: null, protocols: [], interfaces: [], identifiers: {}, evidence: [] };
}
