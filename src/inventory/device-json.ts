import type { Device } from '../domain/types.ts';
import { ERR, CamsweepError } from '../domain/errors.ts';

/**
 * A device's latest record as stored: JSON of at most MAX_DEVICE_JSON bytes. Evidence is
 * already capped per device by the merger; should a record still be larger, the evidence and
 * then the fingerprint matches are cut from the end (the verdict and identity always stay),
 * and `evidenceTruncated` says so.
 */

export const MAX_DEVICE_JSON = 256 * 1024;

export type StoredDevice = Device & { evidenceTruncated?: true };

export function deviceJson(device: Device, max = MAX_DEVICE_JSON): string {
  let json = JSON.stringify(device);
  if (Buffer.byteLength(json) <= max) return json;
  let evidence = device.evidence;
  let matches = device.attribution?.matches ?? [];
  while (Buffer.byteLength(json) > max && (evidence.length > 0 || matches.length > 0)) {
    if (evidence.length > 0) evidence = evidence.slice(0, Math.floor(evidence.length / 2));
    else matches = matches.slice(0, Math.floor(matches.length / 2));
    const cut: StoredDevice = { ...device, evidence, evidenceTruncated: true };
    if (device.attribution !== undefined) cut.attribution = { ...device.attribution, matches };
    json = JSON.stringify(cut);
  }
  return json;
}

export function parseDeviceJson(json: string, id: string): StoredDevice {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new CamsweepError(ERR.INVENTORY_CORRUPT, `the stored record of device ${id} is not JSON`, { cause: err });
  }
  const r = raw as { ip?: unknown; evidence?: unknown; verdict?: { status?: unknown } | null } | null;
  if (r === null || typeof r !== 'object' || typeof r.ip !== 'string' || !Array.isArray(r.evidence) || typeof r.verdict?.status !== 'string') {
    throw new CamsweepError(ERR.INVENTORY_CORRUPT, `the stored record of device ${id} is not a device`);
  }
  return raw as StoredDevice;
}
