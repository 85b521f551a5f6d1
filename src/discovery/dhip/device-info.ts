import { isIPv4 } from 'node:net';
import { cleanText, normaliseMac } from '../../util/text.ts';
import { DHIP_SEARCH_METHOD } from './payloads.ts';

/**
 * The JSON body of a DHIP datagram (pure). A reply is `client.notifyDevInfo` with
 * `params.deviceInfo`. Strict JSON.parse first; real firmware sends broken JSON (an
 * unterminated string in corpus/dahua/dhip-notifyDevInfo-1.bin: `"Version" : "1.0000, "Video...`),
 * so when the strict parse fails the known keys are extracted one by one with bounded,
 * non-backtracking patterns. Never throws.
 */
export const NOTIFY_METHOD = 'client.notifyDevInfo';

export interface DhipDeviceInfo {
  model?: string;
  serial?: string;
  vendor?: string;
  manufacturer?: string;
  firmware?: string;
  machineName?: string;
  deviceClass?: string;
  ipv4?: string;
  mac?: string;
  port?: string;
  httpPort?: string;
}

export type DhipBody =
  /** `strict` false: the JSON was broken and the values were extracted key by key. */
  | { kind: 'notify'; info: DhipDeviceInfo; strict: boolean }
  /** A DHDiscover.search: ours coming back by broadcast, or another tool's. Not an answer. */
  | { kind: 'search' }
  | { kind: 'other'; method: string }
  | { kind: 'invalid'; reason: string };

/** deviceInfo key -> DhipDeviceInfo key, for string values. */
const STRING_KEYS = {
  DeviceType: 'model',
  SerialNo: 'serial',
  Vendor: 'vendor',
  Manufacturer: 'manufacturer',
  Version: 'firmware',
  MachineName: 'machineName',
  DeviceClass: 'deviceClass',
} as const;
const PORT_KEYS = { Port: 'port', HttpPort: 'httpPort' } as const;

const MAX_VALUE = 256;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function port(v: unknown): string | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,5}$/u.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65_535 ? String(n) : undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = cleanText(String(v), MAX_VALUE);
  return s === '' ? undefined : s;
}

function ipv4(v: unknown): string | undefined {
  return typeof v === 'string' && isIPv4(v.trim()) ? v.trim() : undefined;
}

function mac(v: unknown): string | undefined {
  return typeof v === 'string' ? normaliseMac(v) : undefined;
}

function fromObject(doc: Json, deviceInfo: Json): DhipDeviceInfo {
  const info: DhipDeviceInfo = {};
  for (const [key, field] of Object.entries(STRING_KEYS)) {
    const value = text(deviceInfo[key]);
    if (value !== undefined) info[field] = value;
  }
  for (const [key, field] of Object.entries(PORT_KEYS)) {
    const value = port(deviceInfo[key]);
    if (value !== undefined) info[field] = value;
  }
  const v4 = isObject(deviceInfo.IPv4Address) ? ipv4(deviceInfo.IPv4Address.IPAddress) : undefined;
  if (v4 !== undefined) info.ipv4 = v4;
  const m = mac(doc.mac) ?? mac(deviceInfo.mac);
  if (m !== undefined) info.mac = m;
  return info;
}

function strict(body: string): DhipBody | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
  if (!isObject(doc)) return { kind: 'invalid', reason: 'JSON body is not an object' };
  const method = typeof doc.method === 'string' ? doc.method : undefined;
  if (method === DHIP_SEARCH_METHOD) return { kind: 'search' };
  if (method !== undefined && method !== NOTIFY_METHOD) return { kind: 'other', method: cleanText(method, 64) };
  const deviceInfo = isObject(doc.params) ? doc.params.deviceInfo : undefined;
  if (!isObject(deviceInfo)) return { kind: 'invalid', reason: 'notifyDevInfo without params.deviceInfo' };
  return { kind: 'notify', info: fromObject(doc, deviceInfo), strict: true };
}

/** A JSON string's content (escapes allowed, no raw quote or line break), or a number. */
const VALUE = String.raw`\s{0,16}:\s{0,16}(?:"((?:[^"\\\r\n]|\\[^\r\n]){0,512})"|(-?\d{1,10}))`;

function unescape(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    return raw.replace(/\\\//gu, '/');
  }
}

/**
 * The value of `"key" : ...` at its first occurrence in `body` (from `from`), or undefined.
 * An unterminated string swallows the `, ` before the next key: that tail is dropped.
 */
function lenientValue(body: string, key: string, from = 0): string | undefined {
  const re = new RegExp(`"${key}"${VALUE}`, 'u');
  const m = re.exec(body.slice(from));
  if (!m) return undefined;
  if (m[2] !== undefined) return m[2];
  return unescape(m[1] ?? '').replace(/,\s*$/u, '');
}

function lenient(body: string): DhipBody {
  const method = lenientValue(body, 'method');
  if (method === DHIP_SEARCH_METHOD) return { kind: 'search' };
  if (method !== undefined && method !== NOTIFY_METHOD) return { kind: 'other', method: cleanText(method, 64) };
  const start = body.indexOf('"deviceInfo"');
  if (start < 0) return { kind: 'invalid', reason: 'not JSON, and no deviceInfo in it' };
  const info: DhipDeviceInfo = {};
  for (const [key, field] of Object.entries(STRING_KEYS)) {
    const value = text(lenientValue(body, key, start));
    if (value !== undefined) info[field] = value;
  }
  for (const [key, field] of Object.entries(PORT_KEYS)) {
    const value = port(lenientValue(body, key, start));
    if (value !== undefined) info[field] = value;
  }
  const v4At = body.indexOf('"IPv4Address"', start);
  if (v4At >= 0) {
    const block = body.slice(v4At, v4At + 512);
    const end = block.indexOf('}');
    const v4 = ipv4(lenientValue(end < 0 ? block : block.slice(0, end), 'IPAddress'));
    if (v4 !== undefined) info.ipv4 = v4;
  }
  const m = mac(lenientValue(body, 'mac'));
  if (m !== undefined) info.mac = m;
  if (Object.keys(info).length === 0) return { kind: 'invalid', reason: 'broken JSON without a readable deviceInfo field' };
  return { kind: 'notify', info, strict: false };
}

export function decodeDhipBody(body: string): DhipBody {
  return strict(body) ?? lenient(body);
}
