/**
 * Placeholders in profile strings. A profile names values that depend on where the device sits
 * in the lab: {ip}, {mac} (aa:bb:cc:dd:ee:ff), {MAC} (upper case), {mac12} (aabbccddeeff),
 * {MAC12} (upper case), {macdash} (aa-bb-cc-dd-ee-ff, as SADP writes it), {ipv6ll} (the EUI-64
 * link-local address the kernel gives eth0), and {peer:<device or profile name>} (another lab
 * device's IP, filled by the lab builder).
 */

const PLACEHOLDER = /\{(ip|mac|MAC|mac12|MAC12|macdash|ipv6ll|peer:[A-Za-z0-9._-]+)\}/gu;

export type TemplateVars = Record<string, string>;

export function normaliseMacInput(mac: string): string {
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/gu, '');
  if (hex.length !== 12 || !/^[0-9a-f:.-]+$/iu.test(mac)) throw new Error(`not a MAC address: ${mac}`);
  return hex.match(/../gu)?.join(':') ?? hex;
}

/** fe80:: address from a MAC (modified EUI-64), as Linux assigns it by default. */
export function linkLocalFromMac(mac: string): string {
  const bytes = normaliseMacInput(mac).split(':').map((h) => Number.parseInt(h, 16));
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = bytes;
  const eui = [b0 ^ 0x02, b1, b2, 0xff, 0xfe, b3, b4, b5];
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push((((eui[i] ?? 0) << 8) | (eui[i + 1] ?? 0)).toString(16));
  return `fe80::${groups.join(':')}`;
}

export function deviceVars(ip: string, mac: string): TemplateVars {
  const m = normaliseMacInput(mac);
  const m12 = m.replaceAll(':', '');
  return { ip, mac: m, MAC: m.toUpperCase(), mac12: m12, MAC12: m12.toUpperCase(), macdash: m.replaceAll(':', '-'), ipv6ll: linkLocalFromMac(m) };
}

/** `partial`: leave placeholders with no value as they are (else throw). */
export function fillString(text: string, vars: TemplateVars, partial = false): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = vars[name];
    if (value !== undefined) return value;
    if (partial) return whole;
    throw new Error(`unfilled placeholder ${whole}`);
  });
}

/** Fills every string in a JSON value (object keys are left alone). */
export function fillTemplate(value: unknown, vars: TemplateVars, partial = false): unknown {
  if (typeof value === 'string') return fillString(value, vars, partial);
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, vars, partial));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fillTemplate(v, vars, partial);
    return out;
  }
  return value;
}

/** The {peer:...} names a JSON value refers to. */
export function peerNames(value: unknown): string[] {
  const text = JSON.stringify(value);
  const names = new Set<string>();
  for (const m of text.matchAll(/\{peer:([A-Za-z0-9._-]+)\}/gu)) if (m[1] !== undefined) names.add(m[1]);
  return [...names];
}
