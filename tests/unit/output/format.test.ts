import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { schemaValidator } from '../../helpers/json-schema.ts';
import { csvCell, formatChunks, formatCsv, formatJson, formatTable, jsonChunks } from '../../../src/output/format.ts';
import type { Device, SweepResult } from '../../../src/domain/types.ts';
import { COLORS, PLAIN, colorEnabled } from '../../../src/output/color.ts';
import { displayWidth } from '../../../src/output/table.ts';
import { withEvidence } from '../../../src/output/evidence.ts';

const device = (over: Partial<Device> = {}): Device => ({
  ip: '10.66.0.11',
  addresses: ['10.66.0.11'],
  mac: '44:19:b6:12:34:56',
  manufacturer: 'HIKVISION',
  brand: 'HIKVISION',
  model: 'DS-2CD2142FWD-I',
  firmware: 'V5.4.5 build 170124',
  serial: 'DS-2CD2142FWD-I20170314AAWR000000001',
  kind: 'camera',
  status: 'review',
  confidence: 0.6,
  protocols: ['wsd', 'onvif', 'arp'],
  interfaces: ['eth0'],
  identifiers: { epr: 'urn:uuid:1' },
  evidence: [{ protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' }],
  verdict: { status: 'review', reason: 'a camera whose maker is not established' },
  ...over,
});

const result = (devices: Device[]): SweepResult => ({
  schema: 'camsweep.sweep/v1',
  id: '7f1c9c1e-4a49-4d8e-9b8e-2f4a3c7d1e55',
  startedAt: '2026-11-26T10:00:00.000Z',
  finishedAt: '2026-11-26T10:00:03.250Z',
  interfaces: [{ name: 'eth0', address: '10.66.0.2', netmask: '255.255.255.0', mac: '02:00:00:00:00:02' }],
  devices,
  errors: [{ code: 'WSD_INVALID', message: 'not an XML document', protocol: 'wsd', interface: 'eth0', ip: '10.66.0.66' }],
});

describe('formatJson', () => {
  it('produces a document valid against schemas/sweep.v1.schema.json', () => {
    const validate = schemaValidator('sweep.v1.schema.json');
    const doc: unknown = JSON.parse(formatJson(result([device(), device({ ip: '10.66.0.12', mac: null, manufacturer: null, brand: null })])));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...(doc as object), schema: 'camsweep.sweep/v2' })).toBe(false);
  });

  it('stays valid JSON whatever a device sent', () => {
    const nasty = device({ model: '"\u0000\u001b[2J</script>\ud800' });
    expect(() => JSON.parse(formatJson(result([nasty])))).not.toThrow();
  });

  it('prints no raw C1 control, bidi control or separator, and still parses back to the same strings (found by tests/fuzz)', () => {
    const model = 'a\u009b31mb\u202ec\u061cd\u2028e\u200bf\u007f';
    const out = formatJson(result([device({ model })]));
    expect(out).not.toMatch(/[\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u);
    expect(out).toContain('"model": "a\\u009b31mb\\u202ec\\u061cd\\u2028e\\u200bf\\u007f"');
    expect((JSON.parse(out) as SweepResult).devices[0]!.model).toBe(model);
  });

  it('comes out in pieces, one per device, that together are exactly JSON.stringify(result, null, 2)', () => {
    const r = { ...result([device(), device({ ip: '10.66.0.12', mac: null })]), window: { reason: 'settled' as const, ms: 1500, maxMs: 3000 } };
    const chunks = [...jsonChunks(r)];
    expect(chunks.join('')).toBe(`${JSON.stringify(r, null, 2)}\n`);
    expect(chunks.filter((c) => c.startsWith('    {\n      "ip"'))).toHaveLength(2);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(JSON.stringify(r, null, 2).length / 2);
    expect([...formatChunks(r, 'json')].join('')).toBe(formatJson(r));
    expect([...formatChunks(r, 'csv')]).toEqual([formatCsv(r)]);
  });

  it('pieces any document exactly as JSON.stringify lays it out (empty arrays, nested arrays, absent fields)', () => {
    const top = fc.dictionary(
      fc.string({ maxLength: 8 }),
      fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }), fc.constant(undefined)),
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(top, (doc) => {
        const expected = `${JSON.stringify(doc, null, 2).replace(/[\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
        expect([...jsonChunks(doc as unknown as SweepResult)].join('')).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatCsv', () => {
  it('has a header row and one row per device with CRLF endings', () => {
    const csv = formatCsv(result([device()]));
    const lines = csv.split('\r\n');
    // The twelve documented columns in their order, then the verdict's pack, rule and reason.
    expect(lines[0]).toBe('ip,mac,manufacturer,brand,model,firmware,serial,kind,status,confidence,protocols,interfaces,pack,rule,reason');
    expect(lines[1]).toBe(
      '10.66.0.11,44:19:b6:12:34:56,HIKVISION,HIKVISION,DS-2CD2142FWD-I,V5.4.5 build 170124,DS-2CD2142FWD-I20170314AAWR000000001,camera,review,0.60,"wsd;onvif;arp",eth0,,,a camera whose maker is not established',
    );
    const restricted = formatCsv(result([device({ status: 'restricted', verdict: { status: 'restricted', pack: 'us-ndaa-889', rule: 'hikvision', reason: 'made by Hikvision, covered' } })]));
    expect(restricted.split('\r\n')[1]).toMatch(/,eth0,us-ndaa-889,hikvision,"made by Hikvision, covered"$/u);
    expect(lines[2]).toBe('');
  });

  it.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['a,b', '"a,b"'],
    // A spreadsheet splitting on ';' would start a formula cell at the second field.
    ["Lorex;+cmd|' /C calc'!A0", `"Lorex;+cmd|' /C calc'!A0"`],
    ['plain', 'plain'],
  ])('neutralises %s', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

describe('evidence in the sweep document', () => {
  const noisy = device({
    evidence: [
      { protocol: 'onvif', field: 'onvif.manufacturer', value: 'HIKVISION' },
      { protocol: 'onvif', field: 'onvif.namespace', value: 'tds=http://www.onvif.org/ver10/device/wsdl' },
      { protocol: 'wsd', field: 'wsd.namespace', value: 'hik=http://www.hikvision.com/ver10/schema' },
      { protocol: 'upnp', field: 'upnp.namespace', value: 'urn:schemas-upnp-org:device-1-0' },
    ],
    attribution: {
      manufacturer: 'Hikvision', brand: 'Hikvision', model: null, firmwareFamily: null, kind: 'camera', confidence: 0.9, candidates: [], conflicts: [],
      matches: [{ fingerprint: 'hikvision.namespace', protocol: 'wsd', field: 'wsd.namespace', value: 'hik=http://www.hikvision.com/ver10/schema', weight: 0.6, claims: { manufacturer: 'Hikvision' } }],
    },
  } as Partial<Device>);

  it('leaves out the namespace declarations no fingerprint used, counted, unless --evidence full', () => {
    const useful = withEvidence(result([noisy, device({ ip: '10.66.0.12' })]), 'useful');
    expect(useful.devices[0]!.evidence.map((e) => e.field)).toEqual(['onvif.manufacturer', 'wsd.namespace']);
    expect(useful.evidenceOmitted).toBe(2);
    expect(schemaValidator('sweep.v1.schema.json')(JSON.parse(formatJson(useful)))).toBe(true);
    const full = withEvidence(result([noisy]), 'full');
    expect(full.devices[0]!.evidence).toHaveLength(4);
    expect(full.evidenceOmitted).toBeUndefined();
    // Nothing to leave out: the same document.
    const plain = result([device()]);
    expect(withEvidence(plain, 'useful')).toBe(plain);
  });
});

describe('formatTable', () => {
  it('prints one line per device and a summary, with no control characters', () => {
    const table = formatTable(result([device({ model: 'EVIL\u001b[2J\u0007MODEL' })]));
    // eslint-disable-next-line no-control-regex -- the point: no control character may be printed
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/u);
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^IP\s+MAC\s+KIND\s+STATUS\s+MANUFACTURER\s+MODEL\s+FIRMWARE\s+PROTOCOLS$/u);
    expect(lines[1]).toContain('10.66.0.11');
    expect(lines[1]).toContain('EVIL [2J MODEL');
    expect(lines.at(-1)).toBe('1 device(s) in 3.3 s: 1 on eth0; 0 restricted, 1 review, 0 clear; 1 problem(s) recorded (see --format json)');
  });

  it('counts devices beyond a router as routed, not as on the interface their replies came in by', () => {
    const routed = ['10.70.0.5', '10.70.0.6', '10.71.3.4', '10.72.0.9'].map((ip) => device({ ip, status: 'clear' }));
    const line = formatTable(result([device(), ...routed])).trimEnd().split('\n').at(-1);
    expect(line).toMatch(/^5 device\(s\) in 3\.3 s: 1 on eth0, 4 on routed segments; 0 restricted, 1 review, 4 clear/u);
  });

  it('fits an 80-column terminal without wrapping: PROTOCOLS, then FIRMWARE give way, long cells are cut with an ellipsis', () => {
    const devices = [
      device({ model: 'IPC-HFW2228M-I1-V2-extra-long', manufacturer: 'Zhejiang Dahua Technology', protocols: ['wsd', 'onvif', 'ssdp', 'upnp', 'http', 'dhip', 'arp', 'mac'] }),
      device({ ip: '10.66.0.200', model: '海康威视网络摄像机DS-2CD', status: 'restricted' }),
    ];
    const wide = formatTable(result(devices)).split('\n');
    expect(Math.max(...wide.map((l) => displayWidth(l)))).toBeGreaterThan(120);
    for (const width of [80, 100, 60]) {
      const lines = formatTable(result(devices), { width, color: PLAIN }).trimEnd().split('\n');
      const table = lines.slice(0, 3);
      for (const l of table) expect(displayWidth(l), `${width}: ${l}`).toBeLessThanOrEqual(width);
      expect(table[0]).not.toContain('PROTOCOLS');
      expect(table[0]).toMatch(/^IP\s+/u);
      expect(table[2]).toContain('restricted');
    }
    const at80 = formatTable(result(devices), { width: 80, color: PLAIN }).split('\n');
    expect(at80[0]).toMatch(/^IP\s+KIND\s+STATUS\s+MANUFACTURER\s+MODEL$/u);
    // Typical values keep the MAC at 80 columns.
    expect(formatTable(result([device()]), { width: 80, color: PLAIN }).split('\n')[0]).toMatch(/^IP\s+MAC\s+KIND\s+STATUS\s+MANUFACTURER\s+MODEL$/u);
    expect(at80[1]).toContain('…');
  });

  it('colours the status (restricted red, review yellow, clear green) only when asked, after cleaning', () => {
    const devices = [device({ status: 'restricted', model: 'X\u001b[31mY' }), device({ ip: '10.66.0.12', status: 'clear' })];
    const plain = formatTable(result(devices));
    expect(plain).not.toContain('\u001b');
    const coloured = formatTable(result(devices), { color: COLORS });
    expect(coloured).toContain('\u001b[1m\u001b[31mrestricted\u001b[39m\u001b[22m');
    expect(coloured).toContain('\u001b[32mclear\u001b[39m');
    // The device's own escape never reaches the terminal, colour on or off.
    expect(coloured).not.toContain('X\u001b[31mY');
  });
});

describe('colorEnabled', () => {
  it.each([
    ['never', {}, true, false],
    ['always', { NO_COLOR: '1' }, false, true],
    [undefined, {}, true, true],
    [undefined, {}, false, false],
    [undefined, { NO_COLOR: '1' }, true, false],
    [undefined, { NO_COLOR: '' }, true, true],
    [undefined, { FORCE_COLOR: '1' }, false, true],
    [undefined, { FORCE_COLOR: '0' }, true, false],
    [undefined, { FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
    [undefined, { TERM: 'dumb' }, true, false],
  ] as const)('--color %s with %j, terminal %s: %s', (mode, env, tty, expected) => {
    expect(colorEnabled(mode, env, tty)).toBe(expected);
  });
});
