import { XMLParser } from 'fast-xml-parser';

/**
 * Hikvision SADP as a device sees it (pure). A device answers the `inquiry` Probe with a flat
 * `<ProbeMatch>` laid out as in the real capture behind corpus/hikvision/sadp-ProbeMatch-3.xml
 * (declaration, then one element per line, no indentation), echoing the probe's Uuid. Any
 * other SADP message (activation, password reset, network settings...) is not answered: the
 * responder records it as junk, which a test can then look for.
 */

export type SadpRequest =
  | { kind: 'inquiry'; uuid: string }
  /** `detail`: the Types value, or an excerpt, for the hit log. */
  | { kind: 'junk'; detail: string };

const MAX_REQUEST_BYTES = 8192;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function parseSadpRequest(message: Buffer): SadpRequest {
  const raw = message.toString('utf8');
  if (message.length > MAX_REQUEST_BYTES || /<!DOCTYPE|<!ENTITY/iu.test(raw)) return { kind: 'junk', detail: 'oversized or DOCTYPE' };
  let doc: unknown;
  try {
    doc = parser.parse(raw, true);
  } catch {
    return { kind: 'junk', detail: 'not XML' };
  }
  const probe = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>).Probe : undefined;
  if (probe === null || typeof probe !== 'object') return { kind: 'junk', detail: 'not a Probe' };
  const fields = probe as Record<string, unknown>;
  const types = text(fields.Types) ?? '';
  const uuid = text(fields.Uuid) ?? '';
  if (types !== 'inquiry') return { kind: 'junk', detail: `Types ${types.slice(0, 60)}` };
  if (uuid === '') return { kind: 'junk', detail: 'inquiry without Uuid' };
  return { kind: 'inquiry', uuid };
}

function escapeXml(value: string): string {
  return value.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
}

/** The ProbeMatch answering an inquiry with `uuid`; `fields` after Uuid and Types, in order. */
export function buildSadpProbeMatch(uuid: string, fields: ReadonlyArray<readonly [string, string]>): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<ProbeMatch>',
    `<Uuid>${escapeXml(uuid)}</Uuid>`,
    '<Types>inquiry</Types>',
    ...fields.map(([tag, value]) => `<${tag}>${escapeXml(value)}</${tag}>`),
    '</ProbeMatch>',
  ];
  return `${lines.join('\n')}\n`;
}
