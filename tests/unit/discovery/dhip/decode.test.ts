import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuMs } from '../../../helpers/cpu-time.ts';
import { decodeDahua, dhipToObservation, type DahuaDecoded } from '../../../../src/discovery/dhip/decode.ts';
import { decodeDhipBody } from '../../../../src/discovery/dhip/device-info.ts';
import { DHIP_LIMITS, parseDhipFrame } from '../../../../src/discovery/dhip/frame.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/dhip/${name}`, import.meta.url));
const text = (name: string): string => fixture(name).toString('utf8');

/** A datagram framed the way devices frame it (see payloads.test.ts for the byte layout). */
function frame(body: string | Buffer, lengths?: [number, number], headerLength = 32): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const header = Buffer.alloc(32);
  header.writeUInt32LE(headerLength, 0);
  header.write('DHIP', 4, 'latin1');
  header.writeUInt32LE(lengths?.[0] ?? b.length, 16);
  header.writeUInt32LE(lengths?.[1] ?? b.length, 24);
  return Buffer.concat([header, b]);
}

function dhipOf(d: DahuaDecoded): Extract<DahuaDecoded, { kind: 'dhip' }> {
  if (d.kind !== 'dhip') throw new Error(`expected a DHIP reply, got ${JSON.stringify(d)}`);
  return d;
}

describe('parseDhipFrame', () => {
  it('reads the real datagram\'s header and body', () => {
    const f = parseDhipFrame(fixture('dahua.virtual.notifyDevInfo.bin'));
    expect(f.ok && f.body.length).toBe(0x2a5);
    expect(f.ok && f.truncated).toBe(false);
  });

  it('refuses a bad magic, a bad header length, disagreeing lengths, an empty body and a 1 MB claim before reading the body', () => {
    const bad = frame('{}');
    bad.write('PIHD', 4, 'latin1');
    expect(parseDhipFrame(bad)).toEqual({ ok: false, reason: 'no DHIP magic at offset 4' });
    expect(parseDhipFrame(frame('{}', undefined, 0x28))).toEqual({ ok: false, reason: 'header length field is 40, not 32' });
    expect(parseDhipFrame(frame('{}', [2, 3]))).toEqual({ ok: false, reason: 'the two body lengths disagree (2 and 3)' });
    expect(parseDhipFrame(frame('', [0, 0]))).toEqual({ ok: false, reason: 'empty body' });
    expect(parseDhipFrame(frame('{}', [1 << 20, 1 << 20]))).toEqual({ ok: false, reason: `claims a 1048576-byte body (limit ${DHIP_LIMITS.maxBody})` });
    expect(parseDhipFrame(frame('{}', [0xffffffff, 0xffffffff])).ok).toBe(false);
    expect(parseDhipFrame(Buffer.from('\x20\x00\x00\x00DHIP'))).toEqual({ ok: false, reason: '8 bytes: shorter than the 32-byte DHIP header' });
  });

  it('reads a body cut short as far as it goes, and ignores bytes past the announced length', () => {
    const cut = parseDhipFrame(frame('{"a":1}', [100, 100]));
    expect(cut).toEqual({ ok: true, body: '{"a":1}', truncated: true });
    const padded = parseDhipFrame(Buffer.concat([frame('{"a":1}'), Buffer.alloc(40)]));
    expect(padded).toEqual({ ok: true, body: '{"a":1}', truncated: false });
  });
});

