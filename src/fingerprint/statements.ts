/**
 * Where a device states who it is, and how much such a statement weighs. The generic name
 * matcher (names.ts) reads exactly these fields; a fingerprint that reads a maker field is a
 * `statement` tell (schema.ts). Weights are starting points: measured precision on the corpus
 * replaces them (calibration.ts, docs/fingerprints.md "Weights follow the measurement").
 */

export type StatementClass = 'maker' | 'product' | 'text';

export interface StatementField {
  /** An exact evidence field, or a prefix ending in `.*`. */
  field: string;
  class: StatementClass;
}

/**
 * `maker`: a field meant to name the maker or vendor (ONVIF Manufacturer, UPnP manufacturer and
 * its URL, DHIP Vendor, mDNS TXT manufacturer keys, a certificate's organisation).
 * `product`: a field naming the product, where makers put their name (scope name, model
 * text, server strings, USNs, certificate common names).
 * `text`: free text a user or a web page sets (title, realm, friendly name, other TXT keys).
 */
export const STATEMENT_FIELDS: readonly StatementField[] = [
  { field: 'onvif.manufacturer', class: 'maker' },
  { field: 'upnp.manufacturer', class: 'maker' },
  { field: 'upnp.manufacturerURL', class: 'maker' },
  { field: 'onvif.scope.mfr', class: 'maker' },
  { field: 'onvif.scope.manufacturer', class: 'maker' },
  { field: 'onvif.scope.brand', class: 'maker' },
  { field: 'dhip.vendor', class: 'maker' },
  { field: 'dhip.manufacturer', class: 'maker' },
  { field: 'dhip.v1.name', class: 'maker' },
  { field: 'sadp.oemInfo', class: 'maker' },
  { field: 'mdns.txt.manufacturer', class: 'maker' },
  { field: 'mdns.txt.mfg', class: 'maker' },
  { field: 'mdns.txt.usb_mfg', class: 'maker' },
  { field: 'mdns.txt.vendor', class: 'maker' },
  { field: 'mdns.txt.mf', class: 'maker' },
  { field: 'mdns.txt.manuf', class: 'maker' },
  { field: 'mdns.txt.brand', class: 'maker' },
  { field: 'tls.subject.o', class: 'maker' },
  { field: 'tls.issuer.o', class: 'maker' },
  { field: 'onvif.scope.name', class: 'product' },
  { field: 'onvif.scope.hardware', class: 'product' },
  { field: 'onvif.scope.model', class: 'product' },
  { field: 'onvif.model', class: 'product' },
  { field: 'upnp.modelName', class: 'product' },
  { field: 'upnp.modelDescription', class: 'product' },
  { field: 'upnp.modelURL', class: 'product' },
  { field: 'sadp.model', class: 'product' },
  { field: 'dhip.model', class: 'product' },
  { field: 'mdns.instance', class: 'product' },
  { field: 'mdns.txt.ty', class: 'product' },
  { field: 'mdns.txt.product', class: 'product' },
  { field: 'mdns.txt.model', class: 'product' },
  { field: 'mdns.txt.md', class: 'product' },
  { field: 'mdns.txt.usb_mdl', class: 'product' },
  { field: 'ssdp.server', class: 'product' },
  { field: 'ssdp.usn', class: 'product' },
  { field: 'http.server', class: 'product' },
  { field: 'http.location', class: 'product' },
  { field: 'rtsp.server', class: 'product' },
  { field: 'rtsp.sdp.session', class: 'product' },
  { field: 'rtsp.sdp.tool', class: 'product' },
  { field: 'tls.subject.cn', class: 'product' },
  { field: 'tls.issuer.cn', class: 'product' },
  { field: 'tls.subject.ou', class: 'product' },
  { field: 'http.title', class: 'text' },
  { field: 'http.realm', class: 'text' },
  { field: 'rtsp.realm', class: 'text' },
  { field: 'onvif.realm', class: 'text' },
  { field: 'upnp.friendlyName', class: 'text' },
];

/** Starting weight of a statement by class (maker-field statements are first-class tells). */
export const STATEMENT_WEIGHT: Readonly<Record<StatementClass, number>> = { maker: 0.9, product: 0.8, text: 0.65 };

const exact = new Map<string, StatementClass>();
const prefixes: Array<[string, StatementClass]> = [];
for (const s of STATEMENT_FIELDS) {
  if (s.field.endsWith('.*')) prefixes.push([s.field.slice(0, -1), s.class]);
  else exact.set(s.field, s.class);
}

/** The statement class of an evidence field, or undefined when devices do not state names there. */
export function statementClass(field: string): StatementClass | undefined {
  return exact.get(field) ?? prefixes.find(([p]) => field.startsWith(p))?.[1];
}

/** Fields meant to name the maker: a fingerprint reading one of them is a statement tell. */
export function isMakerField(field: string): boolean {
  return statementClass(field) === 'maker';
}
