import type { CrowdDevice } from './crowd-plan.ts';
import { xmlEscape } from '../simulator/soap-styles.ts';
import { buildSadpProbeMatch } from '../simulator/sadp-messages.ts';
import { dhipFrame, notifyDevInfoBody } from '../simulator/dhip-messages.ts';
import type { MdnsProfile } from '../simulator/profile.ts';

/**
 * What a crowd device says (pure): a WS-Discovery ProbeMatches, an SSDP search response and a
 * UPnP description, with Hikvision-, Dahua- or Axis-like scopes, models and servers by vendor;
 * a Hikvision device's SADP ProbeMatch, a Dahua device's DHIP client.notifyDevInfo and an Axis
 * device's mDNS services (layouts
 * as in the standard lab's profiles; serials and UUIDs derived from the index).
 */

const MODELS = { hikvision: 'DS-2CD2142FWD-I', dahua: 'IPC-HFW2228M-I1-V2', axis: 'M2036-LE' } as const;
const MAKERS = { hikvision: 'Hikvision', dahua: 'Dahua', axis: 'AXIS' } as const;
const SERVERS = {
  hikvision: 'Linux/3.10, UPnP/1.0, Hikvision SDK/1.0',
  dahua: 'Linux/3.8.8, UPnP/1.0, ZheJiang Dahua Technology CO.,LTD. Upnp SDK',
  axis: 'Linux/4.9.206-axis5, UPnP/1.0, Portable SDK for UPnP devices/1.6.22',
} as const;

export const DESCRIPTION_PATH = '/upnp_device_desc.xml';

function mac12(d: CrowdDevice): string {
  return d.mac.replaceAll(':', '');
}

export function endpointOf(d: CrowdDevice): string {
  return `urn:uuid:4b1d2a00-3aa0-11b5-8142-${mac12(d)}`;
}

function scopesOf(d: CrowdDevice): string[] {
  const model = MODELS[d.vendor];
  const base = ['onvif://www.onvif.org/type/video_encoder', 'onvif://www.onvif.org/Profile/Streaming'];
  if (d.vendor === 'hikvision') {
    return [...base, `onvif://www.onvif.org/MAC/${d.mac}`, `onvif://www.onvif.org/hardware/${model}`, `onvif://www.onvif.org/name/HIKVISION%20${model}`, 'onvif://www.onvif.org/location/city/hangzhou'];
  }
  if (d.vendor === 'dahua') {
    return [...base, 'onvif://www.onvif.org/location/country/china', 'onvif://www.onvif.org/name/Dahua', `onvif://www.onvif.org/hardware/${model}`];
  }
  return [...base, `onvif://www.onvif.org/hardware/${model}`, `onvif://www.onvif.org/name/AXIS%20${model}`, 'onvif://www.onvif.org/location/'];
}

/** A ProbeMatches answering the probe whose MessageID is `relatesTo`. */
export function probeMatches(d: CrowdDevice, relatesTo: string, messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">' +
    `<env:Header><wsa:MessageID>${xmlEscape(messageId)}</wsa:MessageID><wsa:RelatesTo>${xmlEscape(relatesTo)}</wsa:RelatesTo>` +
    '<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>' +
    '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>' +
    `<d:AppSequence InstanceId="${d.index + 1}" MessageNumber="1"/></env:Header>` +
    '<env:Body><d:ProbeMatches><d:ProbeMatch>' +
    `<wsa:EndpointReference><wsa:Address>${endpointOf(d)}</wsa:Address></wsa:EndpointReference>` +
    '<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>' +
    `<d:Scopes>${xmlEscape(scopesOf(d).join(' '))}</d:Scopes>` +
    `<d:XAddrs>http://${d.ip}/onvif/device_service</d:XAddrs>` +
    '<d:MetadataVersion>1</d:MetadataVersion>' +
    '</d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>'
  );
}

/** The SSDP search response for search target `st` (the device answers ssdp:all, upnp:rootdevice and its uuid). */
/** One reply to an M-SEARCH for `target` (one of searchTargets()). */
export function searchResponse(d: CrowdDevice, target: string, now: Date): string {
  const uuid = `uuid:crowd-${d.vendor}-${mac12(d)}`;
  return [
    'HTTP/1.1 200 OK',
    'CACHE-CONTROL: max-age=1800',
    `DATE: ${now.toUTCString()}`,
    'EXT:',
    `LOCATION: http://${d.ip}:80${DESCRIPTION_PATH}`,
    `SERVER: ${SERVERS[d.vendor]}`,
    `ST: ${target}`,
    `USN: ${target === uuid ? uuid : `${uuid}::${target}`}`,
    '',
    '',
  ].join('\r\n');
}