describe('decodeDahua: DHIP notifyDevInfo', () => {
  it('reads the real IPC-HDW5421S reply (valid JSON) framed as devices frame it', () => {
    expect(decodeDahua(frame(text('dahua.ipc-hdw5421s.notifyDevInfo.json')))).toEqual({
      kind: 'dhip',
      wellFormed: true,
      info: {
        model: 'IPC-HDW5421S',
        serial: '1F006E4PAX00075',
        vendor: 'Dahua',
        manufacturer: 'Private',
        firmware: '2.400.0.8',
        machineName: '1F006E4PAX00075',
        deviceClass: 'IPC',
        ipv4: '218.5.136.140',
        mac: '4c:11:bf:c2:0b:9d',
        port: '37777',
        httpPort: '80',
      },
    });
  });

  it('falls back to key-by-key extraction on the real datagram whose JSON has an unterminated string', () => {
    const raw = fixture('dahua.virtual.notifyDevInfo.bin');
    expect(() => JSON.parse(raw.subarray(32).toString('utf8'))).toThrow(SyntaxError);
    expect(decodeDahua(raw)).toEqual({
      kind: 'dhip',
      wellFormed: false,
      info: {
        model: 'Virtual (JSON)',
        serial: '123456789',
        vendor: 'General',
        firmware: '1.0000',
        machineName: 'Virtual',
        deviceClass: 'V',
        ipv4: '240.0.4.0',
        mac: '00:11:22:33:44:55',
        port: '37777',
        httpPort: '80',
      },
    });
  });

  it.each([
    ['bcs.bcs-tip3401ir-e-v.notifyDevInfo-rebuilt.json', 0],
    ['dahua.hcvr.notifyDevInfo-rebuilt.json', 1],
    ['bcs.bcs-xvr0401-iv.notifyDevInfo-rebuilt.json', 2],
  ])('reads %s back to the values of its Shadowserver CSV row', (file, row) => {
    const [head = '', ...lines] = text('dahua.various.dhip-parsed.csv').trim().split('\n');
    const split = (line: string): string[] => [...line.matchAll(/("([^"]*)"|[^,]*)(,|$)/gu)].map((m) => m[2] ?? m[1] ?? '').slice(0, -1);
    const names = split(head);
    const values = split(lines[row] ?? '');
    const csv = Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
    const d = dhipOf(decodeDahua(frame(text(file))));
    expect(d.wellFormed).toBe(true);
    expect(d.info).toEqual({
      model: csv.device_model,
      serial: csv.device_serial,
      vendor: csv.device_vendor,
      manufacturer: csv.manufacturer,
      firmware: csv.device_version,
      machineName: csv.machine_name,
      deviceClass: csv.device_type,
      ipv4: csv.ipv4_address,
      mac: csv.mac_address,
      port: csv.internal_port,
      httpPort: csv.http_port,
    });
  });

  it('reads the Lorex (Dahua OEM) reply, keeping the author\'s redactions as they are', () => {
    const d = dhipOf(decodeDahua(frame(text('lorex.w461asc.notifyDevInfo-rebuilt.json'))));
    expect(d.info).toMatchObject({ model: 'W461ASC', vendor: 'Lorex', manufacturer: 'Private', firmware: '2.800.030000000.3.R', port: '35000', mac: '00:1f:54:a9:2e:58' });
    expect(d.info.serial).toMatch(/^\*+$/u);
  });

  it('flags a notifyDevInfo cut short as not well-formed and reads what came before the cut', () => {
    const body = text('dahua.ipc-hdw5421s.notifyDevInfo.json');
    const d = dhipOf(decodeDahua(frame(body.slice(0, 420), [Buffer.byteLength(body), Buffer.byteLength(body)])));
    expect(d.wellFormed).toBe(false);
    expect(d.info).toEqual({ model: 'IPC-HDW5421S', deviceClass: 'IPC', httpPort: '80', ipv4: '218.5.136.140', mac: '4c:11:bf:c2:0b:9d' });
  });

  it('tells searches and other methods from replies', () => {
    expect(decodeDahua(frame('{"method":"DHDiscover.search","params":{"mac":"","uni":1}}\n'))).toEqual({ kind: 'search' });
    expect(decodeDahua(frame('{"method":"magicBox.reboot","params":null}'))).toEqual({ kind: 'other', method: 'magicBox.reboot' });
    expect(decodeDahua(frame('{"method":"DHDiscover.search", broken'))).toEqual({ kind: 'search' });
  });
});

describe('decodeDahua on hostile input', () => {
  it('refuses junk, JSON that is not a notifyDevInfo, and broken JSON without device fields', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from([0xff, 0, 1, 2]), /neither DHIP nor a Dahua v1 reply/u],
      [Buffer.alloc(0), /empty datagram/u],
      [frame('[]'), /not an object/u],
      [frame('"x"'), /not an object/u],
      [frame('{"params":{}}'), /without params.deviceInfo/u],
      [frame('{"method":"client.notifyDevInfo","params":{"deviceInfo":"a string"}}'), /without params.deviceInfo/u],
      [frame('not json at all'), /no deviceInfo/u],
      [frame('{"deviceInfo": {"Nothing": "here"'), /without a readable deviceInfo field/u],
      [frame(Buffer.from([0xc3, 0x28, 0xa0, 0xa1])), /no deviceInfo/u],
    ];
    for (const [buf, reason] of cases) {
      const d = decodeDahua(buf);
      expect(d.kind, buf.toString('hex').slice(0, 40)).toBe('invalid');
      if (d.kind === 'invalid') expect(d.reason).toMatch(reason);
    }
  });

  it('keeps only values of the right shape, cleaned of control characters and capped', () => {
    const body = JSON.stringify({
      mac: 'not-a-mac',
      method: 'client.notifyDevInfo',
      params: {
        deviceInfo: {
          DeviceType: 'IPC\u001b[2J\u0007-X',
          SerialNo: 'S'.repeat(5000),
          Vendor: { nested: true },
          Version: ['2.8'],
          Port: 70000,
          HttpPort: '8080',
          IPv4Address: { IPAddress: '10.0.0.999' },
          MachineName: '',
        },
      },
    });
    expect(dhipOf(decodeDahua(frame(body))).info).toEqual({ model: 'IPC [2J -X', serial: `${'S'.repeat(255)}…`, httpPort: '8080' });
  });

  it('stays fast on pathological bodies (deep nesting, long strings, many keys)', () => {
    const bodies = [
      '['.repeat(16_000),
      `{"deviceInfo":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`,
      `{"deviceInfo" : { "Version" : "${'\\'.repeat(15_000)}`,
      `{"deviceInfo":{${'"DeviceType" :    '.repeat(900)}`,
      `{"deviceInfo":{"IPv4Address":{${' '.repeat(15_000)}`,
    ];
    for (const body of bodies) {
      const { ms } = cpuMs(() => {
        decodeDhipBody(body);
        decodeDahua(frame(body));
      });
      expect(ms, body.slice(0, 30)).toBeLessThan(50);
    }
  });
});

