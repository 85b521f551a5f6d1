import { describe, expect, it } from 'vitest';
import type { Evidence, Protocol } from '../../../src/domain/types.ts';
import { loadFingerprintDb } from '../../../src/fingerprint/db.ts';
import { attribute, MAX_EVIDENCE_ITEMS } from '../../../src/fingerprint/match.ts';
import { withMacEvidence } from '../../../src/fingerprint/oui.ts';

/**
 * attribute() over device evidence. Every value below is real (the corpus file or public
 * source is named next to it); where values from different captures are put on one device to
 * exercise a rule, the comment says so.
 */

// The authors' weights as written (config/calibration.json moves them; these tests check the arithmetic).
const db = loadFingerprintDb({ calibrationFile: false });
const e = (protocol: Protocol, field: string, value: string): Evidence => ({ protocol, field, value });
const fired = (evidence: Evidence[]): string[] => attribute(evidence, db).matches.map((m) => m.fingerprint);

describe('attribute', () => {
  it('plain Hikvision: WS-Discovery scopes, namespaces and the OUI agree', () => {
    // corpus hikvision/ws-discovery-ProbeMatches-2.xml (MAC scope 58:50:ed:1f:e3:85) + -1.xml namespaces
    const evidence = withMacEvidence(
      [
        e('wsd', 'wsd.type', 'dn:NetworkVideoTransmitter'),
        e('wsd', 'onvif.scope.hardware', 'DS-2CD2385G1-I'),
        e('wsd', 'onvif.scope.name', 'HIKVISION DS-2CD2385G1-I'),
        e('wsd', 'onvif.scope.location', 'city/hangzhou'),
        e('wsd', 'wsd.namespace', 'tnshik=http://www.hikvision.com/2011/event/topics'),
        e('wsd', 'wsd.namespace', 'hikwsd=http://www.onvifext.com/onvif/ext/ver10/wsdl'),
      ],
      '58:50:ed:1f:e3:85',
    );
    const a = attribute(evidence, db);
    expect(a).toMatchObject({ manufacturer: 'Hikvision', brand: 'Hikvision', model: 'DS-2CD2385G1-I', kind: 'camera', conflicts: [] });
    expect(a.confidence).toBeGreaterThan(0.99);
    expect(a.candidates).toHaveLength(1);
    expect(a.candidates[0]!.fingerprints).toEqual(
      expect.arrayContaining(['hikvision.scope.name', 'hikvision.model.camera', 'hikvision.namespace.onvif-ext', 'hikvision.oui.ieee']),
    );
    // Each conclusion lists the evidence behind it.
    expect(a.matches).toContainEqual({
      fingerprint: 'hikvision.oui.ieee',
      protocol: 'mac',
      field: 'mac.oui',
      value: 'Hangzhou Hikvision Digital Technology Co.,Ltd.',
      weight: 0.6,
      claims: { manufacturer: 'Hikvision' },
      tell: 'registry',
    });
  });

  it('Hikvision from SADP alone (DVR): maker, model, kind and firmware family', () => {
    // corpus hikvision/sadp-ProbeMatch-2.xml as the SADP decoder records it
    const a = attribute(
      withMacEvidence(
        [
          e('sadp', 'sadp.reply', 'true'),
          e('sadp', 'sadp.deviceType', '44322'),
          e('sadp', 'sadp.model', 'DS-7804HQH-K1'),
          e('sadp', 'sadp.serial', 'DS-7804HQH-K10420190822CCCHD53257168WCVU'),
          e('sadp', 'sadp.firmware', 'V3.5.38build 191215'),
          e('sadp', 'sadp.dspVersion', 'V5.0, build 191213'),
          e('sadp', 'sadp.oemInfo', 'N/A'),
        ],
        '68-6d-bc-ee-f8-f0',
      ),
      db,
    );
    expect(a).toMatchObject({ manufacturer: 'Hikvision', brand: 'Hikvision', model: 'DS-7804HQH-K1', kind: 'recorder', firmwareFamily: 'Hikvision V3' });
    expect(a.confidence).toBeGreaterThan(0.99);
  });

  it('Amcrest label + Dahua firmware -> manufacturer Dahua, brand Amcrest', () => {
    // corpus amcrest/onvif-GetDeviceInformation-1.xml
    const a = attribute(
      [
        e('onvif', 'onvif.manufacturer', 'Amcrest'),
        e('onvif', 'onvif.model', 'IP5M-T1277EW-AI'),
        e('onvif', 'onvif.firmware', 'V2.800.00AC003.0.R'),
        e('onvif', 'onvif.serial', 'AMC094B09882D5F152'),
        e('onvif', 'onvif.hardware', '1.00'),
      ],
      db,
    );
    expect(a).toMatchObject({ manufacturer: 'Dahua', brand: 'Amcrest', model: 'IP5M-T1277EW-AI', firmwareFamily: 'Dahua 2.800', kind: 'camera' });
    expect(a.confidence).toBe(0.8);
    expect(a.candidates.map((c) => c.manufacturer)).toEqual(['Dahua']);
    // The label never becomes the maker.
    expect(a.matches.filter((m) => m.claims.brand === 'Amcrest').every((m) => m.claims.manufacturer === undefined)).toBe(true);
  });

  it('Amcrest label alone names a brand, not a maker', () => {
    const a = attribute([e('onvif', 'onvif.manufacturer', 'Amcrest')], db);
    expect(a).toMatchObject({ manufacturer: null, brand: 'Amcrest', confidence: 0, candidates: [] });
  });

  it('Lorex DHIP reply + Lorex OUI -> Dahua / Lorex', () => {
    // corpus lorex/dhip-notifyDevInfo-1.txt (MAC 00:1f:54:a9:2e:58) as the DHIP decoder records it
    const a = attribute(
      withMacEvidence(
        [
          e('dhip', 'dhip.reply', 'true'),
          e('dhip', 'dhip.model', 'W461ASC'),
          e('dhip', 'dhip.vendor', 'Lorex'),
          e('dhip', 'dhip.manufacturer', 'Private'),
          e('dhip', 'dhip.firmware', '2.800.030000000.3.R'),
          e('dhip', 'dhip.deviceClass', 'IPC'),
          e('dhip', 'dhip.httpPort', '80'),
        ],
        '00:1f:54:a9:2e:58',
      ),
      db,
    );
    expect(a).toMatchObject({ manufacturer: 'Dahua', brand: 'Lorex', model: 'W461ASC', kind: 'camera', firmwareFamily: 'Dahua 2.800' });
    expect(a.confidence).toBeGreaterThan(0.95);
    expect(a.conflicts).toEqual([]); // "Private" is a weak label: no disagreement with Lorex
  });

  it('Lorex realm + OUI with a Dahua model code -> Dahua / Lorex', () => {
    // realm: corpus lorex/recog-banners-1.xml; OUI 001F54: the IEEE registry; model: corpus dahua/ws-discovery-ProbeMatches-1.xml
    // (composed: the three values were not captured from one device)
    const a = attribute(
      withMacEvidence([e('http', 'http.realm', 'Login to ND011811000000'), e('wsd', 'onvif.scope.hardware', 'IPC-HFW2228M-I1-V2')], '00:1f:54:00:00:01'),
      db,
    );
    expect(a).toMatchObject({ manufacturer: 'Dahua', brand: 'Lorex', model: 'IPC-HFW2228M-I1-V2' });
    expect(a.candidates.map((c) => c.manufacturer)).toEqual(['Dahua']);
  });

  it('"General"/"Private" DHIP vendor + Dahua firmware -> Dahua (label Generic)', () => {
    // corpus dahua/dhip-parsed-1.csv rows 1 and 2
    const general = attribute(
      [
        e('dhip', 'dhip.reply', 'true'),
        e('dhip', 'dhip.vendor', 'General'),
        e('dhip', 'dhip.manufacturer', 'General'),
        e('dhip', 'dhip.model', 'BCS-TIP3401IR-E-V'),
        e('dhip', 'dhip.firmware', '2.800.106F004.0.R'),
        e('dhip', 'dhip.serial', '6J0E022PAG35073'),
      ],
      db,
    );
    expect(general).toMatchObject({ manufacturer: 'Dahua', brand: 'BCS', model: 'BCS-TIP3401IR-E-V', firmwareFamily: 'Dahua 2.800' });
    const priv = attribute(
      [
        e('dhip', 'dhip.reply', 'true'),
        e('dhip', 'dhip.vendor', 'Private'),
        e('dhip', 'dhip.manufacturer', 'Private'),
        e('dhip', 'dhip.model', 'HCVR'),
        e('dhip', 'dhip.deviceClass', 'HCVR'),
        e('dhip', 'dhip.firmware', '3.210.1.4'),
        e('dhip', 'dhip.serial', '2K0488CPAGS0ND6'),
      ],
      db,
    );
    expect(priv).toMatchObject({ manufacturer: 'Dahua', brand: 'Generic', kind: 'recorder', model: 'HCVR' });
    // DHIP reply, device class and type come from one datagram: one tell (group dhip), with firmware and serial beside it.
    expect(priv.confidence).toBeGreaterThan(0.95);
    // The label alone names no maker.
    expect(attribute([e('dhip', 'dhip.vendor', 'Private')], db)).toMatchObject({ manufacturer: null, brand: 'Generic' });
  });

  it('Annke label + Hikvision firmware -> Hikvision / Annke', () => {
    // server: corpus annke/recog-banners-1.xml; firmware: corpus hikvision/onvif-GetDeviceInformation-parsed-1.txt (composed)
    const a = attribute([e('http', 'http.server', 'MWS 0.01'), e('onvif', 'onvif.firmware', 'V5.1.8 build 140616')], db);
    expect(a).toMatchObject({ manufacturer: 'Hikvision', brand: 'Annke', firmwareFamily: 'Hikvision V5', kind: 'camera' });
  });

  it('HiLook model code -> Hikvision / HiLook', () => {
    const a = attribute([e('onvif', 'onvif.model', 'IPC-B140H-M')], db);
    expect(a).toMatchObject({ manufacturer: 'Hikvision', brand: 'HiLook', model: 'IPC-B140H-M' });
  });

  it('EZVIZ: its OUI and model code with Hikvision firmware -> made by Hikvision (the platform), labelled EZVIZ', () => {
    // corpus ezviz/scan-report-observations-1.md (model, firmware) + an EZVIZ OUI (0CA64C); the fields are composed
    const a = attribute(
      withMacEvidence([e('onvif', 'onvif.model', 'CS-H6c-R101-1G2WF'), e('onvif', 'onvif.firmware', 'V5.3.8 build 260706')], '0c:a6:4c:12:34:56'),
      db,
    );
    expect(a).toMatchObject({ manufacturer: 'Hikvision', brand: 'EZVIZ', model: 'CS-H6c-R101-1G2WF', firmwareFamily: 'Hikvision V5', conflicts: [] });
    expect(a.confidence).toBeGreaterThan(0.95);
    expect(a.candidates.map((c) => c.manufacturer)).toEqual(['Hikvision', 'EZVIZ']);
    // Without the parent's platform, the subsidiary's own model code and MAC block: EZVIZ.
    expect(attribute(withMacEvidence([e('onvif', 'onvif.model', 'CS-H6c-R101-1G2WF')], '0c:a6:4c:12:34:56'), db)).toMatchObject({ manufacturer: 'EZVIZ', brand: 'EZVIZ' });
    // A Hikvision firmware alone is Hikvision.
    expect(attribute([e('onvif', 'onvif.firmware', 'V5.3.8 build 260706')], db).manufacturer).toBe('Hikvision');
  });

  it('Imou: the Huacheng OUI with a Dahua model code -> made by Dahua (the platform), labelled Imou', () => {
    const a = attribute(withMacEvidence([e('onvif', 'onvif.model', 'IPC-A22E')], '1c:4d:89:00:00:01'), db);
    expect(a).toMatchObject({ manufacturer: 'Dahua', brand: 'Imou', model: 'IPC-A22E', conflicts: [] });
  });

  it('an unlinked label that only names and numbers the box yields to two independent firmware-level tells (rule 7b)', () => {
    // corpus hikvision/onvifnvt-trendnet-tv-ip320pi.onvif-device-info.xml: TRENDnet states itself and its own model
    // code, the firmware and serial follow Hikvision's schemes; vendors.yaml has no TRENDnet -> Hikvision link.
    const label = [e('onvif', 'onvif.manufacturer', 'TRENDnet'), e('onvif', 'onvif.model', 'TV-IP320PI')];
    const firmware = e('onvif', 'onvif.firmware', 'V5.3.4 build 160830');
    const serial = e('onvif', 'onvif.serial', 'TV-IP320PI20161206AAWR863642784');
    const both = attribute([...label, firmware, serial], db);
    expect(both).toMatchObject({ manufacturer: 'Hikvision', brand: 'Trendnet', model: 'TV-IP320PI', conflicts: [] });
    expect(both.candidates.map((c) => c.manufacturer)).toEqual(['Hikvision']);
    // One firmware-level tell against the label's words and code: a contradiction, written down, not a relabel.
    const one = attribute([...label, firmware], db);
    expect(one.conflicts).toHaveLength(1);
    expect(one.candidates.map((c) => c.manufacturer).sort()).toEqual(['Hikvision', 'Trendnet']);
    // The label alone is the maker it states.
    expect(attribute(label, db)).toMatchObject({ manufacturer: 'Trendnet', brand: 'Trendnet' });
  });

  it('conflicting evidence lowers confidence and is written down', () => {
    const alone = attribute([e('onvif', 'onvif.manufacturer', 'HIKVISION')], db);
    const contradicted = attribute(withMacEvidence([e('onvif', 'onvif.manufacturer', 'HIKVISION')], '4c:11:bf:c2:0b:9d'), db);
    expect(alone.confidence).toBe(0.9);
    expect(contradicted.manufacturer).toBe('Hikvision');
    expect(contradicted.confidence).toBeCloseTo(0.9 * (1 - 0.6), 5);
    expect(contradicted.candidates.map((c) => [c.manufacturer, c.score])).toEqual([
      ['Hikvision', 0.9],
      ['Dahua', 0.6],
    ]);
    expect(contradicted.conflicts).toHaveLength(1);
    expect(contradicted.conflicts[0]).toMatch(/Dahua.*mac\.oui.*Zhejiang Dahua Technology.*dahua\.oui\.ieee/u);
  });

  it('support from several tells combines as a noisy-OR, each fingerprint counted once', () => {
    const once = attribute([e('wsd', 'wsd.namespace', 'tnshik=http://www.hikvision.com/2011/event/topics')], db);
    const twice = attribute(
      [
        e('wsd', 'wsd.namespace', 'tnshik=http://www.hikvision.com/2011/event/topics'),
        e('onvif', 'onvif.namespace', 'tnshik=http://www.hikvision.com/2011/event/topics'),
        e('onvif', 'onvif.namespace', 'hikxsd=http://www.onvifext.com/onvif/ext/ver10/schema'),
      ],
      db,
    );
    // Vendor namespaces are shared (OEM SDKs copy them): alone they are a lead, never the maker.
    expect(once).toMatchObject({ manufacturer: null, confidence: 0, corroborated: false });
    expect(once.candidates.map((c) => [c.manufacturer, c.score])).toEqual([['Hikvision', 0.8]]);
    expect(twice.candidates.map((c) => [c.manufacturer, c.score])).toEqual([['Hikvision', 0.8]]); // the same fingerprint three times is one tell
    // An exclusive tell corroborates the lead, and the two combine.
    const two = attribute([e('wsd', 'wsd.namespace', 'tnshik=http://www.hikvision.com/2011/event/topics'), e('http', 'http.realm', 'hikvision')], db);
    expect(two.manufacturer).toBe('Hikvision');
    expect(two.confidence).toBeCloseTo(1 - 0.2 * 0.25, 5);
  });

  describe('traps produce no Dahua, Hikvision or Axis claim', () => {
    const restricted = ['Dahua', 'Hikvision', 'Axis'];
    const makers = (evidence: Evidence[]): string[] => attribute(evidence, db).candidates.map((c) => c.manufacturer);

    it('X-User-Agent: redsonic (Dahua and Chromecast both send it)', () => {
      // corpus google-cast/ssdp-msearch-response-1.txt
      const chromecast = [
        e('ssdp', 'ssdp.server', 'Linux/3.8.13, UPnP/1.0, Portable SDK for UPnP devices/1.6.18'),
        e('ssdp', 'ssdp.header.x-user-agent', 'redsonic'),
        e('ssdp', 'ssdp.st', 'upnp:rootdevice'),
        e('ssdp', 'ssdp.usn', 'uuid:cb602198-1cc1-11c2-3124-a0ff531c73fa::upnp:rootdevice'),
        e('ssdp', 'ssdp.location', 'http://192.168.5.1:8008/ssdp/device-desc.xml'),
      ];
      expect(makers(chromecast)).toEqual([]);
      // with its description, it is a Google media device
      const a = attribute([...chromecast, e('upnp', 'upnp.manufacturer', 'Google Inc.'), e('upnp', 'upnp.modelName', 'Eureka Dongle')], db);
      expect(a).toMatchObject({ manufacturer: 'Google', kind: 'media', model: 'Eureka Dongle' });
    });

    it('a tnsaxis namespace alone (TI IPNC reference firmware)', () => {
      // corpus other-ipnc/onvif-GetSystemDateAndTime-1.xml and ws-discovery-ProbeMatches-1.xml
      const ipnc = [
        e('onvif', 'onvif.namespace', 'tnsaxis=http://www.axis.com/2009/event/topics'),
        e('onvif', 'onvif.namespace', 'tt=http://www.onvif.org/ver10/schema'),
        e('wsd', 'onvif.scope.name', 'PREDATOR'),
        e('wsd', 'onvif.scope.hardware', 'HD_PREDATOR'),
      ];
      expect(makers(ipnc)).toEqual([]);
      // while the AXIS OS VAPIX namespaces are Axis
      expect(makers([...ipnc, e('onvif', 'onvif.namespace', 'acert=http://www.axis.com/vapix/ws/cert')])).toEqual(['Axis']);
    });

    it('location/city/hangzhou alone (generic Chinese ONVIF stacks)', () => {
      // corpus _facts/tricky-cases-1.md (name/ONVIF, hardware/IPC, location/city/hangzhou)
      expect(makers([e('wsd', 'onvif.scope.name', 'ONVIF'), e('wsd', 'onvif.scope.hardware', 'IPC'), e('wsd', 'onvif.scope.location', 'city/hangzhou')])).toEqual([]);
    });

    it("Panasonic's Dahua-like scope layout", () => {
      // corpus mixed-vendors/onvif-scopes-1.json (WV-V1330LK)
      const a = attribute(
        [
          e('wsd', 'onvif.scope.name', 'Panasonic'),
          e('wsd', 'onvif.scope.hardware', 'WV-V1330LK'),
          e('wsd', 'onvif.scope.profile', 'Streaming'),
          e('wsd', 'onvif.scope.type', 'Network_Video_Transmitter'),
          e('wsd', 'onvif.scope.extension', 'unique_identifier'),
          e('wsd', 'onvif.scope.location', 'office'),
        ],
        db,
      );
      expect(a).toMatchObject({ manufacturer: 'Panasonic', model: 'WV-V1330LK', conflicts: [] });
      expect(a.candidates.map((c) => c.manufacturer)).toEqual(['Panasonic']);
    });

    it('the "Shanghai Dahua Scale Factory" OUI', () => {
      const evidence = withMacEvidence([], '40:2c:76:1a:bb:cc');
      expect(evidence).toContainEqual({ protocol: 'mac', field: 'mac.oui', value: 'Shanghai Dahua Scale Factory' });
      // The vocabulary lists the scale maker as a look-alike (recognised, never claimed): nobody.
      expect(makers(evidence)).toEqual([]);
    });

    it('Wi-Fi module OUIs (China Dragon Technology inside Reolink and other brands)', () => {
      // home-assistant/core#77779: a Reolink E1 Pro with MAC 3c:7a:aa:84:f9:56
      const evidence = withMacEvidence([], '3c:7a:aa:84:f9:56');
      expect(evidence).toContainEqual({ protocol: 'mac', field: 'mac.oui', value: 'China Dragon Technology Limited' });
      expect(makers(evidence)).toEqual([]);
    });

    it('the Lorex India OUI is not Lorex, and Lorex is never a maker', () => {
      expect(fired(withMacEvidence([], '8c:1f:64:f4:b1:23'))).toEqual([]);
      expect(makers(withMacEvidence([], '00:1f:54:00:00:01'))).toEqual([]);
    });

    it('printers and Windows hosts answering WS-Discovery are not cameras', () => {
      // corpus epson-printer/ws-discovery-ProbeMatches-1.xml + mdns-txt-1.txt; mixed-negatives/wsdd-nmap-output-1.txt
      const printer = attribute(
        withMacEvidence(
          [
            e('wsd', 'wsd.type', 'wsdp:Device'),
            e('wsd', 'wsd.type', 'wscn:ScanDeviceType'),
            e('wsd', 'wsd.type', 'wprt:PrintDeviceType'),
            e('wsd', 'wsd.xaddr', 'http://192.168.1.245:80/WSD/DEVICE'),
            e('mdns', 'mdns.txt.usb_mfg', 'EPSON'),
            e('mdns', 'mdns.txt.ty', 'EPSON XP-410 Series'),
          ],
          'ac:18:26:84:1a:46',
        ),
        db,
      );
      expect(printer).toMatchObject({ manufacturer: 'Epson', kind: 'printer', model: 'XP-410' });
      const windows = attribute([e('wsd', 'wsd.type', 'wsdp:Device'), e('wsd', 'wsd.type', 'pub:Computer')], db);
      expect(windows).toMatchObject({ manufacturer: null, kind: 'computer' });
      for (const a of [printer, windows]) expect(a.candidates.map((c) => c.manufacturer).filter((m) => restricted.includes(m))).toEqual([]);
    });

    it('a Sony TV is Sony media, not a camera', () => {
      // corpus mixed-negatives/upnp-nmap-output-1.txt
      const a = attribute(
        [e('ssdp', 'ssdp.server', 'Linux/2.6 UPnP/1.0 KDL-32EX701/1.7'), e('upnp', 'upnp.manufacturer', 'Sony Corporation'), e('upnp', 'upnp.modelName', 'KDL-32EX701')],
        db,
      );
      expect(a).toMatchObject({ manufacturer: 'Sony', kind: 'media', model: 'KDL-32EX701' });
    });
  });

  it('Tiandy needs its model code and location/city/tianjin together', () => {
    // corpus mixed-vendors/onvif-scopes-1.json (TC-C32TS)
    const name = e('wsd', 'onvif.scope.name', 'TC-C32TS SPEC:I8/A/E/Y/M/H/2.7-13.5mm');
    expect(attribute([name], db).manufacturer).toBeNull();
    expect(attribute([e('wsd', 'onvif.scope.location', 'city/tianjin')], db).manufacturer).toBeNull();
    const both = attribute([name, e('wsd', 'onvif.scope.mfr', 'ipcamera'), e('wsd', 'onvif.scope.location', 'city/tianjin')], db);
    expect(both).toMatchObject({ manufacturer: 'Tiandy', model: 'TC-C32TS', kind: 'camera' });
  });

  it('nothing known: an empty attribution', () => {
    expect(attribute([], db)).toEqual({
      manufacturer: null,
      brand: null,
      model: null,
      firmwareFamily: null,
      kind: null,
      confidence: 0,
      candidates: [],
      matches: [],
      conflicts: [],
      named: [],
    });
  });

  it('bounds the work: at most MAX_EVIDENCE_ITEMS items, values cut to 512 characters', () => {
    const filler = Array.from({ length: MAX_EVIDENCE_ITEMS }, (_, i) => e('http', 'http.title', `page ${i}`));
    expect(attribute([...filler, e('onvif', 'onvif.manufacturer', 'HIKVISION')], db).manufacturer).toBeNull();
    const long = attribute([e('ssdp', 'ssdp.usn', `uuid:www.dahuatech.com.device_${'x'.repeat(100_000)}`)], db);
    expect(long.manufacturer).toBe('Dahua');
    expect(long.matches[0]!.value).toHaveLength(512);
    const t0 = performance.now();
    attribute(Array.from({ length: MAX_EVIDENCE_ITEMS }, (_, i) => e('wsd', 'onvif.scope.name', `${'A'.repeat(600)}${i}`)), db);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('is pure: the same evidence gives the same attribution, and the input is not changed', () => {
    const evidence = [e('onvif', 'onvif.manufacturer', 'Amcrest'), e('onvif', 'onvif.firmware', 'V2.800.00AC003.0.R')];
    const copy = structuredClone(evidence);
    expect(attribute(evidence, db)).toEqual(attribute(evidence, db));
    expect(evidence).toEqual(copy);
  });
});
