import type { Entry, Trap } from '../types.ts';
import { entry, judged, recog, recogNotSeen, unusableFile } from './build.ts';

/** Cameras and recorders of makers the default policy does not cover, white-label ones included. */

const NOT_IMPLEMENTED = (protocol: string): string =>
  `an anonymised ('Virtual') reply of ${protocol}, a discovery protocol camsweep does not implement: nothing in camsweep reads it`;

const GENERIC_CHINA: Trap = {
  why: 'a white-label camera whose only geographic hint is China: location/country=china must not imply Hikvision or Dahua (_facts/tricky-cases-1.md)',
};

export const CAMERA_ENTRIES: readonly Entry[] = [
  // ---------------------------------------------------------------- Axis
  entry('axis/mdns-response-1.bin', 'mdns/axis.m5014.mdns-response.bin', 'b01f46c15e14c5e3', [
    judged('M5014 mDNS response', { kind: 'mdns' }, {
      manufacturer: 'Axis',
      kind: 'camera',
      status: 'clear',
      why: 'PTR _axis-video._tcp and the instance "AXIS M5014 - ACCC8E3C0419 H.264" (ACCC8E = Axis OUI)',
    }),
  ]),
  entry('axis/onvif-GetNetworkProtocols-1.xml', 'corpus/axis.unknown.GetNetworkProtocols.xml', 'ea9e48bd7c323b8d', [
    judged('GetNetworkProtocols reply (its namespaces)', { kind: 'onvif', answers: 'GetSystemDateAndTime' }, {
      manufacturer: 'Axis',
      kind: 'camera',
      status: 'clear',
      why: 'Axis VAPIX namespaces (http://www.axis.com/vapix/ws/...) in the envelope (INDEX.md)',
    }),
  ]),
  entry('axis/onvif-GetSystemDateAndTime-1.xml', 'onvif/axis.unknown.GetSystemDateAndTime.xml', '085f401ac536649b', [
    judged('GetSystemDateAndTime reply', { kind: 'onvif', answers: 'GetSystemDateAndTime' }, {
      manufacturer: 'Axis',
      kind: 'camera',
      status: 'clear',
      why: 'Axis identifiable purely from xmlns: axis.com/vapix/ws/* (INDEX.md)',
    }),
  ]),
  entry('axis/recog-banners-1.xml', 'corpus/axis.various.recog-banners.xml', '2c4bfbd8b9fdcbda', [
    recog(0, 0, 'http_servers', 'Linux/4.9.94-axis5, UPnP/1.0, Portable SDK for UPnP devices/1.6.22', {
      manufacturer: 'Axis',
      kind: 'camera',
      status: 'clear',
      why: 'the libupnp server string with an -axis kernel: "Axis Network Camera" (Recog)',
    }),
    recog(1, 0, 'html_title', 'AXIS', { manufacturer: 'Axis', kind: 'camera', status: 'clear', why: 'page title AXIS: "Axis Communications Web Cam" (Recog)' }),
    recogNotSeen(2, 0, 'x509_subjects', 'CN=axis-accc8ea31abf,O=Axis Communications AB'),
    recogNotSeen(3, 0, 'dhcp_vendor_class', 'AXIS,Network Camera,P3343,5.20.3'),
    recogNotSeen(3, 1, 'dhcp_vendor_class', 'AXIS,PTZ Dome Network Camera,M5014,5.50.3.7'),
    recogNotSeen(3, 2, 'dhcp_vendor_class', 'AXIS,Network Camera,P3225-LV Mk II,9.70.1.5'),
    recogNotSeen(4, 0, 'dhcp_vendor_class', 'AXIS,Network Video Encoder,M7011,5.90.1'),
    recogNotSeen(5, 0, 'dhcp_vendor_class', 'AXIS,Network IO Audio Module,P8221,5.10.2'),
    recogNotSeen(6, 0, 'dhcp_vendor_class', 'AXIS,Network'),
  ]),
  entry('axis/ws-discovery-ProbeMatches-1.xml', 'wsd/axis.m2036-le.ProbeMatches.xml', '26e783b0c1cb8918', [
    judged('M2036-LE ProbeMatches', { kind: 'wsd' }, {
      manufacturer: 'Axis',
      kind: 'camera',
      status: 'clear',
      why: 'name/AXIS%20M2036-LE scope, NetworkVideoTransmitter (INDEX.md)',
    }),
  ]),

  // ---------------------------------------------------------------- Bosch
  unusableFile('bosch/bosch-discovery-1.xml', 'cf0a83fedc3d9fa4', NOT_IMPLEMENTED('Bosch video discovery (UDP 1757 -> 1758)')),
  entry('bosch/onvif-GetCapabilities-1.xml', 'corpus/bosch.flexidome-5100i-ir.GetCapabilities.xml', '5b5330f13d07d814', [
    judged(
      'FLEXIDOME 5100i GetCapabilities reply (its namespaces)',
      { kind: 'onvif', answers: 'GetSystemDateAndTime' },
      {
        manufacturer: null,
        kind: 'camera',
        status: 'review',
        why: 'RE-SERIALIZED by the capture tool: the camera\'s prefixes were dropped and only standard namespaces remain; the capabilities are not read (camsweep does not send GetCapabilities), so nothing names Bosch',
      },
      { truth: 'Bosch' },
    ),
  ]),
  entry('bosch/onvif-GetDeviceInformation-1.xml', 'onvif/bosch.flexidome-5100i-ir.GetDeviceInformation.xml', '5dd46bfcdce0fa6f', [
    judged('FLEXIDOME 5100i GetDeviceInformation', { kind: 'onvif', answers: 'GetDeviceInformation' }, {
      manufacturer: 'Bosch',
      kind: 'camera',
      status: 'clear',
      why: 'Manufacturer Bosch, HardwareId F000B543 (INDEX.md)',
    }),
  ]),
  entry('bosch/onvif-GetSystemDateAndTime-1.xml', 'onvif/bosch.flexidome-5100i-ir.GetSystemDateAndTime.xml', '09f480f680bf7a10', [
    judged(
      'FLEXIDOME 5100i GetSystemDateAndTime reply',
      { kind: 'onvif', answers: 'GetSystemDateAndTime' },
      {
        manufacturer: null,
        kind: 'camera',
        status: 'review',
        why: 'a clock reply, re-serialized without the camera\'s own prefixes: nothing in it names a maker',
      },
      { truth: 'Bosch' },
    ),
  ]),
  entry('bosch/recog-banners-1.xml', 'corpus/bosch.various.recog-banners.xml', 'f8f4336d44214a76', [
    recog(0, 0, 'http_wwwauth', 'Digest realm="Use \'live\' as User Name",nonce="18e62d241a5358a9650640fa72c1773c",opaque="",stale=FALSE,algorithm=MD5', {
      manufacturer: 'Bosch',
      kind: 'camera',
      status: 'clear',
      why: 'Bosch AutoDome IP camera realm "Use \'live\' as User Name" (Recog)',
    }),
    recog(
      0,
      1,
      'http_wwwauth',
      'Digest realm="Use \'live\' as User Name in order to log in to the respective level",nonce="2e6007092c2b28af7e2516b80b5b4f95",opaque="",stale=FALSE,algorithm=MD5,qop="auth"',
      { manufacturer: 'Bosch', kind: 'camera', status: 'clear', why: 'Bosch AutoDome IP camera realm, longer form (Recog)' },
    ),
    recogNotSeen(1, 0, 'x509_subjects', 'CN=local.myboschcam.net,O=Bosch Sicherheitssysteme GmbH,L=Grasbrunn,ST=Bayern,C=DE'),
    recogNotSeen(2, 0, 'telnet_banners', 'Welcome to AutoDome 800 HD 1.2.3.4 from 5.6.7.8'),
    recogNotSeen(2, 1, 'telnet_banners', 'Welcome to FLEXIDOME NDC-455-P 1.2.3.4 from 5.6.7.8'),
    recog(3, 0, 'http_servers', 'VCS-VIDOS-NVR', { manufacturer: 'Bosch', kind: 'recorder', status: 'clear', why: 'Bosch VCS VIDOS-NVR network video recorder (Recog)' }),
  ]),

  // ---------------------------------------------------------------- Hanwha (Samsung Techwin)
  unusableFile('hanwha/hanwha-discovery-1.bin', 'cdbc6b7030bb27f1', NOT_IMPLEMENTED('Hanwha/Samsung Techwin discovery (UDP 7701 -> 7711)')),
  entry('hanwha/recog-banners-1.xml', 'corpus/hanwha.various.recog-banners.xml', '34f885a1c4d75a7b', [
    recog(0, 0, 'html_title', 'Web Viewer for Samsung DVR', { manufacturer: 'Hanwha', kind: 'recorder', status: 'clear', why: 'Samsung (Techwin, now Hanwha) DVR web viewer title (Recog)' }),
    recog(1, 0, 'html_title', 'Hanwha Techwin', { manufacturer: 'Hanwha', kind: 'camera', status: 'clear', why: 'Hanwha Techwin IP camera title (Recog)' }),
  ]),
  entry('hanwha/ssdp-notify-and-desc-fields-1.txt', 'corpus/hanwha.snh-e6440bn.ssdp-notify-and-desc-fields.txt', 'c629ee88be30bc8f', [
    judged('SNH-E6440BN NOTIFY and description fields', { kind: 'ssdp-c-string-and-description' }, {
      manufacturer: 'Hanwha',
      kind: 'camera',
      status: 'clear',
      why: 'Samsung Techwin (now Hanwha) SmartCam SNH-E6440BN: modelName SNH-E6440BN, manufacturerURL http://www.samsungtechwin.com/',
    }),
  ]),
  entry('hanwha/ws-discovery-ProbeMatches-1.xml', 'wsd/hanwha.unknown.ProbeMatches-fragment.xml', 'df87b89e0abaed75', [
    {
      id: 'ProbeMatches cut after the SOAP Header',
      unusable: 'FRAGMENT cut after the Header: no ProbeMatch survives (Body and Scopes were not retrieved), so camsweep decodes no device from it',
      read: { kind: 'wsd' },
    },
  ]),

  // ---------------------------------------------------------------- Panasonic, Sony, Vivotek, Reolink, TP-Link, Ubiquiti
  unusableFile('panasonic/panasonic-discovery-1.bin', '82753fccd61de71a', NOT_IMPLEMENTED('Panasonic/i-PRO discovery (UDP 10669 -> 10670)')),
  entry('panasonic/recog-banners-1.xml', 'corpus/panasonic.various.recog-banners.xml', 'b7bf917bc965b71e', [
    recog(0, 0, 'html_title', 'WV-NS202A Network Camera', { manufacturer: 'Panasonic', kind: 'camera', status: 'clear', why: 'Panasonic WV-NS202A network camera title (Recog)' }),
    recog(0, 1, 'html_title', 'WV-NS954 Network Camera', { manufacturer: 'Panasonic', kind: 'camera', status: 'clear', why: 'Panasonic WV-NS954 network camera title (Recog)' }),
  ]),
  entry('sony/recog-banners-1.xml', 'corpus/sony.various.recog-banners.xml', '14c22156ac170641', [
    recog(0, 0, 'html_title', 'Sony Network Camera', { manufacturer: 'Sony', kind: 'camera', status: 'clear', why: 'Sony network camera title (Recog)' }),
    recogNotSeen(1, 0, 'rtsp_servers', 'Linux/2.6.35.14_nl-xarina+ Ze-PRO'),
  ]),
  unusableFile('sony/sony-discovery-1.bin', 'de8098e43d5a3f85', NOT_IMPLEMENTED('Sony network camera discovery (UDP 2380)')),
  entry('vivotek/onvif-GetDeviceInformation-1.xml', 'onvif/vivotek.fd9360-h.GetDeviceInformation.xml', '08ae2b2dc69eee22', [
    judged('FD9360-H GetDeviceInformation', { kind: 'onvif', answers: 'GetDeviceInformation' }, {
      manufacturer: 'Vivotek',
      kind: 'camera',
      status: 'clear',
      why: 'VIVOTEK FD9360-H captured from a live camera: serial = MAC 0002D1... (Vivotek OUI)',
    }),
  ]),
  unusableFile('vivotek/vivotek-discovery-1.bin', '04409baf0c0a7c21', NOT_IMPLEMENTED('Vivotek discovery (UDP 10000)')),
  entry('reolink/http-api-GetDevInfo-1.json', 'corpus/reolink.rlc-410-5mp.http-api-GetDevInfo.json', 'b3689e843df0aa82', [
    judged('RLC-410-5MP GetDevInfo (as its device information)', { kind: 'onvif-converted', from: 'reolink-api' }, {
      manufacturer: 'Reolink',
      kind: 'camera',
      status: 'clear',
      why: 'Reolink RLC-410-5MP, firmware v3.0.0.136_20121100 (INDEX.md)',
    }),
  ]),
  entry('tp-link-tapo/onvif-GetDeviceInformation-parsed-1.yaml', 'corpus/tp-link.c200.GetDeviceInformation-parsed.yaml', '805fbae0b3e56677', [
    judged('Tapo C200 GetDeviceInformation (EdgeX values)', { kind: 'onvif-converted', from: 'edgex-yaml' }, {
      manufacturer: 'TP-Link',
      kind: 'camera',
      status: 'clear',
      why: "Manufacturer 'TP-Link', Model 'C200' (INDEX.md)",
    }),
  ]),
  entry('tp-link-tapo/recog-banners-1.xml', 'corpus/tp-link.various.recog-banners.xml', '7b8c535488315908', [
    recog(0, 0, 'http_wwwauth', 'Basic realm="TP-LINK IP-Camera"', { manufacturer: 'TP-Link', kind: 'camera', status: 'clear', why: 'realm "TP-LINK IP-Camera" (Recog)' }),
  ]),
  entry('tp-link-tapo/ws-discovery-ProbeMatches-1.xml', 'wsd/tp-link.tl-sc3130g.ProbeMatches-fragment.xml', 'e6afa2b987ab7990', [
    judged(
      'TL-SC3130G ProbeMatches (cut inside Scopes)',
      { kind: 'wsd' },
      {
        manufacturer: 'TP-Link',
        kind: 'camera',
        status: 'clear',
        why: 'the EPR uuid ends with the camera\'s MAC 00:23:CD:E0:5F:A7, a TP-Link OUI (INDEX.md); the cut took the name scope',
      },
      {
        gap: {
          fields: ['manufacturer', 'status'],
          why: 'the EPR is a version-5 (name-based) uuid whose tail is the MAC only by TP-Link\'s convention; camsweep reads a MAC from an EPR only when it is a version-1 uuid, whose node field is defined as the MAC (a random or hashed tail would name random registrants), so the camera stays unattributed and is held for review',
        },
      },
    ),
  ]),
  entry('ubiquiti/recog-banners-1.xml', 'corpus/ubiquiti.various.recog-banners.xml', 'be27849a3c57b36b', [
    recogNotSeen(0, 0, 'x509_subjects', 'CN=unifivideo-app'),
    recogNotSeen(1, 0, 'x509_subjects', 'CN=camera.ubnt.dev,OU=devint,O=Ubiquiti Networks Inc.,L=Taipei,C=TW'),
    recog(2, 0, 'html_title', 'UniFi Video', { manufacturer: 'Ubiquiti', status: 'clear', why: 'UniFi Video web service title (Recog)' }),
    recog(3, 0, 'html_title', 'UniFi NVR: Software Portal', { manufacturer: 'Ubiquiti', kind: 'recorder', status: 'clear', why: 'UniFi NVR title (Recog)' }),
    recog(3, 1, 'html_title', 'airVision: [NVR] - Software Portal', { manufacturer: 'Ubiquiti', kind: 'recorder', status: 'clear', why: 'airVision NVR title (Recog)' }),
  ]),
  unusableFile('ubiquiti/ubnt-discovery-1.bin', '4c8527f24636e5e7', NOT_IMPLEMENTED('Ubiquiti discovery (UDP 10001)')),

  // ---------------------------------------------------------------- White-label and mixed
  entry('generic-whitelabel/ws-discovery-ProbeMatches-1.xml', 'wsd/generic-whitelabel.631ga.ProbeMatches.xml', 'c4ad869e60544634', [
    judged(
      'unbranded IPCAM 631GA ProbeMatches',
      { kind: 'wsd' },
      {
        manufacturer: null,
        kind: 'camera',
        status: 'review',
        why: 'no Types, scopes Model/631GA and Name/IPCAM name no maker; the EPR uuid tail is a Shenzhen Smarteye OUI, a white-label module maker, not a vendor camsweep knows',
      },
      { trap: GENERIC_CHINA },
    ),
  ]),
  entry('generic-whitelabel/ws-discovery-zmonvif-probe-1.txt', 'corpus/generic-whitelabel.various.zmonvif-probe.txt', '48ea6f86f589fe22', [
    judged(
      "192.168.1.83:8899: name='NVT', hardware='IPC-model'",
      { kind: 'wsd-zmonvif', line: 0 },
      { manufacturer: null, kind: 'camera', status: 'review', why: "name='NVT' and hardware='IPC-model' carry no vendor (port 8899 is XiongMai-style, not proof)" },
      { trap: GENERIC_CHINA },
    ),
    judged(
      "192.168.1.81:888: name='IPC-model'",
      { kind: 'wsd-zmonvif', line: 1 },
      { manufacturer: null, kind: 'camera', status: 'review', why: "hardware and name 'IPC-model' carry no vendor" },
      { trap: GENERIC_CHINA },
    ),
    judged("192.168.1.84:8999: manufacturer='HeroSpeed', city guangzhou", { kind: 'wsd-zmonvif', line: 2 }, {
      manufacturer: 'HeroSpeed',
      kind: 'camera',
      status: 'restricted',
      why: "HeroSpeed (Guangzhou) names itself in a non-standard manufacturer/ scope; uk-2022-sensitive-sites covers HeroSpeed as shipped",
    }),
    judged("192.168.1.82:8999: hardware, name and manufacturer 'HeroSpeed'", { kind: 'wsd-zmonvif', line: 3 }, {
      manufacturer: 'HeroSpeed',
      kind: 'camera',
      status: 'restricted',
      why: 'HeroSpeed names itself in hardware/, name/ and manufacturer/; uk-2022-sensitive-sites covers HeroSpeed as shipped',
    }),
  ]),
  entry('mixed-vendors/onvif-scopes-1.json', 'wsd/mixed-vendors.various.Scopes.json', '902a9f9e04eb99a1', [
    judged(
      'MSTAR_IPNC / ONVIF_ICAMERA',
      { kind: 'wsd-scopes-json', device: 0 },
      { manufacturer: null, kind: 'camera', status: 'review', why: 'generic white-label MSTAR_IPNC named ONVIF_ICAMERA, located China/Shenzhen: no maker' },
      { trap: GENERIC_CHINA },
    ),
    judged('FLIR CM-6204-11-I (DVTel)', { kind: 'wsd-scopes-json', device: 1 }, {
      manufacturer: 'FLIR',
      kind: 'camera',
      status: 'clear',
      why: 'manufacturer/FLIR Systems, manufacturer/DVTel, acc/mfr/FLIR Systems scopes',
    }),
    judged('Geovision GV-UNP2500', { kind: 'wsd-scopes-json', device: 2 }, { manufacturer: 'Geovision', kind: 'camera', status: 'clear', why: 'name/Geovision, hardware/GV-UNP2500' }),
    judged(
      'Panasonic WV-V1330LK',
      { kind: 'wsd-scopes-json', device: 3 },
      { manufacturer: 'Panasonic', kind: 'camera', status: 'clear', why: 'name/Panasonic, hardware/WV-V1330LK' },
      { trap: { mustNotClaim: ['Dahua'], why: "Panasonic uses the same name/<vendor> + extension/unique_identifier scope layout as Dahua (_facts/tricky-cases-1.md)" } },
    ),
    judged('Avigilon 2.0-H3M-DO1', { kind: 'wsd-scopes-json', device: 4 }, {
      manufacturer: 'Avigilon',
      kind: 'camera',
      status: 'clear',
      why: 'avigilon/mac, avigilon/firmware scopes; name/acc/... is user text',
    }),
    judged('TC-C32TS (Tiandy, Tianjin)', { kind: 'wsd-scopes-json', device: 5 }, {
      manufacturer: 'Tiandy',
      kind: 'camera',
      status: 'restricted',
      why: "Tiandy TC-C32TS: the model in name/ and hardware/, 'ipcamera' in mfr/, location/city/tianjin is the tell (INDEX.md)",
    }),
    judged(
      "FI710-L / 'STD'",
      { kind: 'wsd-scopes-json', device: 6 },
      { manufacturer: null, kind: 'camera', status: 'review', why: "name/STD and hardware/FI710-L, located China: no maker" },
      { trap: GENERIC_CHINA },
    ),
    judged('FLIR/DVTel Ariel CM-3102-11-I', { kind: 'wsd-scopes-json', device: 7 }, {
      manufacturer: 'FLIR',
      kind: 'camera',
      status: 'clear',
      why: 'acc/mfr/FLIR Systems and dvtel:// scopes',
    }),
  ]),
  entry('other-ipnc/onvif-GetSystemDateAndTime-1.xml', 'onvif/other-ipnc.predator.GetSystemDateAndTime.xml', 'f3d462175b0dec06', [
    judged(
      'TI IPNC-RDK GetSystemDateAndTime reply',
      { kind: 'onvif', answers: 'GetSystemDateAndTime' },
      { manufacturer: null, kind: 'camera', status: 'review', why: 'TI IPNC-RDK reference firmware (PREDATOR), unknown OEM' },
      { trap: { mustNotClaim: ['Axis'], why: 'the IPNC namespace set declares xmlns:tnsaxis although it is not an Axis device (INDEX.md)' } },
    ),
  ]),
  entry('other-ipnc/ws-discovery-ProbeMatches-1.xml', 'wsd/other-ipnc.predator.ProbeMatches.xml', '4e967443eeac23b4', [
    judged(
      'TI IPNC-RDK ProbeMatches (template)',
      { kind: 'wsd' },
      { manufacturer: null, kind: 'camera', status: 'review', why: 'scopes name PREDATOR, hardware HD_PREDATOR: an IPNC-RDK reference camera of unknown OEM' },
      { trap: { mustNotClaim: ['Axis'], why: 'IPNC reference firmware carries Axis-looking namespaces; it is not Axis' } },
    ),
  ]),
];
