/**
 * WS-Discovery ProbeMatches rebuilt from captures that kept only parts of the reply (Scopes
 * lists, zmonvif-probe's and nmap's printed summaries). The parts are the capture's; the
 * envelope is a minimal WS-Discovery one, and only what the capture shows is filled in (a
 * summary without Types gives a ProbeMatch without Types, as some white-label cameras send).
 */

export interface ProbeMatchParts {
  epr?: string;
  types?: readonly string[];
  scopes?: readonly string[];
  xaddrs?: readonly string[];
  messageId?: string;
}

function escapeXml(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
}

export function probeMatchesEnvelope(parts: ProbeMatchParts): string {
  const list = (tag: string, items: readonly string[] | undefined): string =>
    items === undefined || items.length === 0 ? '' : `<d:${tag}>${items.map(escapeXml).join(' ')}</d:${tag}>`;
  const epr = parts.epr === undefined ? '' : `<a:EndpointReference><a:Address>${escapeXml(parts.epr)}</a:Address></a:EndpointReference>`;
  const messageId = parts.messageId === undefined ? '' : `<a:MessageID>${escapeXml(parts.messageId)}</a:MessageID>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">' +
    `<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action>${messageId}</s:Header>` +
    `<s:Body><d:ProbeMatches><d:ProbeMatch>${epr}${list('Types', parts.types)}${list('Scopes', parts.scopes)}${list('XAddrs', parts.xaddrs)}</d:ProbeMatch></d:ProbeMatches></s:Body>` +
    '</s:Envelope>'
  );
}

/** Device `index` of vicmaeg/onvif-discovery's ScopesTestData.json (UTF-8 BOM allowed). */
export function scopesFromJson(text: string, index: number): string[] {
  const doc = JSON.parse(text.replace(/^\ufeff/u, '')) as { Devices?: Array<{ Scopes?: unknown }> };
  const scopes = doc.Devices?.[index]?.Scopes;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) throw new Error(`no Scopes for device ${index}`);
  return scopes;
}

/**
 * Line `index` of ZoneMinder's `zmonvif-probe.pl probe` output:
 * `<XAddr>, <SOAP version>, (key='value', key='value', ...)`. Each `key='value'` is the scope
 * `onvif://www.onvif.org/<key>/<value>` the camera sent, its value percent-encoded again.
 */
export function zmonvifProbe(text: string, index: number): ProbeMatchParts {
  const lines = text.split('\n').filter((l) => /^(?:```)?https?:\/\/\S+, \d\.\d, \(/u.test(l));
  const line = lines[index];
  if (line === undefined) throw new Error(`zmonvif output has ${lines.length} devices, no device ${index}`);
  const m = /^(?:```)?(https?:\/\/\S+), \d\.\d, \((.*)\)(?:```)?$/u.exec(line.trim());
  if (!m) throw new Error(`unreadable zmonvif line ${index}`);
  const scopes = [...m[2]!.matchAll(/([\w/]+)='([^']*)'/gu)].map(([, key, value]) => `onvif://www.onvif.org/${key}/${encodeURIComponent(value!)}`);
  return { xaddrs: [m[1]!], scopes };
}

/**
 * The replies of host `ip` in nmap broadcast-wsdd-discover output: each `Message id:`,
 * `Address:` (the XAddr) and `Type:` (the Types, as nmap prints them) group under the
 * host's address line, in the Devices and the WCF Services sections alike.
 */
export function nmapWsdd(text: string, ip: string): ProbeMatchParts[] {
  const out: ProbeMatchParts[] = [];
  let current: ProbeMatchParts | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^--\s?\|_?\s*/u, '').trim();
    if (/^\d{1,3}(?:\.\d{1,3}){3}$/u.test(line)) {
      current = line === ip ? {} : undefined;
      if (current) out.push(current);
      continue;
    }
    if (!current) continue;
    const kv = /^(Message id|Address|Type):\s*(.*)$/u.exec(line);
    if (!kv) continue;
    const value = kv[2]!.trim();
    if (kv[1] === 'Message id') current.messageId = `urn:uuid:${value}`;
    if (kv[1] === 'Address') current.xaddrs = [value];
    if (kv[1] === 'Type') current.types = value.split(/\s+/u);
  }
  return out;
}
