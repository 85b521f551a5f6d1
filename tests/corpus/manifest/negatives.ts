import type { Entry, Trap } from '../types.ts';
import { entry, judged, unusableFile } from './build.ts';

/**
 * What else answers discovery on a building network: routers, printers, speakers, TVs, NAS,
 * Windows hosts. Each is a trap: none may be claimed by a restricted maker, and none that is
 * not a video device may be judged one.
 */

const FACTS = 'a fact sheet distilled from sources, not a capture: it is a source for fingerprints (cited in config/fingerprints/*.yaml), not something a device sends';

const NOT_VIDEO = (why: string): Trap => ({ notVideo: true, why });

export const NEGATIVE_ENTRIES: readonly Entry[] = [
  unusableFile('_facts/nmap-service-probes-cameras-1.txt', '5282570a0a154a09', FACTS),
  unusableFile('_facts/noddos-device-profiles-1.json', '37d2ec9e18e3b00b', FACTS),
  unusableFile('_facts/oui-prefixes-1.txt', '9586e723b5b384e0', FACTS),
  unusableFile('_facts/tricky-cases-1.md', 'e64c7d47eb9993e5', FACTS),
  unusableFile('_facts/universalscanner-protocols-1.html', '023063b79d86a786', FACTS),

  entry('asus-router/ssdp-notify-1.jsonl', 'corpus/asus.asuswrt-386.ssdp-notify.jsonl', 'eb7e2a4c50a042a5', [
    judged(
      'AsusWRT 386.1 NOTIFYs',
      { kind: 'ssdp-jsonl' },
      { manufacturer: 'ASUS', status: 'clear', why: 'NEGATIVE (router IGD): SERVER AsusWRT/386.1 UPnP/1.1 MiniUPnPd/2.2.0' },
      { trap: NOT_VIDEO('a router announcing its gateway services') },
    ),
  ]),
  entry('epson-printer/mdns-txt-1.txt', 'mdns/epson.xp-410.mdns-txt.txt', '00b100aab775e623', [
    judged(
      'XP-410 _ipp._tcp TXT',
      { kind: 'mdns-txt-placeholders', instance: 'EPSON XP-410 Series', type: '_ipp._tcp' },
      { manufacturer: 'Epson', kind: 'printer', status: 'clear', why: 'NEGATIVE: usb_MFG=EPSON, usb_MDL=XP-410 Series of an IPP printer' },
      { trap: NOT_VIDEO('a printer') },
    ),
  ]),
  entry('epson-printer/ws-discovery-ProbeMatches-1.xml', 'wsd/epson.xp-410.ProbeMatches.xml', '510699a24a8379f4', [
    judged(
      'XP-410 ProbeMatches',
      { kind: 'wsd' },
      {
        manufacturer: 'Epson',
        kind: 'printer',
        status: 'clear',
        why: 'NEGATIVE: Types wsdp:Device wscn:ScanDeviceType wprt:PrintDeviceType; the EPR uuid ends with ac1826841a46, a Seiko Epson OUI (INDEX.md)',
      },
      {
        trap: NOT_VIDEO('a printer answering UDP 3702'),
      },
    ),
  ]),

  entry('google-cast/mdns-response-1.bin', 'mdns/google-cast.google-home-virtual.mdns-response.bin', '40a7aa32f1a7e4ac', [
    judged(
      'Google-Home-Virtual mDNS response',
      { kind: 'mdns' },
      { manufacturer: 'Google', kind: 'media', status: 'clear', why: 'NEGATIVE (non-camera): PTR _googlecast._tcp with the cast TXT keys (anonymised values)' },
      { trap: NOT_VIDEO('a cast device') },
    ),
  ]),
  entry('google-cast/ssdp-msearch-response-1.txt', 'ssdp/google-cast.chromecast.ssdp-response-1.txt', '44632f552bf095f2', [
    judged(
      'Chromecast M-SEARCH response',
      { kind: 'ssdp' },
      {
        manufacturer: null,
        status: 'clear',
        why: 'libupnp 1.6.18 SERVER and LOCATION :8008/ssdp/device-desc.xml: the cast stack\'s, which other makers\' Android TVs run too, so no maker is established; not a video device',
      },
      { truth: 'Google', trap: { mustNotClaim: ['Dahua'], notVideo: true, why: "X-User-Agent: redsonic, the same as the Dahua SSDP reply: a libupnp marker, not a Dahua tell" } },
    ),
  ]),
  entry('google-cast/upnp-description-1.xml', 'upnp/google-cast.chromecast.upnp-description-1.xml', '7874b8814c5c48cd', [
    judged(
      'Chromecast (Eureka Dongle) description',
      { kind: 'upnp' },
      { manufacturer: 'Google', kind: 'media', status: 'clear', why: "NEGATIVE: deviceType urn:dial-multiscreen-org:device:dial:1, manufacturer 'Google Inc.', modelName 'Eureka Dongle'" },
      { trap: NOT_VIDEO('a cast dongle') },
    ),
  ]),

  unusableFile(
    'sonos/http-status-zp-1.xml',
    'af3a05a3b2bc7636',
    "the answer to GET :1400/status/zp, which camsweep never requests (its banner is GET / and the UPnP enricher fetches only the SSDP LOCATION)",
  ),
  entry('sonos/upnp-description-1.xml', 'upnp/sonos.era-300.upnp-description-1.xml', '5f37dc6ea65cb624', [
    judged(
      'Era 300 device description',
      { kind: 'upnp' },
      { manufacturer: 'Sonos', kind: 'media', status: 'clear', why: "NEGATIVE: ZonePlayer, manufacturer 'Sonos, Inc.'" },
      { trap: NOT_VIDEO('a speaker') },
    ),
  ]),

  entry('mixed-negatives/mdns-parsed-1.csv', 'corpus/mixed-negatives.various.mdns-parsed.csv', 'e02ca242200f8bd7', [
    judged(
      'row 1: _smb, _device-info, _http, _dacp services',
      { kind: 'mdns-csv', row: 0 },
      { manufacturer: null, status: 'clear', why: 'Apple-style file sharing and DACP services: a computer of unknown make, not a video device' },
      { trap: NOT_VIDEO('a file-sharing host') },
    ),
    judged(
      'row 2: _home-assistant',
      { kind: 'mdns-csv', row: 1 },
      { manufacturer: null, status: 'clear', why: 'a Home Assistant server: no maker, not a video device' },
      { trap: NOT_VIDEO('a home automation server') },
    ),
    judged(
      'row 3: Synology DS218+',
      { kind: 'mdns-csv', row: 2 },
      { manufacturer: 'Synology', status: 'clear', why: 'NEGATIVE NAS: TXT vendor=Synology model=DS218+, mac_address 00:11:32 (Synology OUI)' },
      { trap: NOT_VIDEO('a NAS') },
    ),
  ]),
  entry('mixed-negatives/ssdp-msearch-parsed-1.csv', 'corpus/mixed-negatives.various.ssdp-msearch-parsed.csv', '2d8133fdd4b9b3c6', [
    judged(
      'row 1: libupnp 1.3.1 device',
      { kind: 'ssdp-csv', row: 0 },
      { manufacturer: null, status: 'clear', why: 'an unknown device on Portable SDK for UPnP 1.3.1: nothing names a maker, nothing says video' },
      { trap: { why: 'an anonymous libupnp stack (the same SDK as Dahua\'s and Chromecast\'s) must not name a maker' } },
    ),
    judged(
      'row 2: Samsung TV (PROTOTYPE/1.0, /dmr/SamsungMRDesc.xml)',
      { kind: 'ssdp-csv', row: 1 },
      { manufacturer: 'Samsung', status: 'clear', why: "'Linux/9.0 UPnP/1.0 PROTOTYPE/1.0' with /dmr/SamsungMRDesc.xml = Samsung TV (INDEX.md)" },
      { trap: NOT_VIDEO('a TV') },
    ),
    judged(
      'row 3: cast device (:8008/ssdp/device-desc.xml, libupnp 1.6.18)',
      { kind: 'ssdp-csv', row: 2 },
      { manufacturer: null, status: 'clear', why: 'Chromecast-style cast stack (INDEX.md), which Android TVs of many makers run: no maker established, not a video device' },
      { trap: NOT_VIDEO('a cast device') },
    ),
  ]),
  entry('mixed-negatives/upnp-description-1.xml', 'upnp/yamaha.rx-v481.upnp-description-1.xml', 'd64578f00a7ae69a', [
    judged(
      'Yamaha RX-V481 description',
      { kind: 'upnp' },
      { manufacturer: 'Yamaha', kind: 'media', status: 'clear', why: "NEGATIVE: DLNA MediaRenderer, manufacturer 'Yamaha Corporation'" },
      { trap: NOT_VIDEO('an AV receiver') },
    ),
  ]),
  entry('mixed-negatives/upnp-nmap-output-1.txt', 'corpus/mixed-negatives.various.upnp-nmap-output.txt', '297111daaf1e252a', [
    judged(
      '1.2.3.50: MiniDLNA on Debian',
      { kind: 'upnp-nmap', host: '1.2.3.50' },
      { manufacturer: null, status: 'clear', why: "a MiniDLNA media server on Debian; 'Justin Maggard' is MiniDLNA's author, not a device maker" },
      { trap: NOT_VIDEO('a media server') },
    ),
    judged(
      '1.2.3.114: Sony BRAVIA KDL-32EX701',
      { kind: 'upnp-nmap', host: '1.2.3.114' },
      { manufacturer: 'Sony', status: 'clear', why: "SERVER 'Linux/2.6 UPnP/1.0 KDL-32EX701/1.7', manufacturer 'Sony Corporation': a Sony TV, not a Sony camera" },
      { trap: NOT_VIDEO('a Sony TV must not be judged a Sony camera') },
    ),
  ]),
  entry('mixed-negatives/wsdd-nmap-output-1.txt', 'corpus/mixed-negatives.various.wsdd-nmap-output.txt', '45bc0de0669dad03', [
    judged(
      '1.2.3.116: printer',
      { kind: 'wsd-nmap', host: '1.2.3.116' },
      { manufacturer: null, kind: 'printer', status: 'clear', why: 'NEGATIVE on UDP 3702: Types wprt:PrintDeviceType, port 50000' },
      { trap: NOT_VIDEO('a printer answering WS-Discovery') },
    ),
    judged(
      '1.2.3.131: Windows host (and its WCF service)',
      { kind: 'wsd-nmap', host: '1.2.3.131' },
      { manufacturer: null, kind: 'computer', status: 'clear', why: 'NEGATIVE on UDP 3702: Types pub:Computer, XAddr :5357/<uuid>/' },
      { trap: NOT_VIDEO('a Windows host answering WS-Discovery') },
    ),
    judged(
      '1.2.3.110: Windows host',
      { kind: 'wsd-nmap', host: '1.2.3.110' },
      { manufacturer: null, kind: 'computer', status: 'clear', why: 'NEGATIVE on UDP 3702: Types pub:Computer, XAddr :5357/<uuid>/' },
      { trap: NOT_VIDEO('a Windows host answering WS-Discovery') },
    ),
  ]),
];
