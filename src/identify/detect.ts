import { hasDhipMagic } from '../discovery/dhip/frame.ts';
import { decodeDahuaV1 } from '../discovery/dhip/v1.ts';
import { decodeMdnsResponse } from '../discovery/mdns/decode.ts';

/**
 * What a captured answer is, told from its bytes (pure): the formats `camsweep identify`
 * reads (corpus/README.md lists them). Order matters: binary framings first (DHIP's magic,
 * Dahua v1's), then text heads (an SSDP answer is an HTTP response with USN/ST headers),
 * then XML by its root and body, JSON by its shape, and last a DNS message.
 */

export const CAPTURE_FORMATS = ['wsd', 'onvif', 'ssdp', 'upnp', 'mdns', 'sadp', 'dhip', 'dahua-v1', 'http', 'rtsp', 'tls', 'observations'] as const;
export type CaptureFormat = (typeof CAPTURE_FORMATS)[number];

/** Bytes looked at to tell a format. */
const SNIFF_BYTES = 8192;

function textStart(bytes: Buffer): string {
  return bytes.subarray(0, SNIFF_BYTES).toString('utf8').replace(/^\uFEFF/u, '').trimStart();
}

function looksLikeSsdp(head: string): boolean {
  const headers = head.split(/\r?\n\r?\n/u)[0] ?? '';
  return /^(?:usn|nt|nts|st)[ \t]*:/imu.test(headers) && /^(?:location|usn)[ \t]*:/imu.test(headers);
}

function xmlFormat(text: string): CaptureFormat | undefined {
  if (/<(?:[\w.-]+:)?Envelope\b/u.test(text)) {
    return /<(?:[\w.-]+:)?(?:ProbeMatches|ProbeMatch|Hello|Bye|ResolveMatches)\b/u.test(text) ? 'wsd' : 'onvif';
  }
  if (/<(?:[\w.-]+:)?root\b[^>]*urn:schemas-upnp-org:device-1-0/u.test(text) || /<(?:[\w.-]+:)?device\b[\s\S]{0,2000}<(?:[\w.-]+:)?deviceType\b/u.test(text)) return 'upnp';
  if (/<ProbeMatch\b/u.test(text) && /<(?:DeviceSN|DeviceDescription|DeviceType|SoftwareVersion)\b/u.test(text)) return 'sadp';
  if (/<Probe\b/u.test(text) && /<Types>\s*inquiry/u.test(text)) return 'sadp';
  return undefined;
}

function jsonFormat(text: string): CaptureFormat | undefined {
  if (text.startsWith('[')) return 'observations';
  if (/"method"\s*:\s*"client\.notifyDevInfo"|"deviceInfo"\s*:/u.test(text)) return 'dhip';
  if (/"observations"\s*:\s*\[/u.test(text)) return 'observations';
  return undefined;
}

export function detectFormat(bytes: Buffer): CaptureFormat | undefined {
  if (bytes.length === 0) return undefined;
  if (hasDhipMagic(bytes)) return 'dhip';
  if (bytes[0] === 0xb3 && decodeDahuaV1(bytes).kind === 'reply') return 'dahua-v1';
  const text = textStart(bytes);
  if (text.includes('-----BEGIN CERTIFICATE-----')) return 'tls';
  if (/^RTSP\/\d\.\d[ \t]+\d{3}/u.test(text)) return 'rtsp';
  if (/^(?:NOTIFY|M-SEARCH)[ \t]+\*[ \t]+HTTP\/1\.\d/iu.test(text)) return 'ssdp';
  if (/^HTTP\/\d\.\d[ \t]+\d{3}/u.test(text)) return looksLikeSsdp(text) ? 'ssdp' : 'http';
  if (text.startsWith('<')) return xmlFormat(text);
  if (text.startsWith('[') || text.startsWith('{')) return jsonFormat(text);
  const dns = decodeMdnsResponse(bytes);
  if (dns.kind === 'response' && dns.records.length > 0) return 'mdns';
  return undefined;
}
