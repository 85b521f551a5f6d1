import { DHIP_HEADER_LENGTH, DHIP_MAGIC } from './payloads.ts';

/**
 * The 32-byte DHIP header of a received datagram (pure). Layout, as in
 * corpus/dahua/dhip-notifyDevInfo-1.bin: u32le header length (0x20), ASCII `DHIP`, 8 bytes,
 * u32le body length, 4 bytes, u32le body length again, 4 bytes. The header is checked before
 * a byte of the body is read: the magic, the header length, both body lengths equal, not zero
 * and within the cap. A body shorter than announced (a cut datagram) is read as far as it
 * goes and flagged; bytes past the announced length are ignored.
 */
export const DHIP_LIMITS = {
  /** Longest body read; real notifyDevInfo bodies are 700-900 bytes. */
  maxBody: 16 * 1024,
} as const;

export type DhipFrame =
  | { ok: true; body: string; truncated: boolean }
  | { ok: false; reason: string };

/** True when the datagram carries the DHIP magic at offset 4. */
export function hasDhipMagic(buf: Buffer): boolean {
  return buf.length >= 8 && buf.toString('latin1', 4, 8) === DHIP_MAGIC;
}

export function parseDhipFrame(buf: Buffer): DhipFrame {
  if (buf.length < DHIP_HEADER_LENGTH) return { ok: false, reason: `${buf.length} bytes: shorter than the 32-byte DHIP header` };
  if (!hasDhipMagic(buf)) return { ok: false, reason: 'no DHIP magic at offset 4' };
  const headerLength = buf.readUInt32LE(0);
  if (headerLength !== DHIP_HEADER_LENGTH) return { ok: false, reason: `header length field is ${headerLength}, not 32` };
  const length = buf.readUInt32LE(16);
  const again = buf.readUInt32LE(24);
  if (length !== again) return { ok: false, reason: `the two body lengths disagree (${length} and ${again})` };
  if (length === 0) return { ok: false, reason: 'empty body' };
  if (length > DHIP_LIMITS.maxBody) return { ok: false, reason: `claims a ${length}-byte body (limit ${DHIP_LIMITS.maxBody})` };
  const available = buf.length - DHIP_HEADER_LENGTH;
  const take = Math.min(length, available);
  return {
    ok: true,
    body: buf.toString('utf8', DHIP_HEADER_LENGTH, DHIP_HEADER_LENGTH + take),
    truncated: take < length,
  };
}
