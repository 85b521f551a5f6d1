import { isIPv4 } from 'node:net';
import { XMLValidator } from 'fast-xml-parser';
import { evidenceList } from '../../domain/evidence.ts';
import { errorMessage } from '../../domain/errors.ts';
import type { Observation } from '../../domain/types.ts';
import { cleanText, normaliseMac } from '../../util/text.ts';
import { children, parseXml, textAt, type XmlNode } from '../../util/xml.ts';

/**
 * Pure decoding of SADP datagrams. A reply is a flat `<ProbeMatch>` document of about 40
 * elements. Devices in the wild send values that are wrong (`<HCPlatformEnable>flase`),
 * leave fields out, and captures get cut: a well-formed reply is read with the safe XML
 * parser; anything else that still looks like a ProbeMatch is read element by element with a
 * bounded linear scan, keeping only elements that are closed. A DOCTYPE is refused outright
 * (SADP never uses one; it is how entity bombs arrive). Nothing here throws.
 */
export const SADP_LIMITS = {
  /** Bytes of a datagram that are read; real replies are 1-2 KB. */
  maxBytes: 16 * 1024,
  /** Characters kept of one value. */
  maxValue: 256,
  /** Elements looked at by the lenient scan. */
  maxElements: 512,
} as const;

/** The ProbeMatch elements camsweep reads, by tag. */
const TAGS = {
  Uuid: 'uuid',
  Types: 'types',
  DeviceType: 'deviceType',
  DeviceDescription: 'model',
  DeviceSN: 'serial',
  MAC: 'mac',
  IPv4Address: 'ipv4',
  SoftwareVersion: 'firmware',
  DSPVersion: 'dspVersion',
  Activated: 'activated',
  OEMInfo: 'oemInfo',
  CommandPort: 'commandPort',
  HttpPort: 'httpPort',
  AnalogChannelNum: 'analogChannels',
  DigitalChannelNum: 'digitalChannels',
} as const;

type Tag = keyof typeof TAGS;
type Key = (typeof TAGS)[Tag];

/** One decoded ProbeMatch: every value cleaned, normalised where it has a known form. */
export type SadpProbeMatch = Partial<Record<Key, string>>;

export type SadpDecoded =
  /** `wellFormed` false: read element by element (broken or cut XML). */
  | { kind: 'match'; match: SadpProbeMatch; wellFormed: boolean }
  /** An inquiry: ours coming back by broadcast, or another SADP tool's. Not an answer. */
  | { kind: 'probe' }
  | { kind: 'invalid'; reason: string };

