/**
 * End to end through the real CLI (`bin/camsweep.js sweep --format json` in the agent's
 * namespace): OEM units whose label is not their maker (a Lorex-labelled Dahua camera, an
 * Amcrest, an Annke) and the traps of PROTOCOLS.md section 2, each seen in real data, none of
 * which may tie a device to a covered maker: X-User-Agent redsonic (Chromecast), a tnsaxis
 * namespace (TI IPNC), location/city/hangzhou alone, Panasonic's Dahua-like scope layout, the
 * "Shanghai Dahua Scale Factory" OUI, a Wi-Fi module OUI (China Dragon Technology), and a
 * printer and a Windows PC answering WS-Discovery. Verdicts are under the default policy
 * (us-ndaa-889 + uk-2022-sensitive-sites); each profile's notes say which values are real.
 */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab, type LabDeviceSpec } from './netns.ts';
import type { Device, DeviceKind, DeviceStatus, SweepResult } from '../../src/domain/types.ts';
import { loadPolicy } from '../../src/policy/load.ts';

const CLI = new URL('../../bin/camsweep.js', import.meta.url).pathname;
const WINDOW_S = 3;
const AMCREST_PASSWORD = 'lab-amcrest-1277';

const DEVICES: readonly LabDeviceSpec[] = [
  { name: 'lorex', ip: '10.66.0.21', mac: '00:1f:54:4a:61:21', profile: 'lorex-w461asc' },
  { name: 'amcrest', ip: '10.66.0.22', mac: '9c:8e:cd:3a:12:77', profile: 'amcrest-ip5m-t1277ew-ai' },
  { name: 'annke', ip: '10.66.0.23', mac: 'c0:56:e3:91:b0:4d', profile: 'annke-c800-i91bm' },
  { name: 'imou', ip: '10.66.0.24', mac: '1c:4d:89:3a:22:24', profile: 'imou-ipc-a22e' },
  { name: 'annke-onvif', ip: '10.66.0.25', mac: 'c0:56:e3:91:b0:25', profile: 'annke-nc400-onvif' },
  { name: 'ipnc', ip: '10.66.0.31', mac: '00:60:35:1c:8a:da', profile: 'trap-ti-ipnc-tnsaxis' },
  { name: 'hangzhou', ip: '10.66.0.32', mac: '78:a5:dd:5c:80:32', profile: 'trap-generic-hangzhou' },
  { name: 'panasonic', ip: '10.66.0.33', mac: 'd4:2d:c5:13:30:4b', profile: 'trap-panasonic-wv-v1330lk' },
  { name: 'scale-mac', ip: '10.66.0.34', mac: '40:2c:76:1a:5e:34', profile: 'trap-dahua-scale-mac' },
  { name: 'wifi-module', ip: '10.66.0.35', mac: '3c:7a:aa:0f:95:35', profile: 'trap-wifi-module-mac' },
  { name: 'windows-pc', ip: '10.66.0.36', mac: '3c:a9:f4:5e:21:36', profile: 'trap-windows-pc' },
  { name: 'chromecast', ip: '10.66.0.15', mac: '54:60:09:15:ca:57', profile: 'chromecast' },
  { name: 'epson', ip: '10.66.0.14', mac: 'ac:18:26:84:1a:46', profile: 'epson-xp-410' },
];

interface Expected {
  name: string;
  manufacturer: string | null;
  brand: string | null;
  kind: DeviceKind;
  status: DeviceStatus;
  /** The rule a restricted verdict names (us-ndaa-889 is first in the default packs). */
  rule?: string;
  /** Lowest confidence in the manufacturer accepted (0 when none is named). */
  minConfidence: number;
  /** A trap: nothing about it may point at a covered maker. */
  trap: boolean;
}

