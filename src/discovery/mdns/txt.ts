/**
 * DNS-SD TXT record parsing (RFC 6763 §6), from the raw character-strings of the rdata.
 *
 * - a zero-length string carries nothing (§6.1) and is skipped;
 * - `key` without '=' is a boolean attribute: value null (§6.4);
 * - `key=` has an empty value: value '' (§6.4);
 * - a string starting with '=' has no key and is ignored (§6.4);
 * - keys are case-insensitive (lowercased here) and must be printable US-ASCII (§6.4);
 * - only the first occurrence of a key counts (§6.4);
 * - values are opaque bytes (§6.5): printable UTF-8 is kept as is, anything else is
 *   rendered printable-safe with `\xNN` escapes (and `\\` for a backslash).
 */

export interface TxtEntry {
  key: string;
  /** null for a boolean attribute (no '='). */
  value: string | null;
}

/** Most entries kept from one TXT record. */
export const MAX_TXT_ENTRIES = 64;

const PRINTABLE_KEY = /^[\x20-\x3c\x3e-\x7e]+$/u;
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffd]/u;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** A TXT value as text: verbatim when it is clean printable UTF-8, escaped otherwise. */
export function txtValueText(bytes: Buffer): string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return escapeBytes(bytes);
  }
  return UNSAFE.test(text) ? escapeBytes(bytes) : text;
}

export function parseTxt(rdata: readonly Buffer[]): TxtEntry[] {
  const out: TxtEntry[] = [];
  const seen = new Set<string>();
  for (const s of rdata) {
    if (out.length >= MAX_TXT_ENTRIES) break;
    if (s.length === 0) continue;
    const eq = s.indexOf(0x3d);
    if (eq === 0) continue;
    const keyBytes = eq === -1 ? s : s.subarray(0, eq);
    const key = keyBytes.toString('latin1');
    if (!PRINTABLE_KEY.test(key)) continue;
    const lower = key.toLowerCase();
    if (seen.has(lower)) continue;
    seen.add(lower);
    out.push({ key: lower, value: eq === -1 ? null : txtValueText(s.subarray(eq + 1)) });
  }
  return out;
}
