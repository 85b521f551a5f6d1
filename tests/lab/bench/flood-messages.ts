import { randomBytes, randomUUID } from 'node:crypto';

/**
 * What the flood responder sends (pure apart from randomness): junk datagrams of five kinds,
 * valid-looking WS-Discovery ProbeMatches with a fresh random EPR each, and SSDP search
 * responses whose LOCATION is on the flooder's own address (an HTTP server there streams
 * endless bodies).
 */

export const JUNK_KINDS = ['random', 'truncated', 'entity-bomb', 'padded-60k', 'ansi'] as const;
export type JunkKind = (typeof JUNK_KINDS)[number];

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">';

function xmlText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A ProbeMatches answering `relatesTo`, from `ip`, with a random EPR; `extraScope` lets junk pad or poison it. */
export function floodProbeMatches(ip: string, relatesTo: string, extraScope = ''): string {
  return (
    ENVELOPE_OPEN +
    `<env:Header><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID><wsa:RelatesTo>${xmlText(relatesTo)}</wsa:RelatesTo>` +
    '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></env:Header>' +
    '<env:Body><d:ProbeMatches><d:ProbeMatch>' +
    `<wsa:EndpointReference><wsa:Address>urn:uuid:${randomUUID()}</wsa:Address></wsa:EndpointReference>` +
    '<d:Types>dn:NetworkVideoTransmitter</d:Types>' +
    `<d:Scopes>onvif://www.onvif.org/name/flood onvif://www.onvif.org/hardware/F${randomBytes(4).toString('hex')}${xmlText(extraScope)}</d:Scopes>` +
    `<d:XAddrs>http://${ip}/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>` +
    '</d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>'
  );
}

const BOMB =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lolololololololololol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>&lol9;</env:Body></env:Envelope>';

/** One junk datagram of `kind` (at most ~61 KB), answering `relatesTo`, from `ip`. */
export function junkDatagram(kind: JunkKind, ip: string, relatesTo: string): Buffer {
  switch (kind) {
    case 'random':
      return randomBytes(64 + Math.floor(Math.random() * 1400));
    case 'truncated': {
      const whole = floodProbeMatches(ip, relatesTo);
      return Buffer.from(whole.slice(0, 40 + Math.floor(Math.random() * (whole.length - 60))));
    }
    case 'entity-bomb':
      return Buffer.from(BOMB);
    case 'padded-60k':
      return Buffer.from(floodProbeMatches(ip, relatesTo, ` onvif://www.onvif.org/pad/${'A'.repeat(60 * 1024)}`));
    case 'ansi':
      return Buffer.from(floodProbeMatches(ip, relatesTo, ' onvif://www.onvif.org/name/\u001b[2J\u001b[31mPWNED\u001b]0;title\u0007\u0000\r\n'));
  }
}

/** An SSDP search response for `st` with a random uuid and a LOCATION on `ip`. */
export function floodSearchResponse(ip: string, st: string): string {
  const uuid = randomUUID();
  return [
    'HTTP/1.1 200 OK',
    'CACHE-CONTROL: max-age=1800',
    'EXT:',
    `LOCATION: http://${ip}/desc/${uuid}.xml`,
    'SERVER: Linux/1.0, UPnP/1.0, Flood/1.0',
    `ST: ${st}`,
    `USN: uuid:${uuid}::${st}`,
    '',
    '',
  ].join('\r\n');
}
