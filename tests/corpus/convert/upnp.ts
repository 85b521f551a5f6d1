/**
 * A UPnP device description rebuilt from field values a source printed or asserted (nmap's
 * broadcast-upnp-info, noddos' test). Only the given fields are written, in the given order,
 * under the standard root; nothing is added (no deviceType, no UDN, no service list).
 */

export type DescriptionField = 'friendlyName' | 'manufacturer' | 'manufacturerURL' | 'modelName' | 'modelNumber' | 'modelURL' | 'modelDescription' | 'serialNumber';

function escapeXml(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/"/gu, '&quot;');
}

export function upnpDescription(fields: ReadonlyArray<[DescriptionField, string]>): string {
  const body = fields.map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`).join('');
  return (
    '<?xml version="1.0"?>' +
    '<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>' +
    `<device>${body}</device></root>`
  );
}

/** noddos' `sHost->` property names -> description elements. */
export const NODDOS_FIELDS: Readonly<Record<string, DescriptionField>> = {
  FriendlyName: 'friendlyName',
  Manufacturer: 'manufacturer',
  ManufacturerUrl: 'manufacturerURL',
  ModelName: 'modelName',
  ModelUrl: 'modelURL',
  SerialNumber: 'serialNumber',
};

/**
 * nmap broadcast-upnp-info labels -> description elements. `Webserver` (the HTTP Server header
 * of the description fetch, which camsweep's UPnP enricher does not record) and `Model
 * Version` (an nmap label whose element is not certain) are left out.
 */
export const NMAP_FIELDS: Readonly<Record<string, DescriptionField>> = {
  Name: 'friendlyName',
  Manufacturer: 'manufacturer',
  'Model Descr': 'modelDescription',
  'Model Name': 'modelName',
};

/** The description fields of a labelled record, in `mapping`'s order. */
export function mapFields(values: Readonly<Record<string, string>>, mapping: Readonly<Record<string, DescriptionField>>): Array<[DescriptionField, string]> {
  const out: Array<[DescriptionField, string]> = [];
  for (const [label, field] of Object.entries(mapping)) {
    const value = values[label];
    if (value !== undefined) out.push([field, value]);
  }
  return out;
}
