import type { SoapStyle } from './profile.ts';

/**
 * The SOAP house styles of real devices, from the corpus:
 * - dahua: `standalone="yes"`, s:/sc:/a:/d: prefixes, MessageID `uuid:`, `<s:Header/>` in ONVIF
 *   replies (corpus/dahua/ws-discovery-ProbeMatches-1.xml, onvif-GetSystemDateAndTime-1.xml).
 * - hikvision: env: prefix with a long namespace list incl. tnshik/hikwsd/hikxsd, wsadis:
 *   addressing, AppSequence, MessageID equal to the endpoint address
 *   (corpus/hikvision/ws-discovery-ProbeMatches-1.xml).
 * - gsoap: SOAP-ENV/SOAP-ENC, wsa:, mustUnderstand on To/Action/AppSequence (Axis OS;
 *   corpus/axis/ws-discovery-ProbeMatches-1.xml).
 * - printer: soap:/wsa:/wsd: on one line, no Scopes (corpus/epson-printer/...).
 * - windows: soap:/wsa:/wsd:/wsdp: on one line, no Scopes, header To/Action/MessageID/
 *   RelatesTo/AppSequence: the Windows host announcement (Types 'wsdp:Device pub:Computer',
 *   XAddr :5357, corpus/mixed-negatives/wsdd-nmap-output-1.txt) as christgau/wsdd emulates it
 *   for Windows clients (src/wsdd.py: namespace table, header order, one-line message).
 */

export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  soapEnc: 'http://www.w3.org/2003/05/soap-encoding',
  wsa2004: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsd2005: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  wsd2009: 'http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  ter: 'http://www.onvif.org/ver10/error',
  dn: 'http://www.onvif.org/ver10/network/wsdl',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
} as const;

/** Namespaces of the type prefixes profiles use in `wsd.match.types`. */
export const TYPE_PREFIXES: Record<string, string> = {
  dn: NS.dn,
  tds: NS.tds,
  wsdp: 'http://schemas.xmlsoap.org/ws/2006/02/devprof',
  wprt: 'http://schemas.microsoft.com/windows/2006/08/wdp/print',
  wscn: 'http://schemas.microsoft.com/windows/2006/08/wdp/scan',
  pub: 'http://schemas.microsoft.com/windows/pub/2005/07',
};

const ONVIF_PREFIXES: Record<string, string> = { tds: NS.tds, tt: NS.tt, ter: NS.ter };

const HIKVISION_NAMESPACES = [
  ['env', NS.soap12],
  ['soapenc', NS.soapEnc],
  ['xsi', 'http://www.w3.org/2001/XMLSchema-instance'],
  ['xs', 'http://www.w3.org/2001/XMLSchema'],
  ['tt', NS.tt],
  ['tds', NS.tds],
  ['trt', 'http://www.onvif.org/ver10/media/wsdl'],
  ['timg', 'http://www.onvif.org/ver20/imaging/wsdl'],
  ['tev', 'http://www.onvif.org/ver10/events/wsdl'],
  ['tptz', 'http://www.onvif.org/ver20/ptz/wsdl'],
  ['tan', 'http://www.onvif.org/ver20/analytics/wsdl'],
  ['tst', 'http://www.onvif.org/ver10/storage/wsdl'],
  ['ter', NS.ter],
  ['dn', NS.dn],
  ['tns1', 'http://www.onvif.org/ver10/topics'],
  ['tmd', 'http://www.onvif.org/ver10/deviceIO/wsdl'],
  ['d', NS.wsd2005],
  ['wsadis', NS.wsa2004],
  ['wsnt', 'http://docs.oasis-open.org/wsn/b-2'],
  ['wsa', 'http://www.w3.org/2005/08/addressing'],
  ['tnshik', 'http://www.hikvision.com/2011/event/topics'],
  ['hikwsd', 'http://www.onvifext.com/onvif/ext/ver10/wsdl'],
  ['hikxsd', 'http://www.onvifext.com/onvif/ext/ver10/schema'],
  ['tas', 'http://www.onvif.org/ver10/advancedsecurity/wsdl'],
] as const;

export interface StyleDef {
  decl: string;
  /** Envelope prefix. */
  env: string;
  /** Addressing and discovery prefixes. */
  wsa: string;
  d: string;
  /** Namespace declarations always on the envelope (prefix -> URI). */
  namespaces: ReadonlyArray<readonly [string, string]>;
  messageIdScheme: 'uuid:' | 'urn:uuid:';
  /** WS-Addressing To of a ProbeMatches. */
  to: string;
  appSequence: boolean;
  mustUnderstand: boolean;
  /** ONVIF replies carry an empty Header element. */
  emptyHeader: boolean;
  /** Line break between elements ('' for one-line messages). */
  nl: string;
}

