import { DHIP_HEADER_LENGTH, DHIP_MAGIC } from '../../../src/discovery/dhip/payloads.ts';
import { csvRow } from './csv.ts';

/**
 * Dahua discovery replies rebuilt from captures that kept the JSON body but not the datagram
 * (a printable rendering, a Ruby `pp`, Shadowserver's parsed CSV), and Dahua's device-info
 * record read over channels camsweep does not speak (magicBox CGI, the private RPC protocol),
 * as the body of a DHIP `client.notifyDevInfo` reply whose keys carry the same values.
 */

/** A DHIP datagram around `body`: the header layout of corpus/dahua/dhip-notifyDevInfo-1.bin. */
export function frameDhip(body: string): Buffer {
  const b = Buffer.from(body, 'utf8');
  const header = Buffer.alloc(DHIP_HEADER_LENGTH);
  header.writeUInt32LE(DHIP_HEADER_LENGTH, 0);
  header.write(DHIP_MAGIC, 4, 'latin1');
  header.writeUInt32LE(b.length, 16);
  header.writeUInt32LE(b.length, 24);
  return Buffer.concat([header, b]);
}

/** The JSON body in a printable rendering of a datagram (`    DHIP    { ... }`): from the first `{` on. */
export function dhipBodyFromPrintable(text: string): string {
  const start = text.indexOf('{');
  if (start < 0) throw new Error('no JSON body in the printable rendering');
  return text.slice(start);
}

/** A Ruby `pp` of the parsed reply in `# ` comment lines (Rapid7 module header): `=>` becomes `:`. */
export function dhipBodyFromRubyPp(text: string): string {
  const ruby = text
    .split('\n')
    .filter((l) => l.startsWith('#'))
    .map((l) => l.replace(/^# ?/u, ''))
    .join('\n');
  const json = ruby.replace(/"=>/gu, '":');
  return `${JSON.stringify(JSON.parse(json))}\n`;
}

const num = (v: string | undefined): number => Number(v ?? '');
const bool = (v: string | undefined): boolean => v === '1' || v === 'true';

/**
 * One row of Shadowserver's DVR DHCPDiscover CSV as the reply body it was parsed from, with
 * the mapping documented in tests/fixtures/dhip/README.md (empty columns left out).
 */
export function dhipBodyFromCsvRow(text: string, row: number): string {
  const r = csvRow(text, row);
  const info: Record<string, unknown> = {
    AlarmInputChannels: num(r['alarm_input_channels']),
    AlarmOutputChannels: num(r['alarm_output_channels']),
    DeviceClass: r['device_type'],
    DeviceType: r['device_model'],
    HttpPort: num(r['http_port']),
    IPv4Address: {
      DefaultGateway: r['ipv4_gateway'],
      DhcpEnable: bool(r['ipv4_dhcp_enable']),
      IPAddress: r['ipv4_address'],
      SubnetMask: r['ipv4_subnet_mask'],
    },
    IPv6Address: {
      DefaultGateway: r['ipv6_gateway'],
      DhcpEnable: bool(r['ipv6_dhcp_enable']),
      IPAddress: `${r['ipv6_address'] ?? ''}/64`,
      LinkLocalAddress: r['ipv6_link_local'],
    },
    MachineName: r['machine_name'],
    Manufacturer: r['manufacturer'],
    Port: num(r['internal_port']),
    RemoteVideoInputChannels: num(r['remote_video_input_channels']),
    SerialNo: r['device_serial'],
    Vendor: r['device_vendor'],
    Version: r['device_version'],
    VideoInputChannels: num(r['video_input_channels']),
    VideoOutputChannels: num(r['video_output_channels']),
  };
  if (r['device_id']) info['DeviceID'] = r['device_id'];
  return `${JSON.stringify({ mac: r['mac_address'], method: r['method'], params: { deviceInfo: info } })}\n`;
}

/** deviceInfo keys of a DHIP notifyDevInfo reply that a converted record may fill. */
export type DeviceInfoKey = 'DeviceType' | 'DeviceClass' | 'Vendor' | 'Version' | 'SerialNo';
export type DeviceInfoValues = Partial<Record<DeviceInfoKey, string>>;

/**
 * magicBox.cgi?action=getSystemInfo (`key=value` lines, here in `//` comments): `deviceType`
 * and `serialNumber` are the record's DeviceType and SerialNo. `updateSerial`, `processor`,
 * `hardwareVersion` and `appAutoStart` have no DHIP key (a Lorex's DHIP DeviceType is its
 * label's model, W461ASC, as magicBox's deviceType is), so they are left out.
 */
export function devinfoFromMagicBox(text: string): DeviceInfoValues {
  const out: DeviceInfoValues = {};
  for (const m of text.matchAll(/^\s*\/\/ (\w+)=(.*)$/gmu)) {
    const value = m[2]!.trim();
    if (m[1] === 'deviceType') out.DeviceType = value;
    if (m[1] === 'serialNumber') out.SerialNo = value;
  }
  return out;
}

/**
 * bashis' Dahua JSON Debug Console output: the first `[System]` block's `Vendor:` and
 * `Version:` (magicBox.getVendor / getSoftwareVersion), and `Remote device: <type>` or
 * `Remote Model: <type>, Class: <class>` (getDeviceType / getDeviceClass).
 */
export function devinfoFromRpcConsole(text: string): DeviceInfoValues {
  const out: DeviceInfoValues = {};
  const vendor = /Vendor: ([^,\n]+)/u.exec(text)?.[1];
  const version = /Version: ([^,\n]+)/u.exec(text)?.[1];
  const type = /Remote (?:device|Model): ([^,\n]+)/u.exec(text)?.[1];
  const cls = /Class: ([^,\n]+)/u.exec(text)?.[1];
  if (vendor) out.Vendor = vendor.trim();
  if (version) out.Version = version.trim();
  if (type) out.DeviceType = type.trim();
  if (cls) out.DeviceClass = cls.trim();
  return out;
}

/** A notifyDevInfo body holding only `values` (no mac: none was captured). */
export function dhipBodyFromDevinfo(values: DeviceInfoValues): string {
  return `${JSON.stringify({ method: 'client.notifyDevInfo', params: { deviceInfo: values } })}\n`;
}
