import { describe, expect, it } from 'vitest';
import { classifyKind } from '../../../src/sweep/classify.ts';
import type { Evidence } from '../../../src/domain/types.ts';

const ev = (field: string, value: string, protocol: Evidence['protocol'] = 'wsd'): Evidence => ({ protocol, field, value });

describe('classifyKind', () => {
  it.each([
    [[ev('wsd.type', 'dn:NetworkVideoTransmitter')], 'camera'],
    [[ev('wsd.type', 'tds:Device'), ev('wsd.type', 'dn:NetworkVideoTransmitter')], 'camera'],
    [[ev('wsd.type', 'tdn:NetworkVideoStorage'), ev('wsd.type', 'dn:NetworkVideoTransmitter')], 'recorder'],
    [[ev('onvif.scope.type', 'video_encoder')], 'camera'],
    [[ev('onvif.scope.name', 'IPCAM'), ev('onvif.scope.model', '631GA')], 'camera'],
    [[ev('mdns.type', '_axis-video._tcp', 'mdns')], 'camera'],
    [[ev('wsd.type', 'wsdp:Device'), ev('wsd.type', 'wscn:ScanDeviceType'), ev('wsd.type', 'wprt:PrintDeviceType')], 'printer'],
    [[ev('mdns.type', '_ipp._tcp', 'mdns')], 'printer'],
    [[ev('wsd.type', 'pub:Computer')], 'computer'],
    [[ev('upnp.deviceType', 'urn:dial-multiscreen-org:device:dial:1', 'upnp')], 'media'],
    [[ev('upnp.deviceType', 'urn:schemas-upnp-org:device:MediaRenderer:1', 'upnp')], 'media'],
    [[ev('mdns.type', '_googlecast._tcp', 'mdns')], 'media'],
    [[ev('upnp.deviceType', 'urn:schemas-upnp-org:device:InternetGatewayDevice:1', 'upnp')], 'network'],
    [[ev('ssdp.server', 'Linux/3.8.13, UPnP/1.0, Portable SDK for UPnP devices/1.6.18', 'ssdp')], 'other'],
    [[], 'other'],
  ] as Array<[Evidence[], string]>)('%j is %s', (evidence, kind) => {
    expect(classifyKind(evidence)).toBe(kind);
  });

  it('a camera that also serves media stays a camera', () => {
    expect(
      classifyKind([ev('upnp.deviceType', 'urn:schemas-upnp-org:device:MediaServer:1', 'upnp'), ev('wsd.type', 'dn:NetworkVideoTransmitter')]),
    ).toBe('camera');
  });
});

describe('classifyKind from Dahua DHIP DeviceClass (corpus dahua/dhip-parsed-1.csv, lorex/dhip-notifyDevInfo-1.txt)', () => {
  it.each([
    ['IPC', 'camera'],
    ['HCVR', 'recorder'],
    ['NVR', 'recorder'],
    ['VTO', 'intercom'],
  ])('%s is a %s', (deviceClass, kind) => {
    expect(classifyKind([ev('dhip.deviceClass', deviceClass, 'dhip')])).toBe(kind);
  });
});
