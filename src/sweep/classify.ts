import type { DeviceKind, Evidence } from '../domain/types.ts';

/**
 * What kind of device the protocols say it is; the judge weighs it against what the
 * fingerprints claim (src/sweep/judge.ts, chooseKind). Each rule reads one evidence field; the
 * first kind in KIND_ORDER with a matching rule wins, so a camera that also runs a media server
 * is still a camera.
 */
interface KindRule {
  kind: DeviceKind;
  field: string | RegExp;
  value: RegExp;
}

const RULES: readonly KindRule[] = [
  { kind: 'recorder', field: 'wsd.type', value: /NetworkVideoStorage/iu },
  { kind: 'recorder', field: 'onvif.scope.type', value: /^(Network_Video_Storage|nvs|storage)$/iu },
  { kind: 'intercom', field: 'onvif.scope.type', value: /^(intercom|door)/iu },
  // Dahua's DHIP DeviceClass: IPC cameras, NVR/XVR/HCVR/DVR recorders, VTO door stations.
  { kind: 'recorder', field: 'dhip.deviceClass', value: /^(NVR|XVR|HCVR|DVR|EVS|IVSS)/iu },
  { kind: 'intercom', field: 'dhip.deviceClass', value: /^(VTO|VTH)/iu },
  { kind: 'camera', field: 'dhip.deviceClass', value: /^(IPC|SD|PTZ|HDCVI)/iu },
  { kind: 'camera', field: 'wsd.type', value: /NetworkVideoTransmitter/iu },
  { kind: 'camera', field: 'onvif.scope.type', value: /^(video_encoder|Network_Video_Transmitter|NetworkVideoTransmitter|ptz|audio_encoder|video_analytics)$/iu },
  { kind: 'camera', field: 'onvif.scope.profile', value: /^(streaming|[STGM])$/iu },
  { kind: 'camera', field: 'mdns.type', value: /^_(axis-video|onvif|arec)\._tcp$/iu },
  { kind: 'printer', field: 'wsd.type', value: /PrintDeviceType|ScanDeviceType/iu },
  { kind: 'printer', field: 'mdns.type', value: /^_(ipp|ipps|printer|pdl-datastream|scanner|uscan)\._tcp$/iu },
  { kind: 'printer', field: 'upnp.deviceType', value: /:device:(Printer|Scanner)/iu },
  { kind: 'computer', field: 'wsd.type', value: /(^|:)Computer$/iu },
  { kind: 'network', field: 'upnp.deviceType', value: /:device:(InternetGatewayDevice|WANDevice|WANConnectionDevice|WFADevice)/iu },
  { kind: 'media', field: 'upnp.deviceType', value: /:device:(MediaRenderer|MediaServer|ZonePlayer|dial)|dial-multiscreen/iu },
  { kind: 'media', field: 'mdns.type', value: /^_(googlecast|airplay|raop|sonos|spotify-connect)\._tcp$/iu },
];

const KIND_ORDER: readonly DeviceKind[] = ['recorder', 'intercom', 'camera', 'printer', 'computer', 'network', 'media'];

export function classifyKind(evidence: readonly Evidence[]): DeviceKind {
  const found = new Set<DeviceKind>();
  for (const e of evidence) {
    for (const rule of RULES) {
      const fieldOk = typeof rule.field === 'string' ? e.field === rule.field : rule.field.test(e.field);
      if (fieldOk && rule.value.test(e.value)) found.add(rule.kind);
    }
  }
  // An ONVIF device (onvif:// scopes, or a device service that answered) is a video device
  // even when it advertised no Types: generic white-label cameras do that.
  if (found.size === 0 && evidence.some((e) => e.protocol === 'onvif' || e.field.startsWith('onvif.scope.'))) {
    return 'camera';
  }
  // So is a device that nothing else classifies and that answers RTSP (a camera or recorder
  // streaming video; AirPlay's RTSP comes with its mDNS types, which classify it first).
  if (found.size === 0 && evidence.some((e) => e.protocol === 'rtsp' || e.field.startsWith('rtsp.'))) return 'camera';
  return KIND_ORDER.find((k) => found.has(k)) ?? 'other';
}
