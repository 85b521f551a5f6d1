import { NS_DEVICE, NS_SOAP } from '../../../src/enrich/onvif.ts';
import { decodeCString } from './ssdp.ts';

/**
 * ONVIF GetDeviceInformation responses rebuilt from captures that kept only the values
 * (python-onvif's printed dict, an EdgeX event in YAML) and from the same device-information
 * record read over another channel (a GB28181 Catalog item, Reolink's HTTP API). The values
 * are the capture's, verbatim; the envelope is a minimal SOAP 1.2 one (no vendor namespaces:
 * none were captured). The real enricher then reads it as it reads any device.
 */

export type DeviceInformationField = 'Manufacturer' | 'Model' | 'FirmwareVersion' | 'SerialNumber' | 'HardwareId';
export type DeviceInformationValues = Partial<Record<DeviceInformationField, string>>;

const ORDER: readonly DeviceInformationField[] = ['Manufacturer', 'Model', 'FirmwareVersion', 'SerialNumber', 'HardwareId'];

function escapeXml(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
}

export function deviceInformationResponse(values: DeviceInformationValues): string {
  const fields = ORDER.filter((f) => values[f] !== undefined)
    .map((f) => `<tds:${f}>${escapeXml(values[f]!)}</tds:${f}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<s:Envelope xmlns:s="${NS_SOAP}" xmlns:tds="${NS_DEVICE}">` +
    `<s:Body><tds:GetDeviceInformationResponse>${fields}</tds:GetDeviceInformationResponse></s:Body></s:Envelope>`
  );
}

function pick(record: Readonly<Record<string, string>>, mapping: ReadonlyArray<[string, DeviceInformationField]>): DeviceInformationValues {
  const out: DeviceInformationValues = {};
  for (const [key, field] of mapping) {
    const v = record[key];
    if (v !== undefined && v !== '') out[field] = v;
  }
  return out;
}

const SAME_NAMES: ReadonlyArray<[string, DeviceInformationField]> = ORDER.map((f) => [f, f]);

/** python-onvif's onvif-cli output: `True: {'Model': DS-2DF7286-A, 'SerialNumber': ..., ...}` (values unquoted). */
export function fromPythonOnvif(text: string): DeviceInformationValues {
  const dict = /\{([^{}]*)\}/u.exec(text)?.[1];
  if (dict === undefined) throw new Error('no {...} dict in the python-onvif output');
  const record: Record<string, string> = {};
  for (const m of dict.matchAll(/'(\w+)': ([^,]*)(?:,|$)/gu)) record[m[1]!] = m[2]!.trim();
  return pick(record, SAME_NAMES);
}

/** The `objectValue:` map of an EdgeX DeviceInformation reading (device-onvif-camera OpenAPI example). */
export function fromEdgexYaml(text: string): DeviceInformationValues {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s*objectValue:\s*$/u.test(l));
  if (start < 0) throw new Error('no objectValue: in the EdgeX example');
  const indent = /^\s*/u.exec(lines[start]!)![0].length;
  const record: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    const m = /^(\s*)(\w+):\s*(.*)$/u.exec(line);
    if (!m || m[1]!.length <= indent) break;
    record[m[2]!] = m[3]!.trim().replace(/^'(.*)'$/u, '$1');
  }
  return pick(record, SAME_NAMES);
}

/**
 * The first `<Item>` of a GB28181 Catalog (MANSCDP XML, possibly pasted in `//` comments):
 * `<Manufacturer>` and `<Model>` are the device's own device-information fields.
 * `ownerIsFirmware` maps `<Owner>` to FirmwareVersion, for devices shown to put their
 * firmware string there (Uniview, per INDEX.md); otherwise Owner is not device information.
 */
export function fromGb28181(text: string, ownerIsFirmware: boolean): DeviceInformationValues {
  const plain = text.replace(/^\s*\/\/ ?/gmu, '');
  const item = /<Item>([\s\S]*?)(?:<\/Item>|$)/u.exec(plain)?.[1];
  if (item === undefined) throw new Error('no <Item> in the GB28181 catalog');
  const record: Record<string, string> = {};
  for (const m of item.matchAll(/<(\w+)>([^<]*)<\/\1>/gu)) record[m[1]!] ??= m[2]!.trim();
  const mapping: Array<[string, DeviceInformationField]> = [
    ['Manufacturer', 'Manufacturer'],
    ['Model', 'Model'],
  ];
  if (ownerIsFirmware) mapping.push(['Owner', 'FirmwareVersion']);
  return pick(record, mapping);
}

/**
 * Reolink's `/cgi-bin/api.cgi?cmd=GetDevInfo` element (as reolink_aio logs it): `model`,
 * `firmVer`, `hardVer` and `serial` are the device's model, firmware, hardware id and serial.
 * The record has no manufacturer field, so none is written.
 */
export function fromReolinkApi(text: string): DeviceInformationValues {
  const json = text.trim().replace(/,$/u, '');
  const parsed = JSON.parse(json) as { value?: { DevInfo?: Record<string, unknown> } };
  const info = parsed.value?.DevInfo;
  if (!info) throw new Error('no value.DevInfo in the Reolink reply');
  const record: Record<string, string> = {};
  for (const [k, v] of Object.entries(info)) if (typeof v === 'string') record[k] = v;
  return pick(record, [
    ['model', 'Model'],
    ['firmVer', 'FirmwareVersion'],
    ['serial', 'SerialNumber'],
    ['hardVer', 'HardwareId'],
  ]);
}

/** The body of an Elixir-quoted string in a log line: `... : "<!DOCTYPE html>\r\n..."`. */
export function elixirQuoted(text: string): string {
  const m = /"((?:[^"\\]|\\.)*)"/u.exec(text);
  if (!m) throw new Error('no quoted string');
  return decodeCString(m[1]!);
}
