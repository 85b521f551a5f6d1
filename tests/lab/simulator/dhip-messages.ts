/**
 * Dahua discovery as a device sees it (pure): DHIP on UDP 37810 and the legacy v1 search on
 * UDP 5050. Replies are laid out as in the real captures:
 *
 * - DHIP: the 32-byte header of corpus/dahua/dhip-notifyDevInfo-1.bin, then the JSON the
 *   device's writer produces (keys sorted, `{ "k" : v, "k2" : v2 }`, `/` escaped as `\/`,
 *   trailing newline), as in corpus/dahua/dhip-notifyDevInfo-1.txt;
 * - v1: corpus/dahua/dahua-v1-discovery-1.bin, whose 120-byte header is kept as captured
 *   except the fields the device fills in (section lengths, model, IPv4 address, mask,
 *   gateway), then the MAC + model section and the `Key:Value` text lines.
 *
 * A request is a search only when it is one: a well-framed DHIP datagram whose JSON method is
 * DHDiscover.search, or a v1 search (0xa3 ...). Anything else is junk for the hit log.
 */

export type DahuaRequest =
  | { kind: 'DHDiscover.search' }
  | { kind: 'v1-search' }
  /** `detail`: what it was (another method, a bad header...), for the hit log. */
  | { kind: 'junk'; detail: string };

const HEADER = 32;
const MAX_BODY = 8192;

export function parseDhipRequest(message: Buffer): DahuaRequest {
  if (message.length < HEADER || message.toString('latin1', 4, 8) !== 'DHIP') return { kind: 'junk', detail: 'no DHIP header' };
  const length = message.readUInt32LE(16);
  if (message.readUInt32LE(0) !== HEADER || length !== message.readUInt32LE(24) || length === 0 || length > MAX_BODY || HEADER + length > message.length) {
    return { kind: 'junk', detail: 'bad DHIP header' };
  }
  let body: unknown;
  try {
    body = JSON.parse(message.toString('utf8', HEADER, HEADER + length));
  } catch {
    return { kind: 'junk', detail: 'DHIP body is not JSON' };
  }
  const method = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).method : undefined;
  if (method === 'DHDiscover.search') return { kind: 'DHDiscover.search' };
  return { kind: 'junk', detail: `DHIP method ${JSON.stringify(method)}`.slice(0, 100) };
}

export function parseV1Request(message: Buffer): DahuaRequest {
  if (message.length >= 32 && message[0] === 0xa3) return { kind: 'v1-search' };
  return { kind: 'junk', detail: 'not a v1 search' };
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The device's JSON writer (jsoncpp style). */
export function dahuaJson(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value).replace(/\//gu, '\\/');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[ ${value.map(dahuaJson).join(', ')} ]`;
  const keys = Object.keys(value).sort();
  if (keys.length === 0) return '{}';
  return `{ ${keys.map((k) => `${dahuaJson(k)} : ${dahuaJson(value[k] ?? null)}`).join(', ')} }`;
}

export function dhipFrame(body: string): Buffer {
  const b = Buffer.from(body, 'utf8');
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(HEADER, 0);
  header.write('DHIP', 4, 'latin1');
  header.writeUInt32LE(b.length, 16);
  header.writeUInt32LE(b.length, 24);
  return Buffer.concat([header, b]);
}

/** The client.notifyDevInfo body (with its trailing newline). */
export function notifyDevInfoBody(mac: string, deviceInfo: { [key: string]: Json }): string {
  return `${dahuaJson({ mac, method: 'client.notifyDevInfo', params: { deviceInfo } })}\n`;
}

/** The first 120 bytes of corpus/dahua/dahua-v1-discovery-1.bin, fields the device fills zeroed. */
const V1_HEADER_TEMPLATE = Buffer.from(
  [
    'b3000000000000000000000000000000',
    '02000000000000000000000000000000',
    '00000000000000000000000000000000',
    '00000000000000000000000000000000',
    '00000000000000000a070809b8223200',
    '00000000000032000000000000005000',
    'bb0191930a00909392930000efff2a2a',
    '3a8f000000000000',
  ].join(''),
  'hex',
);

export interface V1ReplyInput {
  model: string;
  mac: string;
  ip: string;
  mask: string;
  gateway: string;
  name: string;
  serial: string;
  ipv6: string;
}

function ipBytes(ip: string): number[] {
  const parts = ip.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : [0, 0, 0, 0];
}

export function buildV1Reply(input: V1ReplyInput): Buffer {
  const header = Buffer.from(V1_HEADER_TEMPLATE);
  const section2 = Buffer.from(`${input.mac}${input.model}`, 'latin1');
  const section3 = Buffer.from(`Name:${input.name}\r\nDevice:${input.model}\r\nIPv6Addr:${input.ipv6}\r\n\r\nSerialNo:${input.serial}\r\n\r\n`, 'utf8');
  header[2] = Math.min(section2.length, 255);
  header.writeUInt32LE(section3.length, 4);
  header.writeUInt16LE(section3.length, 0x14);
  header.fill(0, 0x28, 0x38);
  header.write(input.model.slice(0, 16), 0x28, 'latin1');
  header.set(ipBytes(input.ip), 0x38);
  header.set(ipBytes(input.mask), 0x3c);
  header.set(ipBytes(input.gateway), 0x40);
  return Buffer.concat([header, section2.subarray(0, 255), section3]);
}
