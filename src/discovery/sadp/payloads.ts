import { randomUUID } from 'node:crypto';
import { ERR, CamsweepError } from '../../domain/errors.ts';

/**
 * Hikvision SADP (Search Active Devices Protocol) payloads, as data. camsweep sends exactly
 * one SADP message: the `inquiry` Probe that Hikvision's own SADP tool sends to find devices.
 * Every other SADP message type (activation, password reset, network changes...) changes a
 * device's state, so none of them can be built here: the Types value is a constant and the
 * only input is the Uuid, which must be a bare upper-case UUID (no markup can get through).
 */
export const SADP_GROUP = '239.255.255.250';
export const SADP_BROADCAST = '255.255.255.255';
export const SADP_PORT = 37020;

/** The only SADP message type camsweep ever sends. */
export const SADP_INQUIRY = 'inquiry';

const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/u;

/** A fresh Uuid in the form the SADP tool uses (upper case); replies echo it. */
export function newSadpUuid(): string {
  return randomUUID().toUpperCase();
}

/**
 * The inquiry Probe, byte for byte what the SADP tool sends (corpus/hikvision: UniversalScanner
 * Hikvision.cs and the Wireshark write-up behind sadp-ProbeMatch-2.xml).
 */
export function buildSadpInquiry(uuid: string): string {
  if (!UUID.test(uuid)) {
    throw new CamsweepError(ERR.SADP_BAD_PAYLOAD, 'the SADP Uuid must be an upper-case UUID (8-4-4-4-12 hex digits)');
  }
  return `<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>${uuid}</Uuid><Types>${SADP_INQUIRY}</Types></Probe>`;
}