export const STYLES: Record<SoapStyle, StyleDef> = {
  dahua: {
    decl: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    env: 's',
    wsa: 'a',
    d: 'd',
    namespaces: [
      ['s', NS.soap12],
      ['sc', NS.soapEnc],
      ['dn', NS.dn],
      ['tds', NS.tds],
      ['tt', NS.tt],
      ['ter', NS.ter],
      ['d', NS.wsd2005],
      ['a', NS.wsa2004],
    ],
    messageIdScheme: 'uuid:',
    to: 'urn:schemas-xmlsoap-org:ws:2005:04:discovery',
    appSequence: false,
    mustUnderstand: false,
    emptyHeader: true,
    nl: '\n',
  },
  hikvision: {
    decl: '<?xml version="1.0" encoding="utf-8"?>',
    env: 'env',
    wsa: 'wsadis',
    d: 'd',
    namespaces: HIKVISION_NAMESPACES,
    messageIdScheme: 'urn:uuid:',
    to: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous',
    appSequence: true,
    mustUnderstand: false,
    emptyHeader: false,
    nl: '\n',
  },
  gsoap: {
    decl: '<?xml version="1.0" encoding="UTF-8"?>',
    env: 'SOAP-ENV',
    wsa: 'wsa',
    d: 'd',
    namespaces: [
      ['SOAP-ENV', NS.soap12],
      ['SOAP-ENC', NS.soapEnc],
      ['wsa', NS.wsa2004],
      ['d', NS.wsd2005],
      ['dn', NS.dn],
      ['tds', NS.tds],
      ['tt', NS.tt],
      ['ter', NS.ter],
    ],
    messageIdScheme: 'uuid:',
    to: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous',
    appSequence: true,
    mustUnderstand: true,
    emptyHeader: false,
    nl: '\n',
  },
  windows: {
    decl: '<?xml version="1.0" encoding="utf-8"?>',
    env: 'soap',
    wsa: 'wsa',
    d: 'wsd',
    namespaces: [
      ['soap', NS.soap12],
      ['wsa', NS.wsa2004],
      ['wsd', NS.wsd2005],
      ['wsdp', TYPE_PREFIXES.wsdp ?? ''],
    ],
    messageIdScheme: 'urn:uuid:',
    to: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous',
    appSequence: true,
    mustUnderstand: false,
    emptyHeader: false,
    nl: '',
  },
  printer: {
    decl: '<?xml version="1.0" encoding="utf-8"?>',
    env: 'soap',
    wsa: 'wsa',
    d: 'wsd',
    namespaces: [
      ['soap', NS.soap12],
      ['wsdp', TYPE_PREFIXES.wsdp ?? ''],
      ['wsa', NS.wsa2004],
      ['wsd', NS.wsd2005],
      ['wprt', TYPE_PREFIXES.wprt ?? ''],
      ['wscn', TYPE_PREFIXES.wscn ?? ''],
    ],
    messageIdScheme: 'urn:uuid:',
    to: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous',
    appSequence: true,
    mustUnderstand: false,
    emptyHeader: false,
    nl: '',
  },
};

export function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/gu, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

/**
 * xmlns declarations for the style plus any extra prefixes (unknown extra prefixes are skipped),
 * then the device's own [prefix, URI] declarations (a prefix already declared keeps its URI).
 */
export function namespaceAttrs(
  style: StyleDef,
  extraPrefixes: Iterable<string> = [],
  declarations: ReadonlyArray<readonly [string, string]> = [],
): string {
  const declared = new Map<string, string>(style.namespaces.map(([p, uri]) => [p, uri]));
  for (const prefix of extraPrefixes) {
    const uri = TYPE_PREFIXES[prefix] ?? ONVIF_PREFIXES[prefix];
    if (uri !== undefined && !declared.has(prefix)) declared.set(prefix, uri);
  }
  for (const [prefix, uri] of declarations) {
    if (!declared.has(prefix)) declared.set(prefix, uri);
  }
  return [...declared].map(([p, uri]) => `xmlns:${p}="${xmlEscape(uri)}"`).join(' ');
}

/** A SOAP 1.2 envelope around an ONVIF body, in the device's style, with its extra namespaces. */
export function onvifEnvelope(style: StyleDef, body: string, namespaces: ReadonlyArray<readonly [string, string]> = []): string {
  const e = style.env;
  const header = style.emptyHeader ? `<${e}:Header/>` : '';
  return `${style.decl}<${e}:Envelope ${namespaceAttrs(style, ['tds', 'tt', 'ter'], namespaces)}>${header}<${e}:Body>${body}</${e}:Body></${e}:Envelope>`;
}
