import { cleanText, normaliseMac } from '../../util/text.ts';

/**
 * The legacy Dahua "v1" discovery reply (UDP 5050), pure. Layout from
 * corpus/dahua/dahua-v1-discovery-1.bin and UniversalScanner Dahua1.cs:
 *
 * - a 120-byte binary header: magic 0xb3 at 0 (0xa3 is the search), the length of section 2
 *   at byte 2, version 0x02 at 0x10, the length of section 3 as u16le at 0x14, the model as a
 *   NUL-terminated 16-byte string at 0x28, the IPv4 address (network order) at 0x38;
 * - section 2: the MAC as 17 characters (`00:11:22:33:44:55`), then the model;
 * - section 3: text lines `Key:Value` (CRLF): `Name:Dahua`, `Device:<model>`,
 *   `IPv6Addr:...`, `SerialNo:<serial>`.
 *
 * Sections are read only as far as the datagram goes (a cut one is flagged). Never throws.
 */
export const DAHUA_V1_HEADER_LENGTH = 120;
export const DAHUA_V1_REPLY_MAGIC = 0xb3;
export const DAHUA_V1_SEARCH_MAGIC = 0xa3;

const MAX_SECTION3 = 4096;
const MAX_LINES = 32;
const MAC_TEXT_LENGTH = 17;

export interface DahuaV1Info {
  model?: string;
  serial?: string;
  mac?: string;
  ipv4?: string;
  /** The `Name:` line (`Dahua` on Dahua firmware). */
  name?: string;
  ipv6?: string;
}

export type DahuaV1Decoded =
  | { kind: 'reply'; info: DahuaV1Info; truncated: boolean }
  /** A v1 search (ours by broadcast, or another tool's). */
  | { kind: 'search' }
  | { kind: 'invalid'; reason: string };

function cString(buf: Buffer, start: number, length: number): string {
  const slice = buf.subarray(start, Math.min(buf.length, start + length));
  const nul = slice.indexOf(0);
  return cleanText(slice.subarray(0, nul < 0 ? slice.length : nul).toString('latin1'), 64);
}

function optional(info: DahuaV1Info, key: keyof DahuaV1Info, value: string | undefined): void {
  if (value !== undefined && value !== '') info[key] = value;
}

/** `Key:Value` lines of section 3 (first occurrence of each key wins). */
function textLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/u).slice(0, MAX_LINES)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || colon > 32) continue;
    const key = line.slice(0, colon).trim();
    if (!out.has(key)) out.set(key, cleanText(line.slice(colon + 1), 256));
  }
  return out;
}

export function decodeDahuaV1(buf: Buffer): DahuaV1Decoded {
  if (buf.length === 0) return { kind: 'invalid', reason: 'empty datagram' };
  if (buf[0] === DAHUA_V1_SEARCH_MAGIC) return { kind: 'search' };
  if (buf[0] !== DAHUA_V1_REPLY_MAGIC) return { kind: 'invalid', reason: 'neither DHIP nor a Dahua v1 reply' };
  if (buf.length < DAHUA_V1_HEADER_LENGTH) return { kind: 'invalid', reason: `${buf.length} bytes: shorter than the 120-byte v1 header` };

  const section2Length = buf[2] ?? 0;
  const section3Length = Math.min(buf.readUInt16LE(0x14), MAX_SECTION3);
  const s2Start = DAHUA_V1_HEADER_LENGTH;
  const s3Start = s2Start + section2Length;
  const truncated = s3Start + buf.readUInt16LE(0x14) > buf.length;

  const info: DahuaV1Info = {};
  const section2 = buf.subarray(s2Start, Math.min(buf.length, s3Start));
  const macText = section2.subarray(0, MAC_TEXT_LENGTH).toString('latin1');
  optional(info, 'mac', normaliseMac(macText));
  const section2Model = section2.length > MAC_TEXT_LENGTH ? cString(section2, MAC_TEXT_LENGTH, section2.length - MAC_TEXT_LENGTH) : '';

  const section3 = buf.subarray(Math.min(buf.length, s3Start), Math.min(buf.length, s3Start + section3Length));
  const lines = textLines(section3.toString('utf8'));
  optional(info, 'name', lines.get('Name'));
  optional(info, 'serial', lines.get('SerialNo'));
  // `IPv6Addr:fe80::1/64;gateway:fe80::`: the address is what comes before the first ';'.
  optional(info, 'ipv6', lines.get('IPv6Addr')?.split(';')[0]?.trim());
  const model = lines.get('Device') || section2Model || cString(buf, 0x28, 16);
  optional(info, 'model', model);

  const ip = [...buf.subarray(0x38, 0x3c)].join('.');
  if (ip !== '0.0.0.0' && ip !== '255.255.255.255') info.ipv4 = ip;

  if (info.model === undefined && info.serial === undefined && info.mac === undefined) {
    return { kind: 'invalid', reason: 'v1 reply without model, serial or MAC' };
  }
  return { kind: 'reply', info, truncated };
}
