/**
 * WS-Discovery 2005/04 Probe messages (SOAP 1.2), as data. ONVIF Core 7.3 and nmap's
 * `wsdd.lua` send two variants: one asking for `dn:NetworkVideoTransmitter`, one with no
 * Types at all (some cameras answer only the typed probe, some only the untyped one, and
 * printers or white-label devices that omit Types answer only the untyped one).
 */
export const WSD_GROUP = '239.255.255.250';
export const WSD_PORT = 3702;
/** The IPv6 link-local WS-Discovery group. */
export const WSD_GROUP6 = 'ff02::c';

export const NS_SOAP = 'http://www.w3.org/2003/05/soap-envelope';
export const NS_ADDRESSING = 'http://schemas.xmlsoap.org/ws/2004/08/addressing';
export const NS_DISCOVERY = 'http://schemas.xmlsoap.org/ws/2005/04/discovery';
export const NS_ONVIF_NETWORK = 'http://www.onvif.org/ver10/network/wsdl';

export const PROBE_ACTION = `${NS_DISCOVERY}/Probe`;
/** The well-known discovery endpoint a multicast Probe is addressed to (WS-Discovery 2005/04, 2.5). */
export const DISCOVERY_TO = 'urn:schemas-xmlsoap-org:ws:2005:04:discovery';
export const ANONYMOUS_ROLE = `${NS_ADDRESSING}/role/anonymous`;

/** The Types value of the ONVIF probe (prefix `dn` is declared on the envelope). */
export const NVT_TYPES = 'dn:NetworkVideoTransmitter';

export interface ProbeOptions {
  /** `urn:uuid:...`; replies echo it in RelatesTo. */
  messageId: string;
  /** QNames to ask for (`dn:NetworkVideoTransmitter`); omitted: a Probe with no Types element. */
  types?: string;
}

function escapeXml(value: string): string {
  return value
    .replace(/&/gu, '&amp;')
    .replace(/</gu, '&lt;')
    .replace(/>/gu, '&gt;')
    .replace(/"/gu, '&quot;');
}

export function buildProbe(opts: ProbeOptions): string {
  const types = opts.types === undefined ? '' : `<d:Types>${escapeXml(opts.types)}</d:Types>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<s:Envelope xmlns:s="${NS_SOAP}" xmlns:a="${NS_ADDRESSING}" xmlns:d="${NS_DISCOVERY}" xmlns:dn="${NS_ONVIF_NETWORK}">` +
    '<s:Header>' +
    `<a:Action s:mustUnderstand="1">${PROBE_ACTION}</a:Action>` +
    `<a:MessageID>${escapeXml(opts.messageId)}</a:MessageID>` +
    `<a:ReplyTo><a:Address>${ANONYMOUS_ROLE}</a:Address></a:ReplyTo>` +
    `<a:To s:mustUnderstand="1">${DISCOVERY_TO}</a:To>` +
    '</s:Header>' +
    `<s:Body><d:Probe>${types}</d:Probe></s:Body>` +
    '</s:Envelope>'
  );
}