describe('dhipToObservation', () => {
  it('turns a reply into dhip evidence, the MAC, the serial and the HTTP port, at the datagram source', () => {
    const d = dhipOf(decodeDahua(frame(text('dahua.ipc-hdw5421s.notifyDevInfo.json'))));
    const obs = dhipToObservation(d.info, { ip: '10.0.0.12', iface: 'eth0' });
    expect(obs).toEqual({
      protocol: 'dhip',
      ip: '10.0.0.12',
      interface: 'eth0',
      mac: '4c:11:bf:c2:0b:9d',
      identifiers: { serial: '1F006E4PAX00075' },
      endpoints: { httpPorts: [80] },
      evidence: [
        ['dhip.reply', 'true'],
        ['dhip.variant', 'dhip'],
        ['dhip.model', 'IPC-HDW5421S'],
        ['dhip.serial', '1F006E4PAX00075'],
        ['dhip.vendor', 'Dahua'],
        ['dhip.manufacturer', 'Private'],
        ['dhip.firmware', '2.400.0.8'],
        ['dhip.machineName', '1F006E4PAX00075'],
        ['dhip.deviceClass', 'IPC'],
        ['dhip.ipv4', '218.5.136.140'],
        ['dhip.mac', '4c:11:bf:c2:0b:9d'],
        ['dhip.port', '37777'],
        ['dhip.httpPort', '80'],
      ].map(([field, value]) => ({ protocol: 'dhip', field, value })),
    });
  });
});