const EXPECTED: readonly Expected[] = [
  { name: 'lorex', manufacturer: 'Dahua', brand: 'Lorex', kind: 'camera', status: 'restricted', rule: 'dahua', minConfidence: 0.9, trap: false },
  { name: 'amcrest', manufacturer: 'Dahua', brand: 'Amcrest', kind: 'camera', status: 'restricted', rule: 'dahua', minConfidence: 0.6, trap: false },
  { name: 'annke', manufacturer: 'Hikvision', brand: 'Annke', kind: 'camera', status: 'restricted', rule: 'hikvision', minConfidence: 0.9, trap: false },
  // A subsidiary's label on the parent's platform: made by Dahua (DHIP, Dahua firmware and serial schemes), labelled Imou.
  { name: 'imou', manufacturer: 'Dahua', brand: 'Imou', kind: 'camera', status: 'restricted', rule: 'dahua', minConfidence: 0.9, trap: false },
  // The label stated over ONVIF (name scope, Manufacturer) is kept; the maker comes from the platform.
  { name: 'annke-onvif', manufacturer: 'Hikvision', brand: 'Annke', kind: 'camera', status: 'restricted', rule: 'hikvision', minConfidence: 0.9, trap: false },
  { name: 'ipnc', manufacturer: null, brand: null, kind: 'camera', status: 'review', minConfidence: 0, trap: true },
  { name: 'hangzhou', manufacturer: null, brand: null, kind: 'camera', status: 'review', minConfidence: 0, trap: true },
  { name: 'panasonic', manufacturer: 'Panasonic', brand: 'Panasonic', kind: 'camera', status: 'clear', minConfidence: 0.6, trap: true },
  { name: 'scale-mac', manufacturer: null, brand: null, kind: 'camera', status: 'review', minConfidence: 0, trap: true },
  { name: 'wifi-module', manufacturer: null, brand: null, kind: 'camera', status: 'review', minConfidence: 0, trap: true },
  { name: 'windows-pc', manufacturer: null, brand: null, kind: 'computer', status: 'clear', minConfidence: 0, trap: true },
  { name: 'chromecast', manufacturer: 'Google', brand: 'Google', kind: 'media', status: 'clear', minConfidence: 0.6, trap: true },
  { name: 'epson', manufacturer: 'Epson', brand: 'Epson', kind: 'printer', status: 'clear', minConfidence: 0.6, trap: true },
];

/** Every name the default packs cover, lower-cased: entities, aliases, subsidiaries, affiliates, brands. */
const COVERED: ReadonlySet<string> = (() => {
  const names = new Set<string>();
  for (const pack of loadPolicy().packs) {
    for (const rule of pack.rules) {
      for (const n of [rule.entity, rule.legalName, ...rule.aliases]) names.add(n.toLowerCase());
      for (const r of [...rule.subsidiaries, ...rule.affiliates, ...rule.brands]) names.add(r.name.toLowerCase());
    }
  }
  return names;
})();

let lab: Lab;

function ipOf(name: string): string {
  const d = DEVICES.find((x) => x.name === name);
  if (d === undefined) throw new Error(`no device ${name}`);
  return d.ip;
}

function deviceIn(result: SweepResult, name: string): Device {
  const d = result.devices.find((x) => x.ip === ipOf(name));
  if (d === undefined) throw new Error(`${name} (${ipOf(name)}) not found; devices: ${result.devices.map((x) => x.ip).join(', ')}`);
  return d;
}

const values = (d: Device, field: string): string[] => d.evidence.filter((e) => e.field === field).map((e) => e.value);
const fingerprints = (d: Device): string[] => (d.attribution?.matches ?? []).map((m) => m.fingerprint);
/** The fingerprints behind one candidate manufacturer. */
const support = (d: Device, manufacturer: string): string[] =>
  d.attribution?.candidates.find((c) => c.manufacturer === manufacturer)?.fingerprints ?? [];