/** Whether a device answers this search target. */
const DEVICE_TYPE = 'urn:schemas-upnp-org:device:Basic:1';

/**
 * The targets a device answers a search for with one reply each: for ssdp:all, as UDA 1.1
 * §1.3.3 has a root device with no embedded devices or services answer, three (upnp:rootdevice,
 * its uuid, its device type); for one of those, that one; for anything else, none.
 */
export function searchTargets(d: CrowdDevice, st: string): string[] {
  const own = ['upnp:rootdevice', `uuid:crowd-${d.vendor}-${mac12(d)}`, DEVICE_TYPE];
  if (st === 'ssdp:all') return own;
  if (st.startsWith('urn:schemas-upnp-org:device:Basic:')) return [DEVICE_TYPE];
  return own.includes(st) ? [st] : [];
}

export function upnpDescription(d: CrowdDevice): string {
  const model = MODELS[d.vendor];
  return (
    '<?xml version="1.0"?>\r\n<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><device>' +
    `<deviceType>${DEVICE_TYPE}</deviceType>` +
    `<friendlyName>${model} ${mac12(d)}</friendlyName><manufacturer>${MAKERS[d.vendor]}</manufacturer>` +
    `<modelName>${model}</modelName><modelNumber>${model}</modelNumber><serialNumber>${mac12(d).toUpperCase()}</serialNumber>` +
    `<UDN>uuid:crowd-${d.vendor}-${mac12(d)}</UDN><presentationURL>http://${d.ip}/</presentationURL>` +
    '</device></root>\r\n'
  );
}

const serialOf = (d: CrowdDevice): string => `${String(d.index).padStart(6, '0')}${mac12(d).toUpperCase()}`;

/** A Hikvision device's answer to the SADP inquiry with Uuid `uuid` (fields as the DS-2CD2142FWD-I profile). */
export function sadpProbeMatch(d: CrowdDevice, uuid: string, mask: string): string {
  return buildSadpProbeMatch(uuid, [
    ['DeviceType', '136706'],
    ['DeviceDescription', MODELS.hikvision],
    ['DeviceSN', `${MODELS.hikvision}20170418AAWR${serialOf(d)}`],
    ['CommandPort', '8000'],
    ['HttpPort', '80'],
    ['MAC', d.mac.replaceAll(':', '-')],
    ['IPv4Address', d.ip],
    ['IPv4SubnetMask', mask],
    ['DHCP', 'false'],
    ['SoftwareVersion', 'V5.4.5build 170124'],
    ['DSPVersion', 'V7.3 build 170124'],
    ['OEMInfo', 'N/A'],
    ['Activated', 'true'],
  ]);
}

/** A Dahua device's DHIP answer to DHDiscover.search (device info as the IPC-HFW2228M profile). */
export function dhipNotify(d: CrowdDevice, mask: string): Buffer {
  return dhipFrame(
    notifyDevInfoBody(d.mac, {
      DeviceClass: 'IPC',
      DeviceType: MODELS.dahua,
      HttpPort: 80,
      IPv4Address: { DefaultGateway: '', DhcpEnable: false, IPAddress: d.ip, SubnetMask: mask },
      MachineName: serialOf(d),
      Manufacturer: 'Private',
      Port: 37777,
      SerialNo: serialOf(d),
      Vendor: 'Dahua',
      Version: '2.800.0000000.22.R',
    }),
  );
}

/** What an Axis device advertises over mDNS (as the M2036-LE profile): its video service and web page. */
export function mdnsProfileOf(d: CrowdDevice): MdnsProfile {
  const instance = `AXIS ${MODELS.axis} - ${mac12(d).toUpperCase()}`;
  return {
    hostname: `axis-${mac12(d)}`,
    services: [
      { type: '_axis-video._tcp', instance, port: 80, txt: [`macaddress=${mac12(d).toUpperCase()}`] },
      { type: '_http._tcp', instance, port: 80, txt: ['path=/'] },
    ],
  };
}