const TAG_NAMES = new Set<string>(Object.keys(TAGS));
const ENTITY = /&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/gu;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (whole, name: string) => {
    if (name in NAMED) return NAMED[name]!;
    const code = name.startsWith('#x') ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * The text of every wanted element that opens and closes with nothing but text between
 * (first occurrence wins). Linear: each step moves to the next '<'; bounded in elements.
 */
export function scanElements(text: string, wanted: ReadonlySet<string> = TAG_NAMES): Map<string, string> {
  const out = new Map<string, string>();
  let open = text.indexOf('<');
  for (let steps = 0; open >= 0 && steps < SADP_LIMITS.maxElements; steps += 1) {
    const end = text.indexOf('>', open + 1);
    if (end < 0) break;
    const next = text.indexOf('<', end + 1);
    if (next < 0) break;
    const name = text.slice(open + 1, Math.min(end, open + 66)).split(/\s/u)[0] ?? '';
    if (wanted.has(name) && !out.has(name) && text.startsWith(`</${name}>`, next)) {
      out.set(name, decodeEntities(text.slice(end + 1, next)));
    }
    open = next;
  }
  return out;
}

const TRUE = new Set(['true', '1', 'yes']);
/** `flase` is what some Hikvision firmware writes for false (corpus/hikvision/sadp-ProbeMatch-1.xml). */
const FALSE = new Set(['false', 'flase', '0', 'no']);

function normalise(key: Key, raw: string): string | undefined {
  const value = cleanText(raw, SADP_LIMITS.maxValue);
  if (value === '') return undefined;
  switch (key) {
    case 'activated': {
      const lower = value.toLowerCase();
      if (TRUE.has(lower)) return 'true';
      if (FALSE.has(lower)) return 'false';
      return cleanText(value, 32);
    }
    case 'mac':
      return normaliseMac(value);
    case 'ipv4':
      return isIPv4(value) ? value : undefined;
    case 'commandPort':
    case 'httpPort': {
      if (!/^\d{1,5}$/u.test(value)) return undefined;
      const port = Number(value);
      return port >= 1 && port <= 65_535 ? String(port) : undefined;
    }
    case 'analogChannels':
    case 'digitalChannels':
      return /^\d{1,4}$/u.test(value) ? String(Number(value)) : undefined;
    default:
      return value;
  }
}

function toMatch(read: (tag: Tag) => string | undefined): SadpProbeMatch {
  const match: SadpProbeMatch = {};
  for (const [tag, key] of Object.entries(TAGS) as Array<[Tag, Key]>) {
    const raw = read(tag);
    if (raw === undefined) continue;
    const value = normalise(key, raw);
    if (value !== undefined) match[key] = value;
  }
  return match;
}

function hasDeviceFields(match: SadpProbeMatch): boolean {
  return Object.keys(match).some((k) => k !== 'uuid' && k !== 'types');
}

/**
 * Some stacks pad datagrams with NULs; a BOM may lead. Neither is part of the document. The
 * tail is trimmed by a loop: /[\0\s]+$/ is quadratic on a long run of white space that is not
 * at the end (80 ms for 16 KB).
 */
function documentText(buf: Buffer): string {
  const text = buf.subarray(0, SADP_LIMITS.maxBytes).toString('utf8').replace(/^\ufeff/u, '');
  let end = text.length;
  while (end > 0 && /[\0\s]/u.test(text[end - 1]!)) end -= 1;
  return text.slice(0, end);
}

/**
 * The document's root, when the text is well-formed XML (parseXml alone is lenient about
 * mismatched tags, so the validator decides first).
 */
function strictRoot(text: string): { name: 'ProbeMatch' | 'Probe'; node: XmlNode } | { error: string } {
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { error: valid.err.msg };
  try {
    const doc = parseXml(text, SADP_LIMITS.maxBytes);
    const match = children(doc, 'ProbeMatch')[0];
    if (match !== undefined) return { name: 'ProbeMatch', node: match };
    const probe = children(doc, 'Probe')[0];
    if (probe !== undefined) return { name: 'Probe', node: probe };
    return { error: 'not a SADP ProbeMatch' };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

/** Decodes one datagram received on a SADP socket. Never throws. */
export function decodeSadp(buf: Buffer): SadpDecoded {
  const text = documentText(buf);
  if (/<!DOCTYPE|<!ENTITY/iu.test(text)) return { kind: 'invalid', reason: 'DOCTYPE refused (SADP never declares one)' };
  const closed = /<\/ProbeMatch\s*>$/u.test(text);
  const root = strictRoot(text);
  if ('name' in root && root.name === 'Probe') return { kind: 'probe' };
  if ('name' in root && closed) {
    const match = toMatch((tag) => textAt(root.node, tag));
    return hasDeviceFields(match) ? { kind: 'match', match, wellFormed: true } : { kind: 'invalid', reason: 'ProbeMatch without device fields' };
  }
  if (!/<ProbeMatch[\s>]/u.test(text)) {
    if (/^(<\?xml[^>]{0,200}>\s*)?<Probe[\s>]/u.test(text)) return { kind: 'probe' };
    return { kind: 'invalid', reason: 'error' in root ? `not a SADP reply: ${cleanText(root.error, 200)}` : 'not a SADP reply' };
  }
  const elements = scanElements(text);
  const match = toMatch((tag) => elements.get(tag));
  if (!hasDeviceFields(match)) return { kind: 'invalid', reason: 'broken ProbeMatch without a readable device field' };
  return { kind: 'match', match, wellFormed: false };
}

/**
 * One Observation for one ProbeMatch. `from.ip` is the datagram's source address; the
 * address the device claims is only evidence (`sadp.ipv4`). Answering SADP at all is a tell
 * (Hikvision firmware, whatever the label), hence `sadp.reply`.
 */
export function sadpToObservation(match: SadpProbeMatch, from: { ip: string; iface?: string }): Observation {
  const { list: evidence, add } = evidenceList('sadp');
  add('sadp.reply', 'true');
  add('sadp.deviceType', match.deviceType);
  add('sadp.model', match.model);
  add('sadp.serial', match.serial);
  add('sadp.mac', match.mac);
  add('sadp.ipv4', match.ipv4);
  add('sadp.firmware', match.firmware);
  add('sadp.dspVersion', match.dspVersion);
  add('sadp.activated', match.activated);
  add('sadp.oemInfo', match.oemInfo);
  add('sadp.commandPort', match.commandPort);
  add('sadp.httpPort', match.httpPort);
  add('sadp.analogChannels', match.analogChannels);
  add('sadp.digitalChannels', match.digitalChannels);

  const obs: Observation = { protocol: 'sadp', ip: from.ip, evidence };
  if (from.iface !== undefined) obs.interface = from.iface;
  if (match.mac !== undefined) obs.mac = match.mac;
  if (match.serial !== undefined) obs.identifiers = { serial: match.serial };
  if (match.httpPort !== undefined) obs.endpoints = { httpPorts: [Number(match.httpPort)] };
  return obs;
}
