import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildV1Reply, dahuaJson, dhipFrame, notifyDevInfoBody, parseDhipRequest, parseV1Request, type Json } from './dhip-messages.ts';
import { parseProfile } from './profile.ts';
import { deviceVars, fillTemplate } from './template.ts';

/** The real Dahua captures live with the decoder's fixtures. */
const capture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/dhip/${name}`, import.meta.url));

/** DHDiscover.search exactly as the agent frames it (src/discovery/dhip/payloads.ts), written out by hand. */
const SEARCH = Buffer.concat([
  Buffer.from('20000000444849500000000000000000' + '3b000000000000003b00000000000000', 'hex'),
  Buffer.from('{"method":"DHDiscover.search","params":{"mac":"","uni":1}}\n'),
]);
const V1_SEARCH = Buffer.from(`a3010001${'00'.repeat(12)}02${'00'.repeat(15)}`, 'hex');

describe('parseDhipRequest / parseV1Request', () => {
  it('recognise the two searches', () => {
    expect(parseDhipRequest(SEARCH)).toEqual({ kind: 'DHDiscover.search' });
    expect(parseV1Request(V1_SEARCH)).toEqual({ kind: 'v1-search' });
  });

  it('call any other DHIP method, any bad frame and anything else junk', () => {
    expect(parseDhipRequest(dhipFrame('{"method":"magicBox.reboot","params":null}'))).toEqual({ kind: 'junk', detail: 'DHIP method "magicBox.reboot"' });
    expect(parseDhipRequest(dhipFrame('{"method":"DHDiscover.setConfig","params":{}}'))).toEqual({ kind: 'junk', detail: 'DHIP method "DHDiscover.setConfig"' });
    expect(parseDhipRequest(dhipFrame('{"method":"DHDiscover.search"'))).toEqual({ kind: 'junk', detail: 'DHIP body is not JSON' });
    const lying = Buffer.from(SEARCH);
    lying.writeUInt32LE(1 << 20, 16);
    expect(parseDhipRequest(lying)).toEqual({ kind: 'junk', detail: 'bad DHIP header' });
    expect(parseDhipRequest(SEARCH.subarray(32))).toEqual({ kind: 'junk', detail: 'no DHIP header' });
    expect(parseDhipRequest(capture('dahua.virtual.notifyDevInfo.bin'))).toEqual({ kind: 'junk', detail: 'DHIP body is not JSON' });
    expect(parseV1Request(Buffer.from([0xb3, 0, 0]))).toEqual({ kind: 'junk', detail: 'not a v1 search' });
  });
});

describe('DHIP replies', () => {
  it('write JSON the way the device does: the real IPC-HDW5421S body, byte for byte', () => {
    const real = capture('dahua.ipc-hdw5421s.notifyDevInfo.json').toString('utf8');
    expect(`${dahuaJson(JSON.parse(real) as Json)}\n`).toBe(real);
  });

  it('frame the body like the real datagram', () => {
    const real = capture('dahua.virtual.notifyDevInfo.bin');
    expect(dhipFrame(real.subarray(32).toString('utf8'))).toEqual(real);
  });

  it('carry the Dahua profile\'s identity, at the device\'s address', () => {
    const raw = JSON.parse(readFileSync(new URL('../profiles/dahua-ipc-hfw2228m.json', import.meta.url), 'utf8')) as unknown;
    const dhip = parseProfile(fillTemplate(raw, deviceVars('10.66.0.12', '4c:11:bf:22:28:0c')), 'dahua').dhip;
    if (dhip === undefined) throw new Error('the dahua profile has no dhip');
    const body = JSON.parse(notifyDevInfoBody('4c:11:bf:22:28:0c', dhip.deviceInfo as { [key: string]: Json })) as {
      mac: string;
      method: string;
      params: { deviceInfo: Record<string, unknown> };
    };
    expect(body.mac).toBe('4c:11:bf:22:28:0c');
    expect(body.method).toBe('client.notifyDevInfo');
    expect(body.params.deviceInfo).toMatchObject({ DeviceType: 'IPC-HFW2228M-I1-V2', SerialNo: '6G0C8E1PAZ4A2F7', Vendor: 'Dahua', Port: 37777 });
    expect(body.params.deviceInfo.IPv4Address).toMatchObject({ IPAddress: '10.66.0.12' });
    expect(dhip.replyTo).toBe('both');
    expect(dhip.v1?.device).toBe('IPC-HFW2228M-I1-V2');
  });
});

describe('buildV1Reply', () => {
  it('rebuilds the real v1 reply byte for byte from its values', () => {
    const built = buildV1Reply({
      model: 'Virtual',
      mac: '00:11:22:33:44:55',
      ip: '240.0.3.0',
      mask: '255.0.0.0',
      gateway: '127.0.0.1',
      name: 'Dahua',
      serial: '123456789',
      ipv6: 'fe80::1/64;gateway:fe80::',
    });
    expect(built.toString('hex')).toBe(capture('dahua.virtual.v1-reply.bin').toString('hex'));
  });
});
