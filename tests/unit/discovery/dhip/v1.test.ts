import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dahuaV1ToObservation, decodeDahua } from '../../../../src/discovery/dhip/decode.ts';
import { buildDahuaV1Probe } from '../../../../src/discovery/dhip/payloads.ts';
import { decodeDahuaV1 } from '../../../../src/discovery/dhip/v1.ts';

const REPLY = readFileSync(new URL('../../../fixtures/dhip/dahua.virtual.v1-reply.bin', import.meta.url));

describe('decodeDahuaV1', () => {
  it('reads the real (anonymised) v1 reply: binary header, MAC section, text lines', () => {
    expect(decodeDahuaV1(REPLY)).toEqual({
      kind: 'reply',
      truncated: false,
      info: { mac: '00:11:22:33:44:55', name: 'Dahua', serial: '123456789', ipv6: 'fe80::1/64', model: 'Virtual', ipv4: '240.0.3.0' },
    });
    expect(decodeDahua(REPLY)).toMatchObject({ kind: 'v1', truncated: false });
  });

  it('recognises a v1 search (ours coming back by broadcast) as not an answer', () => {
    expect(decodeDahuaV1(buildDahuaV1Probe())).toEqual({ kind: 'search' });
    expect(decodeDahua(buildDahuaV1Probe())).toEqual({ kind: 'search' });
  });

  it('reads a reply cut inside its text section as far as it goes', () => {
    const cut = decodeDahuaV1(REPLY.subarray(0, 0xb0));
    expect(cut).toEqual({ kind: 'reply', truncated: true, info: { mac: '00:11:22:33:44:55', name: 'Dahua', model: 'Virtual', ipv4: '240.0.3.0' } });
  });

  it('falls back to the section-2 model, then the binary one', () => {
    const noText = Buffer.from(REPLY);
    noText.writeUInt16LE(0, 0x14);
    expect(decodeDahuaV1(noText)).toMatchObject({ info: { model: 'Virtual', mac: '00:11:22:33:44:55' } });
    const headerOnly = Buffer.from(REPLY.subarray(0, 120));
    headerOnly[2] = 0;
    headerOnly.writeUInt16LE(0, 0x14);
    expect(decodeDahuaV1(headerOnly)).toEqual({ kind: 'reply', truncated: false, info: { model: 'Virtual', ipv4: '240.0.3.0' } });
  });

  it('refuses short, foreign and empty datagrams, and section lengths claiming more than the datagram holds are bounded', () => {
    expect(decodeDahuaV1(REPLY.subarray(0, 100))).toEqual({ kind: 'invalid', reason: '100 bytes: shorter than the 120-byte v1 header' });
    expect(decodeDahuaV1(Buffer.from([0x42, 1, 2]))).toEqual({ kind: 'invalid', reason: 'neither DHIP nor a Dahua v1 reply' });
    const empty = Buffer.alloc(120);
    empty[0] = 0xb3;
    expect(decodeDahuaV1(empty)).toEqual({ kind: 'invalid', reason: 'v1 reply without model, serial or MAC' });
    const liar = Buffer.from(REPLY);
    liar[2] = 0xff;
    liar.writeUInt16LE(0xffff, 0x14);
    const d = decodeDahuaV1(liar);
    expect(d.kind === 'reply' && d.truncated).toBe(true);
  });

  it('cleans control characters out of text lines', () => {
    const dirty = Buffer.concat([REPLY.subarray(0, 0x90), Buffer.from('Name:Da\u001b[2Jhua\r\nSerialNo:12\u0000345\r\n')]);
    dirty.writeUInt16LE(dirty.length - 0x90, 0x14);
    expect(decodeDahuaV1(dirty)).toMatchObject({ info: { name: 'Da [2Jhua', serial: '12 345' } });
  });
});

describe('dahuaV1ToObservation', () => {
  it('uses the dhip protocol with variant v1', () => {
    const d = decodeDahuaV1(REPLY);
    if (d.kind !== 'reply') throw new Error('no reply');
    expect(dahuaV1ToObservation(d.info, { ip: '10.0.0.12', iface: 'eth0' })).toEqual({
      protocol: 'dhip',
      ip: '10.0.0.12',
      interface: 'eth0',
      mac: '00:11:22:33:44:55',
      identifiers: { serial: '123456789' },
      evidence: [
        ['dhip.reply', 'true'],
        ['dhip.variant', 'v1'],
        ['dhip.model', 'Virtual'],
        ['dhip.serial', '123456789'],
        ['dhip.mac', '00:11:22:33:44:55'],
        ['dhip.ipv4', '240.0.3.0'],
        ['dhip.v1.name', 'Dahua'],
        ['dhip.v1.ipv6', 'fe80::1/64'],
      ].map(([field, value]) => ({ protocol: 'dhip', field, value })),
    });
  });
});