async function sweep(extra: string[], env: Record<string, string> = {}): Promise<{ result: SweepResult; stdout: string; stderr: string }> {
  const run = await lab.execAgent(
    // --evidence full: these tests read every observation, the namespace declarations included.
    [process.execPath, CLI, 'sweep', '--interface', 'eth0', '--timeout', String(WINDOW_S), '--log-level', 'warn', '--format', 'json', '--evidence', 'full', ...extra],
    { timeoutMs: 30_000, env },
  );
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).not.toMatch(/Unhandled|TypeError|RangeError/u);
  return { result: JSON.parse(run.stdout) as SweepResult, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(async () => {
  lab = await createLab({ subnet: '10.66.0.0/24', agent: { ip: '10.66.0.2', mac: '02:66:00:00:00:02' }, devices: [...DEVICES] });
  await lab.startDevices();
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

describe('camsweep sweep on OEM units and traps (ONVIF credentials configured for the Amcrest only)', () => {
  let result: SweepResult;
  let output: string;

  beforeAll(async () => {
    const config = path.join(lab.dir, 'camsweep.yaml');
    // followUps: always: these tests read what every query got from every unit (RTSP, TLS of
    // restricted ones too); the default is checked below, against the same verdicts.
    writeFileSync(config, `credentials:\n  - { match: ${ipOf('amcrest')}, username: admin, passwordEnv: LAB_AMCREST_PASSWORD }\nenrich:\n  followUps: always\n`);
    const run = await sweep(['--config', config], { LAB_AMCREST_PASSWORD: AMCREST_PASSWORD });
    result = run.result;
    output = run.stdout + run.stderr;
    const rows = EXPECTED.map((e) => {
      const d = result.devices.find((x) => x.ip === ipOf(e.name));
      return d === undefined
        ? `${e.name.padEnd(12)} (not found)`
        : `${e.name.padEnd(12)} ${String(d.manufacturer).padEnd(10)} ${String(d.brand).padEnd(10)} ${d.kind.padEnd(9)} ${d.status.padEnd(11)} ${d.confidence}`;
    });
    console.log(['device       manufacturer brand    kind      status      confidence', ...rows].join('\n'));
  }, 60_000);

  it('finds every device once, with the MAC the lab gave it', () => {
    expect(result.devices.map((d) => d.ip).sort()).toEqual(DEVICES.map((d) => d.ip).sort());
    for (const d of DEVICES) expect(deviceIn(result, d.name).mac, d.name).toBe(d.mac);
  });

  it.each(EXPECTED)('$name: manufacturer $manufacturer, brand $brand, $kind, $status', (e) => {
    const d = deviceIn(result, e.name);
    expect({ manufacturer: d.manufacturer, brand: d.brand, kind: d.kind, status: d.status }).toEqual({
      manufacturer: e.manufacturer,
      brand: e.brand,
      kind: e.kind,
      status: e.status,
    });
    expect(d.verdict.status).toBe(e.status);
    if (e.rule !== undefined) expect(d.verdict).toMatchObject({ pack: 'us-ndaa-889', rule: e.rule });
    if (e.manufacturer === null) expect(d.confidence).toBe(0);
    else expect(d.confidence).toBeGreaterThanOrEqual(e.minConfidence);
  });

  it.each(EXPECTED.filter((e) => e.trap))('$name (a trap): no fingerprint, candidate or rule ties it to a covered maker', (e) => {
    const d = deviceIn(result, e.name);
    for (const m of d.attribution?.matches ?? []) {
      for (const claimed of [m.claims.manufacturer, m.claims.brand]) {
        if (claimed !== undefined) expect(COVERED.has(claimed.toLowerCase()), `${m.fingerprint} claims ${claimed}`).toBe(false);
      }
    }
    for (const c of d.attribution?.candidates ?? []) expect(COVERED.has(c.manufacturer.toLowerCase()), c.manufacturer).toBe(false);
    expect(d.verdict.rule).toBeUndefined();
    expect(d.verdict.pack).toBeUndefined();
  });

  it('Lorex-labelled Dahua: DHIP (answered on the group) names Lorex, the protocol and firmware say Dahua', async () => {
    const d = deviceIn(result, 'lorex');
    expect(values(d, 'dhip.vendor')).toEqual(['Lorex']);
    expect(values(d, 'dhip.manufacturer')).toEqual(['Private']);
    expect(values(d, 'mac.oui')).toEqual(['Lorex Technology Inc.']);
    expect(values(d, 'http.realm')).toEqual(['Login to ND012011004519']);
    expect(d).toMatchObject({ model: 'W461ASC', firmware: '2.800.030000000.3.R', serial: 'ND012011004519' });
    expect(support(d, 'Dahua')).toEqual(expect.arrayContaining(['dahua.dhip.reply', 'dahua.firmware.r-build']));
    expect(fingerprints(d)).toEqual(expect.arrayContaining(['lorex.label.vendor', 'lorex.oui.ieee']));
    expect(d.verdict.entity).toBe('Dahua');
    const hits = await lab.deviceHits('lorex');
    expect(hits.filter((h) => h.proto === 'dhip').map((h) => h.kind)).toContain('DHDiscover.search');
  });

  it('Imou-labelled Dahua: RTSP OPTIONS (no credentials) gets Dahua\'s realm; the name scope keeps the label', async () => {
    const d = deviceIn(result, 'imou');
    expect(values(d, 'rtsp.realm')).toEqual(['Login to 7J05C2DPAZ4B1C9']);
    expect(values(d, 'onvif.scope.name')).toEqual(['Imou']);
    expect(support(d, 'Dahua')).toEqual(expect.arrayContaining(['dahua.realm.login-to', 'dahua.dhip.reply']));
    const rtsp = (await lab.deviceHits('imou')).filter((h) => h.proto === 'rtsp');
    expect(rtsp.map((h) => h.kind)).toEqual(['OPTIONS']);
  });

  it('ANNKE unit: the TLS handshake reads the certificate and sends nothing over it; its subject names the label', async () => {
    const d = deviceIn(result, 'annke-onvif');
    expect(values(d, 'tls.subject.o')).toEqual(['ANNKE']);
    const tlsHits = (await lab.deviceHits('annke-onvif')).filter((h) => h.proto === 'tls');
    expect(tlsHits.map((h) => h.kind)).toEqual(['handshake']);
  });

  it('Amcrest: the label everywhere, Dahua\'s 2.800 firmware behind the configured credentials', async () => {
    const d = deviceIn(result, 'amcrest');
    expect(values(d, 'onvif.auth')).toEqual(['wsse']);
    expect(values(d, 'onvif.manufacturer')).toEqual(['Amcrest']);
    expect(d).toMatchObject({ model: 'IP5M-T1277EW-AI', firmware: 'V2.800.00AC003.0.R', serial: 'AMC094B09882D5F152' });
    expect(support(d, 'Dahua')).toEqual(['dahua.firmware.r-build']);
    expect(fingerprints(d)).toEqual(expect.arrayContaining(['amcrest.onvif.manufacturer', 'amcrest.serial.amc', 'amcrest.oui.ieee']));
    // The credentials went to the Amcrest only, and never into the output.
    expect(output).not.toContain(AMCREST_PASSWORD);
    for (const other of DEVICES.filter((x) => x.name !== 'amcrest')) {
      const authorised = (await lab.deviceHits(other.name)).filter((h) => h.proto === 'onvif' && h.kind === 'GetDeviceInformation');
      expect(authorised, other.name).toEqual([]);
    }
  });

  it('Annke: answers SADP with Hikvision firmware and serial scheme; its web server names Annke', () => {
    const d = deviceIn(result, 'annke');
    expect(values(d, 'http.server')).toEqual(['MWS 0.01']);
    expect(values(d, 'sadp.model')).toEqual(['I91BM']);
    expect(support(d, 'Hikvision')).toEqual(
      expect.arrayContaining(['hikvision.sadp.reply', 'hikvision.firmware.v-build', 'hikvision.serial.scheme']),
    );
    expect(fingerprints(d)).toContain('annke.http.server');
    expect(d.verdict.entity).toBe('Hikvision');
  });

  it('TI IPNC: declares tnsaxis in its ONVIF replies, and is not Axis', () => {
    const d = deviceIn(result, 'ipnc');
    expect(values(d, 'onvif.namespace')).toContain('tnsaxis=http://www.axis.com/2009/event/topics');
    expect(values(d, 'onvif.scope.name')).toEqual(['PREDATOR']);
    expect(fingerprints(d).filter((f) => f.startsWith('axis.'))).toEqual([]);
    expect(support(d, 'Axis')).toEqual([]);
  });

  it('generic stack: location/city/hangzhou, name/ONVIF and Dahua\'s SOAP dialect are neither Hikvision nor Dahua', () => {
    const d = deviceIn(result, 'hangzhou');
    expect(values(d, 'onvif.scope.location')).toEqual(['city/hangzhou']);
    expect(values(d, 'onvif.scope.name')).toEqual(['ONVIF']);
    expect(values(d, 'wsd.namespace')).toContain('s=http://www.w3.org/2003/05/soap-envelope');
    expect(values(d, 'wsd.xaddr')).toEqual([`http://${ipOf('hangzhou')}:8000/onvif/device_service`]);
    expect(values(d, 'onvif.deviceInformation.fault')).toEqual(['NotAuthorized']);
    expect(d.attribution?.matches).toEqual([]);
  });

  it('Panasonic: Dahua\'s scope layout, told apart by the name', () => {
    const d = deviceIn(result, 'panasonic');
    expect(values(d, 'onvif.scope.extension')).toEqual(['unique_identifier']);
    expect(values(d, 'onvif.scope.name')).toEqual(['Panasonic']);
    expect(fingerprints(d)).toEqual(expect.arrayContaining(['panasonic.scope.name', 'panasonic.model.wv']));
    expect(fingerprints(d).filter((f) => f.startsWith('dahua.'))).toEqual([]);
    expect(d.verdict.reason).toContain('made by Panasonic');
  });

  it('the Shanghai Dahua Scale Factory MAC is not Dahua Technology', () => {
    const d = deviceIn(result, 'scale-mac');
    expect(values(d, 'mac.oui')).toEqual(['Shanghai Dahua Scale Factory']);
    expect(values(d, 'mac.oui.registry')).toEqual(['MA-M']);
    expect(d.attribution?.matches).toEqual([]);
  });

  it('a China Dragon Wi-Fi module MAC names nobody: the camera stays unattributed (and is not Reolink)', () => {
    const d = deviceIn(result, 'wifi-module');
    expect(values(d, 'mac.oui')).toEqual(['China Dragon Technology Limited']);
    expect(values(d, 'wsd.type')).toEqual([]);
    expect(values(d, 'onvif.scope.name')).toEqual(['IPCAM']);
    expect(d.attribution?.matches).toEqual([]);
  });

  it('the Windows PC and the printer answer WS-Discovery and are never asked for ONVIF', async () => {
    const pc = deviceIn(result, 'windows-pc');
    expect(values(pc, 'wsd.type')).toEqual(['wsdp:Device', 'pub:Computer']);
    expect(values(pc, 'wsd.xaddr')[0]).toMatch(/^http:\/\/10\.66\.0\.36:5357\/[0-9a-f-]{36}\/$/u);
    expect(fingerprints(pc)).toEqual(['generic.wsd.computer']);
    for (const name of ['windows-pc', 'epson']) {
      const hits = await lab.deviceHits(name);
      expect(hits.filter((h) => h.proto === 'onvif' || (h.proto === 'http' && h.kind === 'POST')), name).toEqual([]);
    }
  });

  it('Chromecast: X-User-Agent redsonic is recorded and read by no fingerprint', () => {
    const d = deviceIn(result, 'chromecast');
    expect(values(d, 'ssdp.header.x-user-agent')).toEqual(['redsonic']);
    expect((d.attribution?.matches ?? []).filter((m) => m.field.startsWith('ssdp.header.'))).toEqual([]);
  });
});

describe('camsweep sweep with no credentials configured', () => {
  it('restricts the Amcrest through its label only (a covered label, nothing contradicting it), rule dahua; the others keep their verdicts', async () => {
    const rtspAsked = async (): Promise<number> => (await lab.deviceHits('imou')).filter((h) => h.proto === 'rtsp').length;
    const before = await rtspAsked();
    const { result } = await sweep([]);
    // Default follow-ups: the Imou unit, restricted on its DHIP reply alone, is not asked RTSP
    // OPTIONS (every verdict below is the one the sweep that asked everything gave).
    expect(await rtspAsked()).toBe(before);
    const amcrest = deviceIn(result, 'amcrest');
    expect(values(amcrest, 'onvif.deviceInformation.fault')).toEqual(['NotAuthorized']);
    expect(amcrest).toMatchObject({ manufacturer: null, brand: 'Amcrest', kind: 'camera', status: 'restricted' });
    expect(amcrest.verdict).toMatchObject({ pack: 'us-ndaa-889', rule: 'dahua', entity: 'Dahua' });
    for (const e of EXPECTED.filter((x) => x.name !== 'amcrest')) {
      const d = deviceIn(result, e.name);
      expect({ name: e.name, manufacturer: d.manufacturer, brand: d.brand, status: d.status }).toEqual({
        name: e.name,
        manufacturer: e.manufacturer,
        brand: e.brand,
        status: e.status,
      });
    }
  }, 60_000);
});
