/**
 * DNS-SD name helpers (pure). A service instance name is `<Instance>.<_type>.<_proto>.local`
 * where <Instance> is ONE label that may itself contain dots (RFC 6763 §4.3). A decoded name
 * has lost its label boundaries, so the instance is found by stripping the known type suffix
 * from the end, never by cutting at the first dot.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

/**
 * Makes a decoded name safe to print: control and format characters (C0, DEL, C1, bidi)
 * become spaces. Unlike cleanText, spacing is kept, so a name without such characters stays
 * exactly what the device sent and can be queried again.
 */
export function cleanName(name: string): string {
  return name.replace(CONTROL, ' ');
}

const TYPE_AT_END = /(?:^|\.)(_[^.]{1,63}\._(?:tcp|udp))\.local\.?$/iu;

/** `_services._dns-sd._udp` is the enumeration meta-name, not a service type. */
export const ENUMERATION_TYPE = '_services._dns-sd._udp';

/**
 * The service type (`_http._tcp`, lowercased) a name ends with: a type PTR owner
 * (`_http._tcp.local`), a subtype (`_printer._sub._http._tcp.local`) or an instance name.
 */
export function serviceTypeOf(name: string): string | undefined {
  const m = TYPE_AT_END.exec(name);
  const type = m?.[1]?.toLowerCase();
  if (!type || type === '_dns-sd._udp') return undefined;
  return type;
}

/** The instance label of `<instance>.<type>.local`, dots kept; undefined if not one. */
export function instanceOf(fullName: string, type: string): string | undefined {
  const suffix = `.${type}.local`;
  const n = fullName.replace(/\.$/u, '');
  if (n.length <= suffix.length || !n.toLowerCase().endsWith(suffix)) return undefined;
  const instance = n.slice(0, n.length - suffix.length);
  return instance.length > 0 && Buffer.byteLength(instance) <= 63 ? instance : undefined;
}

/** Splits an instance name into instance and type, or undefined. */
export function splitInstanceName(fullName: string): { instance: string; type: string } | undefined {
  const type = serviceTypeOf(fullName);
  if (!type) return undefined;
  // a type PTR owner such as `_http._tcp.local` has no instance
  if (fullName.replace(/\.$/u, '').toLowerCase() === `${type}.local`) return undefined;
  const instance = instanceOf(fullName, type);
  if (!instance || instance.toLowerCase() === '_sub' || instance.toLowerCase().endsWith('._sub')) return undefined;
  return { instance, type };
}

/** Lowercase, no trailing dot: the key for comparing DNS names. */
export function nameKey(name: string): string {
  return name.replace(/\.$/u, '').toLowerCase();
}

/**
 * True for something usable as a host name: at least two labels, none empty, none starting
 * with '_' (service labels), no white space, at most 253 characters.
 */
export function isHostName(name: string): boolean {
  const n = name.replace(/\.$/u, '');
  if (n.length === 0 || n.length > 253 || /\s/u.test(n)) return false;
  const labels = n.split('.');
  if (labels.length < 2) return false;
  return labels.every((l) => l.length > 0 && l.length <= 63 && !l.startsWith('_'));
}
