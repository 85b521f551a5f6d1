/**
 * Every string a device sends passes through `cleanText` before it is stored: control
 * characters (C0, DEL, C1, and the bidi/format characters used to spoof text, ALM U+061C
 * included) are removed, white space is folded and the length is capped. The result is safe
 * to print on a terminal.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

export const MAX_TEXT = 512;

export function cleanText(value: unknown, max = MAX_TEXT): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : String(value);
  const folded = s.replace(CONTROL, ' ').replace(/\s+/gu, ' ').trim();
  return folded.length > max ? `${folded.slice(0, max - 1)}…` : folded;
}

/** cleanText, or undefined when nothing is left. */
export function cleanOptional(value: unknown, max = MAX_TEXT): string | undefined {
  const s = cleanText(value, max);
  return s === '' ? undefined : s;
}

/**
 * Normalises a MAC in any common notation to `aa:bb:cc:dd:ee:ff`, or undefined: colons,
 * dashes, dots or none, and six colon- or dash-separated octets written without their leading
 * zero (`3c:ef:8c:8:4e:1e`, as net-snmp prints them).
 */
export function normaliseMac(value: string | undefined | null): string | undefined {
  if (!value) return undefined;
  const trimmed = value.trim().toLowerCase();
  const octets = trimmed.split(/[:-]/u);
  const padded = octets.length === 6 && octets.every((o) => /^[0-9a-f]{1,2}$/u.test(o)) ? octets.map((o) => o.padStart(2, '0')).join('') : trimmed;
  const hex = padded.replace(/[:.\-\s]/gu, '');
  if (!/^[0-9a-f]{12}$/u.test(hex)) return undefined;
  if (/^0+$/u.test(hex) || /^f+$/u.test(hex)) return undefined;
  return hex.match(/../gu)!.join(':');
}
