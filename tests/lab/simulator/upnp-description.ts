import type { SsdpProfile, UpnpProfile } from './profile.ts';
import { xmlEscape } from './soap-styles.ts';

/** The UPnP device description document served at the LOCATION URL (pure). */
export function buildUpnpDescription(upnp: UpnpProfile, ssdp: SsdpProfile | undefined): string {
  const udn = `uuid:${ssdp?.uuid ?? 'unknown'}`;
  const deviceType = ssdp?.deviceType ?? 'urn:schemas-upnp-org:device:Basic:1';
  if (upnp.xml !== undefined) {
    return upnp.xml.replaceAll('{udn}', udn).replaceAll('{deviceType}', deviceType);
  }
  const d = upnp.device;
  if (d === undefined) throw new Error('upnp needs xml or device');
  const optional = (tag: string, value: string | undefined): string =>
    value === undefined ? '' : `    <${tag}>${xmlEscape(value)}</${tag}>\r\n`;
  const services = (ssdp?.services ?? [])
    .map((type) => {
      const id = type.split(':')[3] ?? 'service';
      return (
        `      <service>\r\n        <serviceType>${xmlEscape(type)}</serviceType>\r\n` +
        `        <serviceId>urn:upnp-org:serviceId:${xmlEscape(id)}</serviceId>\r\n` +
        `        <SCPDURL>/${xmlEscape(id)}.xml</SCPDURL>\r\n        <controlURL>/control/${xmlEscape(id)}</controlURL>\r\n` +
        `        <eventSubURL>/event/${xmlEscape(id)}</eventSubURL>\r\n      </service>\r\n`
      );
    })
    .join('');
  return (
    `<?xml version="1.0"?>\r\n<root xmlns="urn:schemas-upnp-org:device-1-0">\r\n` +
    `  <specVersion>\r\n    <major>1</major>\r\n    <minor>0</minor>\r\n  </specVersion>\r\n` +
    `  <device>\r\n    <deviceType>${xmlEscape(deviceType)}</deviceType>\r\n` +
    optional('friendlyName', d.friendlyName) +
    optional('manufacturer', d.manufacturer) +
    optional('manufacturerURL', d.manufacturerURL) +
    optional('modelDescription', d.modelDescription) +
    optional('modelName', d.modelName) +
    optional('modelNumber', d.modelNumber) +
    optional('modelURL', d.modelURL) +
    optional('serialNumber', d.serialNumber) +
    `    <UDN>${xmlEscape(udn)}</UDN>\r\n` +
    (services === '' ? '' : `    <serviceList>\r\n${services}    </serviceList>\r\n`) +
    optional('presentationURL', d.presentationURL) +
    `  </device>\r\n</root>\r\n`
  );
}
